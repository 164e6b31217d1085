/// Per (model, endpoint) request counts, errors and latency read back from the server's own Prometheus
/// exposition (`hepml_inference_requests_total`, `..._errors_total`, `..._duration_seconds` histogram): what
/// the web page's metrics panel shows. Rates are computed by the page from two readings.
struct InferenceMetricsSummary: Sendable, Equatable, Encodable {
    struct Row: Sendable, Equatable, Encodable {
        var model: String
        var endpoint: String
        var requests: Double = 0
        var errors: Double = 0
        /// Mean latency in seconds over all requests that finished (nil before the first).
        var meanSeconds: Double?
        /// Upper bounds of the histogram buckets holding the median and the 99th percentile (nil: above
        /// the largest finite bucket or no data).
        var p50AtMostSeconds: Double?
        var p99AtMostSeconds: Double?
        var observed: Double = 0
        var sumSeconds: Double = 0
        var buckets: [Bucket] = []

        enum CodingKeys: String, CodingKey {
            case model, endpoint, requests, errors, meanSeconds = "mean_seconds", p50AtMostSeconds = "p50_at_most_seconds"
            case p99AtMostSeconds = "p99_at_most_seconds"
        }
    }

    struct Bucket: Sendable, Equatable {
        var upperBound: Double
        var cumulativeCount: Double
    }

    /// Per model, what its scheduler did (`hepml_batch_*`): model runs, mean batch size, mean queue and
    /// compute time per run.
    struct Batching: Sendable, Equatable, Encodable {
        var model: String
        var runs: Double = 0
        var meanBatchSize: Double?
        var meanQueueSeconds: Double?
        var meanComputeSeconds: Double?
        var sizeSum = 0.0, sizeCount = 0.0, queueSum = 0.0, queueCount = 0.0, computeSum = 0.0

        enum CodingKeys: String, CodingKey {
            case model, runs, meanBatchSize = "mean_batch_size", meanQueueSeconds = "mean_queue_seconds"
            case meanComputeSeconds = "mean_compute_seconds"
        }
    }

    var uptimeSeconds: Double
    var rows: [Row]
    var batching: [Batching] = []

    enum CodingKeys: String, CodingKey {
        case uptimeSeconds = "uptime_seconds", rows, batching
    }

    /// Reads the exposition text; unknown metrics and malformed lines are skipped.
    init(exposition: [UInt8], uptimeSeconds: Double) {
        self.uptimeSeconds = uptimeSeconds
        var byKey: [String: Row] = [:]
        var order: [String] = []
        var batches: [String: Batching] = [:]
        for line in String(decoding: exposition, as: UTF8.self).split(separator: "\n") where line.hasPrefix("hepml_batch_") {
            guard let sample = PrometheusSample(line: line), let model = sample.labels["model"] else { continue }
            var b = batches[model] ?? Batching(model: model)
            switch sample.name {
            case "hepml_batch_size_sum": b.sizeSum = sample.value
            case "hepml_batch_size_count": b.sizeCount = sample.value
            case "hepml_batch_queue_seconds_sum": b.queueSum = sample.value
            case "hepml_batch_queue_seconds_count": b.queueCount = sample.value
            case "hepml_batch_compute_seconds_sum": b.computeSum = sample.value
            case "hepml_batch_compute_seconds_count": b.runs = sample.value
            default: continue
            }
            batches[model] = b
        }
        batching = batches.values.map { b in
            var b = b
            if b.sizeCount > 0 { b.meanBatchSize = b.sizeSum / b.sizeCount }
            if b.queueCount > 0 { b.meanQueueSeconds = b.queueSum / b.queueCount }
            if b.runs > 0 { b.meanComputeSeconds = b.computeSum / b.runs }
            return b
        }.sorted { $0.model < $1.model }
        for line in String(decoding: exposition, as: UTF8.self).split(separator: "\n") where line.hasPrefix("hepml_inference_") {
            guard let sample = PrometheusSample(line: line), let model = sample.labels["model"],
                  let endpoint = sample.labels["endpoint"] else { continue }
            let key = model + "\u{0}" + endpoint
            if byKey[key] == nil {
                byKey[key] = Row(model: model, endpoint: endpoint)
                order.append(key)
            }
            switch sample.name {
            case "hepml_inference_requests_total": byKey[key]!.requests = sample.value
            case "hepml_inference_errors_total": byKey[key]!.errors = sample.value
            case "hepml_inference_duration_seconds_sum": byKey[key]!.sumSeconds = sample.value
            case "hepml_inference_duration_seconds_count": byKey[key]!.observed = sample.value
            case "hepml_inference_duration_seconds_bucket":
                if let le = sample.labels["le"], let bound = le == "+Inf" ? Double.infinity : Double(le) {
                    byKey[key]!.buckets.append(Bucket(upperBound: bound, cumulativeCount: sample.value))
                }
            default: break
            }
        }
        rows = order.compactMap { byKey[$0] }.map { r in
            var r = r
            r.buckets.sort { $0.upperBound < $1.upperBound }
            if r.observed > 0 {
                r.meanSeconds = r.sumSeconds / r.observed
                r.p50AtMostSeconds = Self.quantileBound(0.5, r.buckets, total: r.observed)
                r.p99AtMostSeconds = Self.quantileBound(0.99, r.buckets, total: r.observed)
            }
            return r
        }.sorted { ($0.model, $0.endpoint) < ($1.model, $1.endpoint) }
    }

    /// The smallest finite bucket bound with at least `q` of the observations at or below it.
    static func quantileBound(_ q: Double, _ buckets: [Bucket], total: Double) -> Double? {
        buckets.first { $0.upperBound.isFinite && $0.cumulativeCount >= q * total }?.upperBound
    }
}

/// One sample line of the Prometheus text format: `name{label="value",...} number`, label values with
/// `\\`, `\"` and `\n` escapes.
struct PrometheusSample: Sendable, Equatable {
    var name: String
    var labels: [String: String]
    var value: Double

    init?(line: Substring) {
        let chars = Array(line.utf8)
        var i = 0
        while i < chars.count, chars[i] != UInt8(ascii: "{"), chars[i] != UInt8(ascii: " ") { i += 1 }
        name = String(decoding: chars[0..<i], as: UTF8.self)
        labels = [:]
        if i < chars.count, chars[i] == UInt8(ascii: "{") {
            i += 1
            while i < chars.count, chars[i] != UInt8(ascii: "}") {
                var k = i
                while k < chars.count, chars[k] != UInt8(ascii: "=") { k += 1 }
                guard k + 1 < chars.count, chars[k + 1] == UInt8(ascii: "\"") else { return nil }
                let key = String(decoding: chars[i..<k], as: UTF8.self)
                var value: [UInt8] = []
                var j = k + 2
                while j < chars.count, chars[j] != UInt8(ascii: "\"") {
                    if chars[j] == UInt8(ascii: "\\"), j + 1 < chars.count {
                        value.append(chars[j + 1] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : chars[j + 1])
                        j += 2
                    } else {
                        value.append(chars[j])
                        j += 1
                    }
                }
                guard j < chars.count else { return nil }
                labels[key] = String(decoding: value, as: UTF8.self)
                i = j + 1
                if i < chars.count, chars[i] == UInt8(ascii: ",") { i += 1 }
            }
            guard i < chars.count else { return nil }
            i += 1
        }
        let rest = String(decoding: chars[min(i, chars.count)...], as: UTF8.self).split(separator: " ")
        guard let first = rest.first, let v = Double(first) ?? (first == "+Inf" ? .infinity : nil) else { return nil }
        value = v
    }
}

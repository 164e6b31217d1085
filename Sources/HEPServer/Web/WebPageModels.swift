import Foundation
import HEPInference

/// The values the Mustache templates render (read through reflection: property names are template keys).
/// Every string is plain text; the templates escape it.
enum WebPageModels {
    struct KeyValue {
        var key: String
        var value: String
    }

    struct VersionCell {
        var version: Int
        var state: String
        var stateClass: String
        var reason: String
    }

    struct TagCell {
        var tag: String
        var version: Int
    }

    struct ModelRow {
        var name: String
        var href: String
        var platform: String
        var versions: [VersionCell]
        var tags: [TagCell]
    }

    struct MetricsRow {
        var model: String
        var endpoint: String
        var requests: String
        var errors: String
        var rate: String
        var mean: String
        var p50: String
        var p99: String
    }

    struct BatchingRow {
        var model: String
        var runs: String
        var batchSize: String
        var queue: String
        var compute: String
    }

    struct IndexPage {
        var title = "Models"
        var page = "index"
        var model = ""
        var version = ""
        var serverVersion: String
        var modelCount: Int
        var models: [ModelRow]
        var metrics: [MetricsRow]
        var batching: [BatchingRow]
        var uptime: String
    }

    struct VersionRow {
        var version: Int
        var state: String
        var stateClass: String
        var reason: String
        var tags: String
        var ready: Bool
        var current: Bool
        var href: String
    }

    struct TensorRow {
        var role: String
        var name: String
        var datatype: String
        var shape: String
        var names: String
    }

    struct OperatorCount {
        var op: String
        var count: Int
    }

    struct ModelPage {
        var title: String
        var page = "model"
        var model: String
        var version: String
        var platform: String
        var serverVersion: String
        var description: String?
        var versions: [VersionRow]
        var tensors: [TensorRow]
        var labels: [String]
        var hasLabels: Bool
        var params: [KeyValue]
        var hasParams: Bool
        var factsTitle: String
        var facts: [KeyValue]
        var hasFacts: Bool
        var metadata: [KeyValue]
        var hasMetadata: Bool
        var hasDetails: Bool
        var svg: String
        var graphNote: String?
        var graphCaption: String
        var graphHref: String
        var operators: [OperatorCount]
        var hasOperators: Bool
        var inferURL: String
        var sampleRequest: String
        var metrics: [MetricsRow]
        var batching: [BatchingRow]
        var uptime: String
    }

    /// A path segment with everything but unreserved characters percent-encoded.
    static func pathSegment(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static func modelHref(_ name: String, version: Int? = nil) -> String {
        "/ui/models/" + pathSegment(name) + (version.map { "/versions/\($0)" } ?? "")
    }

    static func stateClass(_ state: String) -> String {
        switch state {
        case "READY": "ready"
        case "UNAVAILABLE": "unavailable"
        default: "other"
        }
    }

    static func metricsRows(_ summary: InferenceMetricsSummary, model: String? = nil) -> [MetricsRow] {
        summary.rows.filter { model == nil || $0.model == model }.map { r in
            MetricsRow(model: r.model, endpoint: r.endpoint, requests: count(r.requests), errors: count(r.errors),
                       rate: rate(r.requests, over: summary.uptimeSeconds), mean: r.meanSeconds.map(duration) ?? "–",
                       p50: bound(r.p50AtMostSeconds, observed: r.observed), p99: bound(r.p99AtMostSeconds, observed: r.observed))
        }
    }

    static func batchingRows(_ summary: InferenceMetricsSummary, model: String? = nil) -> [BatchingRow] {
        summary.batching.filter { model == nil || $0.model == model }.map { b in
            BatchingRow(model: b.model, runs: count(b.runs), batchSize: b.meanBatchSize.map { String(format: "%.2f", $0) } ?? "–",
                        queue: b.meanQueueSeconds.map(duration) ?? "–", compute: b.meanComputeSeconds.map(duration) ?? "–")
        }
    }

    static func count(_ v: Double) -> String { v.isFinite && abs(v) < 1e15 ? String(Int(v)) : "–" }

    static func rate(_ n: Double, over seconds: Double) -> String {
        seconds > 0 ? String(format: "%.2f/s", n / seconds) : "–"
    }

    static func duration(_ s: Double) -> String {
        if s < 1e-3 { return String(format: "%.0f µs", s * 1e6) }
        if s < 1 { return String(format: "%.2f ms", s * 1e3) }
        return String(format: "%.2f s", s)
    }

    static func bound(_ b: Double?, observed: Double) -> String {
        guard observed > 0 else { return "–" }
        guard let b else { return "> largest bucket" }
        return duration(b)
    }

    static func uptime(_ s: Double) -> String {
        let t = Int(s)
        return t >= 3600 ? "\(t / 3600) h \(t % 3600 / 60) min" : t >= 60 ? "\(t / 60) min \(t % 60) s" : "\(t) s"
    }

    /// A KServe v2 request with zeros for every input (dynamic dimensions as 1), for the "try it" box.
    static func sampleRequest(_ signature: ModelSignature, maxValues: Int = 20_000) -> String {
        let inputs = signature.inputs.map { s -> String in
            let shape = s.shape.map { $0 < 0 ? 1 : $0 }
            let n = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            let zero = s.datatype == .BOOL ? "false" : s.datatype == .BYTES ? "\"\"" : "0"
            let data = n <= maxValues ? Array(repeating: zero, count: n).joined(separator: ",") : ""
            return "{\"name\":\(JSONBody.quote(s.name)),\"shape\":[\(shape.map(String.init).joined(separator: ","))],"
                + "\"datatype\":\(JSONBody.quote(s.datatype.rawValue)),\"data\":[\(data)]}"
        }
        return "{\"inputs\":[\n" + inputs.joined(separator: ",\n") + "\n]}"
    }

    /// TFaaS params.json fields that are set, in the file's key names.
    static func params(_ p: TFaaSParams?) -> [KeyValue] {
        guard let p else { return [] }
        let pairs: [(String, String?)] = [
            ("name", p.name), ("model", p.model), ("labels", p.labels), ("description", p.description),
            ("input_node", p.inputNode), ("output_node", p.outputNode), ("input_name", p.inputName),
            ("output_name", p.outputName), ("img_height", p.imgHeight.map(String.init)), ("img_width", p.imgWidth.map(String.init)),
            ("img_channels", p.imgChannels.map(String.init)), ("op", p.op), ("options", p.options?.joined(separator: ", ")),
            ("timestamp", p.timestamp),
        ]
        return pairs.compactMap { k, v in v.flatMap { $0.isEmpty ? nil : KeyValue(key: k, value: $0) } }
    }
}

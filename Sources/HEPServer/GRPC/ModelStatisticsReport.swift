import HEPInference

/// Triton's `ModelStatistics` for one model, a model version or every model, from the schedulers'
/// recorders; the gRPC `ModelStatistics` call and REST `/v2/models[/{m}[/versions/{v}]]/stats` share it.
enum ModelStatisticsReport {
    /// Statistics of `name` (empty: every model) at `version` (empty: every ready version).
    static func response(state: ServerState, name: String, version: String) throws -> Inference_ModelStatisticsResponse {
        var targets: [(String, Int)] = []
        if name.isEmpty {
            targets = state.repository.index().filter { $0.state.state == "READY" && RequestAccess.mayList($0.name) }.map { ($0.name, $0.state.version) }
        } else if version.isEmpty {
            targets = state.repository.versions(of: name).filter { $0.state == "READY" }.map { (name, $0.version) }
            if targets.isEmpty { _ = try state.repository.model(name) }
        } else {
            let m = try state.repository.model(name, version: version)
            targets = [(m.name, m.version)]
        }
        return .with { r in
            r.modelStats = targets.map { n, v in
                statistics(name: n, version: v, state.schedulers.statistics(name: n, version: v)?.snapshot ?? .init())
            }
        }
    }

    static func statistics(name: String, version: Int, _ s: ModelStatisticsRecorder.Snapshot) -> Inference_ModelStatistics {
        func d(_ x: ModelStatisticsRecorder.Duration) -> Inference_StatisticDuration { .with { $0.count = x.count; $0.ns = x.ns } }
        return .with {
            $0.name = name
            $0.version = String(version)
            $0.lastInference = s.lastInferenceMs
            $0.inferenceCount = s.inferenceCount
            $0.executionCount = s.executionCount
            $0.inferenceStats = .with {
                $0.success = d(s.success)
                $0.fail = d(s.fail)
                $0.queue = d(s.queue)
                $0.computeInput = d(s.computeInput)
                $0.computeInfer = d(s.computeInfer)
                $0.computeOutput = d(s.computeOutput)
                $0.cacheHit = d(.init())
                $0.cacheMiss = d(.init())
            }
            $0.batchStats = s.batches.sorted { $0.key < $1.key }.map { size, b in
                .with {
                    $0.batchSize = UInt64(size)
                    $0.computeInput = d(b.computeInput)
                    $0.computeInfer = d(b.computeInfer)
                    $0.computeOutput = d(b.computeOutput)
                }
            }
        }
    }

    /// Triton's JSON form (REST `stats`): proto field names, every counter printed, as numbers.
    static func json(_ r: Inference_ModelStatisticsResponse) -> String {
        func d(_ x: Inference_StatisticDuration) -> String { "{\"count\":\(x.count),\"ns\":\(x.ns)}" }
        var out = "{\"model_stats\":["
        for (k, m) in r.modelStats.enumerated() {
            let i = m.inferenceStats
            let named: [(String, Inference_StatisticDuration)] = [
                ("success", i.success), ("fail", i.fail), ("queue", i.queue), ("compute_input", i.computeInput),
                ("compute_infer", i.computeInfer), ("compute_output", i.computeOutput), ("cache_hit", i.cacheHit),
                ("cache_miss", i.cacheMiss),
            ]
            let stats: [String] = named.map { pair in "\"\(pair.0)\":" + d(pair.1) }
            let batches: [String] = m.batchStats.map { b in
                "{\"batch_size\":\(b.batchSize),\"compute_input\":" + d(b.computeInput) + ",\"compute_infer\":" + d(b.computeInfer)
                    + ",\"compute_output\":" + d(b.computeOutput) + "}"
            }
            if k > 0 { out += "," }
            out += "{\"name\":" + JSONBody.quote(m.name) + ",\"version\":" + JSONBody.quote(m.version)
            out += ",\"last_inference\":\(m.lastInference),\"inference_count\":\(m.inferenceCount),\"execution_count\":\(m.executionCount)"
            out += ",\"inference_stats\":{" + stats.joined(separator: ",") + "},\"batch_stats\":[" + batches.joined(separator: ",") + "]}"
        }
        return out + "]}"
    }
}

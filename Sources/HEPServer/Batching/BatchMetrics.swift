import Metrics

/// Prometheus metrics of one model's scheduler: time requests wait in its queue, sizes of the batches it
/// runs, and the time each model run takes.
struct BatchMetrics: Sendable {
    let queueTime: Metrics.Timer
    let batchSize: Metrics.Recorder
    let computeTime: Metrics.Timer

    init(model: String) {
        let dims = [("model", model)]
        queueTime = Metrics.Timer(label: "hepml_batch_queue_seconds", dimensions: dims, preferredDisplayUnit: .seconds)
        batchSize = Metrics.Recorder(label: "hepml_batch_size", dimensions: dims, aggregate: true)
        computeTime = Metrics.Timer(label: "hepml_batch_compute_seconds", dimensions: dims, preferredDisplayUnit: .seconds)
    }
}

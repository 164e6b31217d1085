extension InMemoryData {
    /// Rows of held-out data kept in memory for early stopping (a seeded uniform sample when the split has
    /// more): about 20 MB at 258 features, whatever the size of the input.
    public static let heldOutRows = 20_000

    /// One pass that keeps every training row and a sample of at most `cap` validation rows (test rows are
    /// evaluated later, streamed).
    public static func collectTraining(_ stream: AsyncThrowingStream<TrainingBatch, Error>, maskFeatures: Bool, cap: Int = heldOutRows,
                                       seed: UInt64) async throws -> (train: InMemoryData, validation: InMemoryData)
    {
        var train = InMemoryData(x: [], y: [], w: [], rows: 0, width: 0)
        var validation = Reservoir(cap: cap, seed: seed)
        for try await b in stream {
            let input = Trainer.inputs(b, maskFeatures: maskFeatures)
            for r in 0..<b.count {
                switch DataSplit(rawValue: b.splits[r]) {
                case .train:
                    train.width = input.width
                    train.x += input.x[(r * input.width)..<((r + 1) * input.width)]
                    train.y.append(b.labels[r])
                    train.w.append(b.weights[r])
                    train.rows += 1
                case .validation: validation.offer(input.x[(r * input.width)..<((r + 1) * input.width)], y: b.labels[r], w: b.weights[r], width: input.width)
                default: continue
                }
            }
        }
        return (train, validation.data)
    }

    /// A seeded uniform sample of at most `cap` rows of a pass (all of them, in order, when there are fewer).
    public static func sample(_ stream: AsyncThrowingStream<TrainingBatch, Error>, maskFeatures: Bool, cap: Int = heldOutRows,
                              seed: UInt64) async throws -> InMemoryData
    {
        var reservoir = Reservoir(cap: cap, seed: seed)
        for try await b in stream {
            let input = Trainer.inputs(b, maskFeatures: maskFeatures)
            for r in 0..<b.count {
                reservoir.offer(input.x[(r * input.width)..<((r + 1) * input.width)], y: b.labels[r], w: b.weights[r], width: input.width)
            }
        }
        return reservoir.data
    }
}

/// Reservoir sampling of rows: the first `cap` rows are kept; row `k` after them replaces a random kept row
/// with probability `cap / (k + 1)`.
struct Reservoir {
    let cap: Int
    var rng: SeededGenerator
    var seen = 0
    var data = InMemoryData(x: [], y: [], w: [], rows: 0, width: 0)

    init(cap: Int, seed: UInt64) {
        self.cap = max(1, cap)
        rng = SeededGenerator(seed: seed ^ 0x5245_5345_5256_4f49)
    }

    mutating func offer(_ x: ArraySlice<Float>, y: Float, w: Float, width: Int) {
        defer { seen += 1 }
        data.width = width
        if data.rows < cap {
            data.x += x
            data.y.append(y)
            data.w.append(w)
            data.rows += 1
            return
        }
        let j = Int(rng.next() % UInt64(seen + 1))
        guard j < cap else { return }
        data.x.replaceSubrange((j * width)..<((j + 1) * width), with: x)
        data.y[j] = y
        data.w[j] = w
    }
}

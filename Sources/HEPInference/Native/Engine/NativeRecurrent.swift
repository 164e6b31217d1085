/// A recurrent layer (LSTM or GRU) with ONNX's conventions, which every importer maps onto:
/// - inputs `[X, W, R, B, steps?, initialH?, initialC?]`; an empty tensor (no elements) stands for an absent one;
/// - `X` is `[T, batch, I]`, or `[batch, T, I]` when `batchMajor` (ONNX layout 1, Keras);
/// - `W` `[directions, gates·H, I]`, `R` `[directions, gates·H, H]`, `B` `[directions, 2·gates·H]` (input biases,
///   then recurrent ones); LSTM gates in the order i, o, f, c; GRU gates z, r, h;
/// - `steps`: an int tensor `[batch]` of sequence lengths (ONNX `sequence_lens`), or a float/bool `[batch, T]`
///   mask (Keras masking: steps where it is 0 leave the state unchanged);
/// - outputs `[Y, Y_h, Y_c]`: `Y` `[T, directions, batch, H]` (`[batch, T, directions, H]` when batch-major),
///   `Y_h`/`Y_c` `[directions, batch, H]` (`[batch, directions, H]` when batch-major).
public struct NativeRecurrent: Sendable, Equatable {
    public enum Cell: Sendable, Equatable {
        case lstm
        /// `linearBeforeReset`: the reset gate multiplies R·h + b (ONNX linear_before_reset=1, Keras reset_after).
        case gru(linearBeforeReset: Bool)

        var gates: Int {
            switch self {
            case .lstm: return 4
            case .gru: return 3
            }
        }
    }

    public enum Direction: String, Sendable, Equatable {
        case forward, reverse, bidirectional
    }

    public var cell: Cell
    public var hiddenSize: Int
    public var direction: Direction
    public var batchMajor: Bool
    /// The gate activation f, the candidate activation g and (LSTM) the output activation h.
    public var gateActivation: NativeActivation
    public var candidateActivation: NativeActivation
    public var outputActivation: NativeActivation
    /// What `Y` holds at a step the mask or length skips: zeros (ONNX; Keras `zero_output_for_mask`), else the
    /// previous output (Keras's default).
    public var zeroSkippedOutputs: Bool

    public init(cell: Cell, hiddenSize: Int, direction: Direction = .forward, batchMajor: Bool,
                gateActivation: NativeActivation = .sigmoid, candidateActivation: NativeActivation = .tanh,
                outputActivation: NativeActivation = .tanh, zeroSkippedOutputs: Bool = true) {
        self.cell = cell
        self.hiddenSize = hiddenSize
        self.direction = direction
        self.batchMajor = batchMajor
        self.gateActivation = gateActivation
        self.candidateActivation = candidateActivation
        self.outputActivation = outputActivation
        self.zeroSkippedOutputs = zeroSkippedOutputs
    }

    var directions: Int { direction == .bidirectional ? 2 : 1 }
}

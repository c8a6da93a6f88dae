/// Everything one layer's forward or backward pass reads and writes, for a
/// batch stored NCHW. Pointers are into the network's buffers.
struct LayerPass {
    let batch: Int
    let input: Shape
    let output: Shape
    /// Input activations, batch × input.count.
    let x: UnsafeMutablePointer<Float>
    /// Output activations, batch × output.count.
    let y: UnsafeMutablePointer<Float>
    /// Gradient of the loss with respect to x, to be written; nil when nothing needs it.
    let dx: UnsafeMutablePointer<Float>?
    /// Gradient of the loss with respect to y.
    let dy: UnsafeMutablePointer<Float>
    /// This layer's slice of the network's parameters and of their gradients (accumulated with +=).
    let parameters: UnsafeMutablePointer<Float>
    var gradients: UnsafeMutablePointer<Float>
    /// Non-trainable state kept in the model (batch-norm running statistics).
    let state: UnsafeMutablePointer<Float>
    /// What forward leaves for backward (max-pool winners, batch statistics).
    let saved: UnsafeMutablePointer<Float>
    /// Scratch space: thread t owns scratch + t × scratchPerThread.
    let scratch: UnsafeMutablePointer<Float>
    let scratchPerThread: Int
    let threads: Int
    let training: Bool
    /// For a skip join (concatenation, addition): the remembered activation it joins, and where its gradient goes.
    var skip: UnsafeMutablePointer<Float>? = nil
    var skipGradient: UnsafeMutablePointer<Float>? = nil
    /// For a stride-1 convolution of a network frozen for inference: its weights already
    /// laid out as its passes multiply by them (`Convolution.frozenWeights`), nil otherwise.
    var frozenWeights: UnsafePointer<Float>? = nil
}

/// One stage of a network: a shape rule, parameters, and a forward/backward pair.
protocol Layer: Sendable {
    /// How the summary names it, e.g. "conv 3×3".
    var kind: String { get }
    func outputShape(for input: Shape) throws -> Shape
    func parameterCount(inputChannels: Int) -> Int
    func stateCount(inputChannels: Int) -> Int
    func savedCount(input: Shape, output: Shape, batch: Int) -> Int
    func scratchPerThread(input: Shape, output: Shape) -> Int
    /// Fills freshly allocated parameters (and state) with their initial values.
    func initialise(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                    inputChannels: Int, random: inout SeededRandom)
    func forward(_ pass: LayerPass)
    func backward(_ pass: LayerPass)
}

extension Layer {
    func parameterCount(inputChannels: Int) -> Int { 0 }
    func stateCount(inputChannels: Int) -> Int { 0 }
    func savedCount(input: Shape, output: Shape, batch: Int) -> Int { 0 }
    func scratchPerThread(input: Shape, output: Shape) -> Int { 0 }
    func initialise(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                    inputChannels: Int, random: inout SeededRandom) {}
}

/// The far end of a skip connection: a layer that joins the activation
/// remembered at its `skip` (value `source`; 0 is the network's input) to the
/// current one, and sends that activation's share of the gradient back
/// through `LayerPass.skipGradient`.
protocol SkipJoin: Layer {
    var source: Int { get }
    func outputShape(for input: Shape, joining skip: Shape) throws -> Shape
}

extension SkipJoin {
    func outputShape(for input: Shape) throws -> Shape {
        preconditionFailure("a skip join's shape needs its skip's shape: use outputShape(for:joining:)")
    }
}

/// Why a network cannot be built or run.
public enum NetworkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An input too small, or of the wrong channel count, for the architecture.
    case shapeMismatch(String)
    /// An activation would hold more than `Network.maxActivationValues` values per sample.
    case tooLarge(String)
    /// A pass over `input` would allocate `bytes`, over `Network.maxWorkspaceBytes`.
    case workspaceTooLarge(bytes: Int, limit: Int, input: Shape)

    public var description: String {
        switch self {
        case .shapeMismatch(let reason): "shape mismatch: \(reason)"
        case .tooLarge(let reason): "too large: \(reason)"
        case .workspaceTooLarge(let bytes, let limit, let input):
            "the network would need \(Self.mebibytes(bytes)) MiB of memory for a \(input.width)×\(input.height) grid, "
                + "over the limit of \(Self.mebibytes(limit)) MiB"
        }
    }

    private static func mebibytes(_ bytes: Int) -> Int { (bytes + (1 << 20) - 1) >> 20 }
}

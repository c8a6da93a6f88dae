import Threading
import CNeuralNet

/// A feed-forward network built from an `Architecture`: a chain of layers over
/// float tensors (NCHW). It knows nothing of images or colour.
///
/// As in llm.c, all parameters live in one allocation and their gradients in
/// another; activations are allocated once per batch size and input size and
/// reused, so a training step allocates nothing.
public final class Network: @unchecked Sendable {
    public let architecture: Architecture
    public let inputChannels: Int
    /// All trainable parameters, layer after layer.
    public let parameters: FloatBuffer
    /// ∂loss/∂parameters after `backward()`, same layout as `parameters`.
    public let gradients: FloatBuffer
    /// Non-trainable state (batch-norm running statistics).
    public let state: FloatBuffer
    /// Threads each pass splits its batch across (default: all cores).
    public var threads: Int = Threads.available
    /// Whether `backward()` also computes ∂loss/∂input (see `inputGradient`).
    public var computesInputGradient = false
    /// The most bytes a pass's activations, gradients and scratch may take;
    /// a pass needing more throws `NetworkError.tooLarge` before allocating
    /// anything. nil: no bound beyond `maxActivationValues`.
    public var maxWorkspaceBytes: Int?

    let layers: [any Layer]
    /// For each layer: which spec operation it came from.
    let operationOfLayer: [Int]
    let layerInputChannels: [Int]
    let parameterOffsets: [Int]
    let stateOffsets: [Int]
    private var workspace: Workspace?
    /// The workspace used before `workspace` (see `prepare`).
    private var previousWorkspace: Workspace?
    /// `predict`'s workspaces for a sample and its mirror image on a thread each (see `forwardInHalves`).
    private var halfWorkspaces: [Workspace] = []
    private var lastTraining = false
    /// After `freezeForInference()`: each stride-1 convolution's weights as its passes take them
    /// (`Convolution.frozenWeights`), by layer index.
    private var frozenWeights: [Int: FloatBuffer] = [:]
    /// Whether `freezeForInference()` was called: the parameters no longer change.
    public private(set) var isFrozen = false
    /// Whether a pass on two threads or more splits its batch between them once, each thread
    /// running the layers over its own samples, instead of every layer splitting the batch
    /// itself: the threads then meet once a pass and at each batch norm (whose statistics span
    /// the batch) instead of at every layer. On a small network (the 9-layer CAE's layers take
    /// microseconds) the meetings cost more than the layers' work, and a thread's samples stay
    /// in its own core's cache from layer to layer. Without batch norm both ways give the same
    /// floats; with it, the batch's sums are its threads' shares added. Off: every layer splits
    /// the batch (for tests that compare the two ways).
    var splitsBatchOnceWhenPossible = true
    /// `backward()`'s parameter gradients of the second and later threads' samples, added to
    /// `gradients` (which takes the first thread's) in thread order when the batch is split once.
    private var sliceGradients: [FloatBuffer] = []

    public var parameterCount: Int { parameters.count }
    public var outputChannels: Int { architecture.outputChannels }

    /// Builds the network and initialises its parameters from `seed` (He or
    /// Glorot by activation; biases 0): the same seed gives the same weights.
    public convenience init(architecture: Architecture, inputChannels: Int, seed: UInt64 = 0) {
        self.init(architecture: architecture, inputChannels: inputChannels, initialParameters: .drawn(seed: seed))
    }

    /// Where a new network's parameters come from.
    public enum InitialParameters: Sendable {
        /// He or Glorot by activation from this seed; biases 0; batch norm's γ 1, β 0, running statistics 0 and 1.
        case drawn(seed: UInt64)
        /// All zero, parameters and state: for a caller about to fill them (a model file being read).
        case zero
    }

    /// Builds the network with parameters from `initialParameters`.
    public init(architecture: Architecture, inputChannels: Int, initialParameters: InitialParameters) {
        precondition(inputChannels > 0, "a network needs at least one input channel")
        _ = BLAS.singleThreaded
        self.architecture = architecture
        self.inputChannels = inputChannels
        let (layers, origin) = Self.layers(for: architecture)
        self.layers = layers
        operationOfLayer = origin
        let flow = Self.channelFlow(layers, inputChannels: inputChannels)
        layerInputChannels = flow.channels
        parameterOffsets = flow.parameterOffsets
        stateOffsets = flow.stateOffsets
        parameters = FloatBuffer(count: flow.parameters)
        gradients = FloatBuffer(count: flow.parameters)
        state = FloatBuffer(count: flow.state)
        if case .drawn(let seed) = initialParameters { initialiseParameters(seed: seed) }
    }

    /// Parameter and state counts of an architecture, without building it.
    public static func counts(architecture: Architecture, inputChannels: Int) -> (parameters: Int, state: Int) {
        let flow = channelFlow(layers(for: architecture).layers, inputChannels: inputChannels)
        return (flow.parameters, flow.state)
    }

    static func layers(for architecture: Architecture) -> (layers: [any Layer], operationOfLayer: [Int]) {
        var layers: [any Layer] = [], origin: [Int] = [], openSkips: [Int] = []
        for (index, operation) in architecture.operations.enumerated() {
            let expanded: [any Layer]
            switch operation {
            case let .convolution(channels, kernel, stride, padding, batchNorm, activation):
                expanded = [Convolution(outChannels: channels, kernel: kernel, stride: stride, padding: padding,
                                        heInitialisation: activation.prefersHeInitialisation)]
                    + (batchNorm ? [BatchNorm()] : []) + (activation == .linear ? [] : [ActivationLayer(activation: activation)])
            case let .transposedConvolution(channels, kernel, stride, padding, batchNorm, activation):
                expanded = [TransposedConvolution(outChannels: channels, kernel: kernel, stride: stride, padding: padding,
                                                  heInitialisation: activation.prefersHeInitialisation)]
                    + (batchNorm ? [BatchNorm()] : []) + (activation == .linear ? [] : [ActivationLayer(activation: activation)])
            case .maxPool: expanded = [MaxPool()]
            case .upsample(let mode): expanded = [Upsample(mode: mode)]
            case .activation(let activation): expanded = activation == .linear ? [] : [ActivationLayer(activation: activation)]
            case .skip:
                openSkips.append(layers.count)  // the activation the next layer reads
                expanded = []
            case .concat:
                expanded = [Concatenate(source: openSkips.removeLast())]
            case .add:
                expanded = [Add(source: openSkips.removeLast())]
            }
            layers += expanded
            origin += Array(repeating: index, count: expanded.count)
        }
        return (layers, origin)
    }

    /// Each layer's input channels and offsets into the parameter and state buffers.
    /// Channels flow independently of spatial size; a large probe keeps every layer valid.
    static func channelFlow(_ layers: [any Layer], inputChannels: Int)
        -> (channels: [Int], parameterOffsets: [Int], stateOffsets: [Int], parameters: Int, state: Int) {
        var parameterOffsets: [Int] = [], stateOffsets: [Int] = []
        var shapes = [Shape(channels: inputChannels, height: 4096, width: 4096)]
        var parameterTotal = 0, stateTotal = 0
        for layer in layers {
            let shape = shapes.last!
            parameterOffsets.append(parameterTotal)
            stateOffsets.append(stateTotal)
            parameterTotal += layer.parameterCount(inputChannels: shape.channels)
            stateTotal += layer.stateCount(inputChannels: shape.channels)
            // Only channels matter here; a fixed plane keeps upsampling from growing it without bound.
            let channels = ((try? outputShape(of: layer, after: shapes)) ?? shape).channels
            shapes.append(Shape(channels: channels, height: 4096, width: 4096))
        }
        return (shapes.dropLast().map(\.channels), parameterOffsets, stateOffsets, parameterTotal, stateTotal)
    }

    /// Draws fresh initial parameters and resets state.
    public func initialiseParameters(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        for (i, layer) in layers.enumerated() {
            layer.initialise(parameters: parameters.pointer + parameterOffsets[i], state: state.pointer + stateOffsets[i],
                             inputChannels: layerInputChannels[i], random: &random)
        }
    }

    /// The most values one sample's activation may hold anywhere in the network
    /// (2³¹, 8 GiB of floats). Checked layer by layer, so that a spec of many
    /// size-doubling layers is refused before any size overflows.
    public static let maxActivationValues = 1 << 31

    /// The shape after each layer for one input sample of `input` (first: the input itself).
    public func shapes(for input: Shape) throws -> [Shape] {
        guard input.channels == inputChannels else {
            throw NetworkError.shapeMismatch("the network takes \(inputChannels) input channels, not \(input.channels)")
        }
        var shapes = [input]
        try Self.checkSize(input, after: "the input")
        for (index, layer) in layers.enumerated() {
            shapes.append(try Self.outputShape(of: layer, after: shapes))
            try Self.checkSize(shapes.last!, after: "layer \(index + 1)")
        }
        return shapes
    }

    private static func checkSize(_ shape: Shape, after place: String) throws {
        // An empty activation would let later upsampling double the other side without bound.
        guard shape.height >= 1, shape.width >= 1, shape.channels >= 1 else {
            throw NetworkError.shapeMismatch("\(place) would leave \(shape.channels)×\(shape.height)×\(shape.width): the input is too small for the architecture")
        }
        let plane = shape.height.multipliedReportingOverflow(by: shape.width)
        let values = plane.partialValue.multipliedReportingOverflow(by: shape.channels)
        guard !plane.overflow, !values.overflow, values.partialValue <= maxActivationValues else {
            throw NetworkError.tooLarge("\(place) would hold \(shape.channels)×\(shape.height)×\(shape.width) values per sample, over 2³¹")
        }
    }

    public func outputShape(for input: Shape) throws -> Shape { try shapes(for: input).last! }

    /// What `layer` makes of the last of `shapes` (a skip join also joins the one its skip remembered).
    static func outputShape(of layer: any Layer, after shapes: [Shape]) throws -> Shape {
        if let join = layer as? any SkipJoin { return try join.outputShape(for: shapes.last!, joining: shapes[join.source]) }
        return try layer.outputShape(for: shapes.last!)
    }

    // MARK: Passes

    /// Runs the batch through the network and returns the output (valid until the next pass).
    /// - Parameters:
    ///   - input: `batch × shape.count` floats, NCHW.
    ///   - batch: the number of samples.
    ///   - shape: one sample's shape.
    ///   - training: batch norm uses (and updates) batch statistics when true.
    @discardableResult
    public func forward(_ input: UnsafePointer<Float>, batch: Int, shape: Shape, training: Bool) throws -> UnsafeMutableBufferPointer<Float> {
        try forward(input, batch: batch, shape: shape, training: training, backwardFollows: true)
    }

    /// `forward`, in a workspace without gradients unless `backwardFollows` (`predict`'s: half the memory).
    private func forward(_ input: UnsafePointer<Float>, batch: Int, shape: Shape, training: Bool,
                         backwardFollows: Bool) throws -> UnsafeMutableBufferPointer<Float> {
        let work = try prepare(batch: batch, shape: shape, withGradients: backwardFollows)
        work.values[0].pointer.update(from: input, count: batch * shape.count)
        lastTraining = training
        if splitsBatchOnce(work) {
            forwardSplitOnce(work, training: training)
        } else {
            for i in layers.indices { layers[i].forward(pass(i, work, training: training)) }
        }
        return work.values.last!.buffer
    }

    /// Whether a pass in `work` splits its batch between the threads once (`splitsBatchOnceWhenPossible`).
    /// Every layer but batch norm then computes a thread's samples in the order, and with the same
    /// sums, as when it splits the same batch itself.
    private func splitsBatchOnce(_ work: Workspace) -> Bool {
        // A workspace's sharing is fixed when it is made; `splitsBatchOnceWhenPossible` may be set after.
        !work.sharesValueBuffers && splitsBatchOnce(threads: work.threads, batch: work.batch)
    }

    private func splitsBatchOnce(threads: Int, batch: Int) -> Bool {
        splitsBatchOnceWhenPossible && threads > 1 && batch > 1
    }

    /// Whether a workspace's values share buffers (`ValueBuffers`): an inference pass whose layers
    /// each run over the whole batch, so that no thread is still reading a value whose buffer
    /// another has begun to overwrite.
    private func sharesValueBuffers(withGradients: Bool, threads: Int, batch: Int) -> Bool {
        !withGradients && !splitsBatchOnce(threads: threads, batch: batch)
    }

    /// The forward pass with the batch split once: the threads run stretches of layers over
    /// their own samples, each stretch ending at a batch norm, whose statistics are each
    /// thread's sums added in thread order (`BatchNorm.finish`) where the threads meet; the
    /// next stretch opens with each thread normalising its own samples.
    private func forwardSplitOnce(_ work: Workspace, training: Bool) {
        let slices = Threads.slices(work.batch, threads: work.threads)
        let partials = UnsafeMutableBufferPointer<[Double]>.allocate(capacity: slices)
        partials.initialize(repeating: [])
        defer { partials.deinitialize(); partials.deallocate() }
        var first = 0, opening: Int? = nil
        while true {
            let closing = layers[first...].firstIndex { $0 is BatchNorm }
            Threads.split(work.batch, threads: work.threads) { thread, samples in
                if let opening {
                    (layers[opening] as! BatchNorm).normalise(pass(opening, work, training: training, samples: samples, thread: thread))
                }
                for i in first..<(closing ?? layers.count) {
                    layers[i].forward(pass(i, work, training: training, samples: samples, thread: thread))
                }
                if let closing {
                    partials[thread] = (layers[closing] as! BatchNorm).partialSums(pass(closing, work, training: training, samples: samples, thread: thread))
                }
            }
            guard let closing else { return }
            (layers[closing] as! BatchNorm).finish(pass(closing, work, training: training), partials: Array(partials))
            opening = closing
            first = closing + 1
        }
    }

    /// `forward` for an array.
    @discardableResult
    public func forward(_ input: [Float], batch: Int, shape: Shape, training: Bool) throws -> UnsafeMutableBufferPointer<Float> {
        precondition(input.count == batch * shape.count, "\(input.count) floats for \(batch) × \(shape)")
        return try input.withUnsafeBufferPointer { try forward($0.baseAddress!, batch: batch, shape: shape, training: training) }
    }

    /// Where the loss's gradient with respect to the last output goes before `backward()`.
    public var outputGradient: UnsafeMutableBufferPointer<Float> {
        guard let work = workspace else { preconditionFailure("no forward pass yet") }
        precondition(work.withGradients, "no gradients after predict()")
        return work.gradients.last!.buffer
    }

    /// ∂loss/∂input of the last pass, when `computesInputGradient` was set before it.
    public var inputGradient: UnsafeMutableBufferPointer<Float>? {
        guard computesInputGradient, let work = workspace else { return nil }
        return work.gradients[0].buffer
    }

    /// Promises that the parameters will not change from now on, for a network that
    /// only predicts (a colorizer's): each stride-1 convolution's weights are laid out
    /// by kernel row (and transformed for Winograd's products) once, here, instead of at
    /// every pass (a colorized photo's four passes, on two grids with their mirror
    /// images, rearranged all the weights four times). The same floats come out. `backward()` is refused afterwards; writing
    /// to `parameters` would leave the passes using the weights as they were.
    public func freezeForInference() {
        guard !isFrozen else { return }
        for (i, layer) in layers.enumerated() {
            frozenWeights[i] = (layer as? Convolution)?.frozenWeights(parameters.pointer + parameterOffsets[i],
                                                                      inputChannels: layerInputChannels[i])
        }
        isFrozen = true
    }

    /// Back-propagates `outputGradient` through the last forward pass; sets `gradients`.
    public func backward() {
        precondition(!isFrozen, "backward() on a network frozen for inference")
        guard let work = workspace else { preconditionFailure("backward() before forward()") }
        precondition(work.withGradients, "backward() after predict()")
        gradients.zero()
        guard splitsBatchOnce(work) else {
            for i in layers.indices.reversed() {
                layers[i].backward(pass(i, work, training: lastTraining))
                addSkipGradients(to: i, work, samples: 0..<work.batch)
            }
            return
        }
        // Each layer adds a thread's own gradient sums to a zeroed buffer, then the next thread's:
        // the first thread's go straight to `gradients`, the others' to a buffer each, added after
        // in thread order, so the floats are those of the layers splitting the batch themselves
        // (batch norm's, added once where the threads meet, go straight to `gradients`).
        let slices = Threads.slices(work.batch, threads: work.threads)
        while sliceGradients.count < slices - 1 { sliceGradients.append(FloatBuffer(count: parameterCount)) }
        for buffer in sliceGradients.prefix(slices - 1) { buffer.zero() }
        let partials = UnsafeMutableBufferPointer<[Float]>.allocate(capacity: slices)
        partials.initialize(repeating: [])
        defer { partials.deinitialize(); partials.deallocate() }
        // As forward: stretches of layers going back, each ending at a batch norm, whose
        // gradient sums are the threads' added where they meet; the next stretch opens with
        // each thread's share of that batch norm's input gradient.
        var last = layers.count - 1, opening: (layer: Int, sums: [Float])? = nil
        while true {
            let closing = last < 0 ? nil : layers[...last].lastIndex { $0 is BatchNorm }
            Threads.split(work.batch, threads: work.threads) { thread, samples in
                let target = thread == 0 ? gradients.pointer : sliceGradients[thread - 1].pointer
                func slicePass(_ i: Int) -> LayerPass {
                    var layerPass = pass(i, work, training: lastTraining, samples: samples, thread: thread)
                    layerPass.gradients = target + parameterOffsets[i]
                    return layerPass
                }
                if let opening {
                    (layers[opening.layer] as! BatchNorm).inputGradient(slicePass(opening.layer), sums: opening.sums, batch: work.batch)
                    addSkipGradients(to: opening.layer, work, samples: samples)
                }
                for i in stride(from: last, to: closing ?? -1, by: -1) {
                    layers[i].backward(slicePass(i))
                    addSkipGradients(to: i, work, samples: samples)
                }
                if let closing { partials[thread] = (layers[closing] as! BatchNorm).partialGradientSums(slicePass(closing)) }
            }
            guard let closing else { break }
            let sums = (layers[closing] as! BatchNorm).finishGradients(pass(closing, work, training: lastTraining),
                                                                        partials: Array(partials))
            opening = (closing, sums)
            last = closing - 1
        }
        for buffer in sliceGradients.prefix(slices - 1) {
            for j in 0..<parameterCount { gradients.pointer[j] += buffer.pointer[j] }
        }
    }

    /// A remembered activation's gradient is what its next layer sent back plus what the skip
    /// did: adds, for `samples`, the skip joins' gradients for value `i` (layer i's input).
    private func addSkipGradients(to i: Int, _ work: Workspace, samples: Range<Int>) {
        for (join, skipGradient) in work.skipGradients where (layers[join] as! any SkipJoin).source == i
            && (i > 0 || computesInputGradient) {
            let values = work.shapes[i].count, gradient = work.gradients[i].pointer
            for j in samples.lowerBound * values..<samples.upperBound * values { gradient[j] += skipGradient.pointer[j] }
        }
    }

    /// Inference over any number of samples, `chunk` at a time.
    /// - Parameter input: `count × shape.count` floats, NCHW.
    /// - Parameter count: the number of samples.
    /// - Parameter shape: one sample's shape.
    /// - Parameter chunk: samples run at once (bounds the memory).
    /// - Parameter mirrorAveraged: also run the mirror image of every sample (each row reversed)
    ///   and average its output, mirrored back, with the sample's own: twice the work, for a
    ///   prediction that no longer depends on which way the scene faces. Meant for fully
    ///   convolutional networks, whose output positions follow the input's, as mirroring the
    ///   output reverses its rows. On two threads or more the samples and their mirror images
    ///   each run on a thread of their own (so that even one sample keeps two threads busy,
    ///   and the threads meet once, not at every layer); on one, in one batch. The extra
    ///   memory is one chunk's copy of the input and its mirror image.
    public func predict(_ input: [Float], count: Int, shape: Shape, chunk: Int = 256, mirrorAveraged: Bool = false) throws -> [Float] {
        precondition(input.count == count * shape.count, "\(input.count) floats for \(count) × \(shape)")
        let outputShape = try outputShape(for: shape), out = outputShape.count
        let copies = mirrorAveraged ? 2 : 1
        // The samples and their mirror images on a thread each, in a workspace each: one pass a
        // thread, where splitting every layer's batch between the threads met at each layer.
        let inHalves = mirrorAveraged && threads > 1
        if let limit = maxWorkspaceBytes {
            // The result and the joined input count against the bound too, and are checked before either exists.
            let batch = min(chunk, count)
            let extra = (count * out + (mirrorAveraged ? 2 * batch * shape.count : 0)).multipliedReportingOverflow(by: MemoryLayout<Float>.size)
            let workspaces = inHalves ? try halfWorkspacesBytes(batch: batch, shape: shape)
                : try workspaceBytes(batch: copies * batch, shape: shape, withGradients: false)
            let (needed, overflow) = workspaces.addingReportingOverflow(extra.overflow ? Int.max : extra.partialValue)
            if overflow || extra.overflow || needed > limit {
                throw NetworkError.workspaceTooLarge(bytes: overflow || extra.overflow ? Int.max : needed, limit: limit, input: shape)
            }
        }
        var result = [Float].uninitialized(count * out)
        // With mirrorAveraged: a chunk's samples, then their mirror images.
        var joined = [Float].uninitialized(mirrorAveraged ? 2 * min(chunk, count) * shape.count : 0)
        try input.withUnsafeBufferPointer { source in
            var start = 0
            while start < count {
                let n = min(chunk, count - start)
                let samples = source.baseAddress! + start * shape.count
                // The outputs for the samples, and for their mirror images (nil without mirrorAveraged).
                let (output, mirrored) = try joined.withUnsafeMutableBufferPointer { joined -> (UnsafePointer<Float>, UnsafePointer<Float>?) in
                    guard mirrorAveraged else {
                        return (UnsafePointer(try forward(samples, batch: n, shape: shape, training: false, backwardFollows: false).baseAddress!), nil)
                    }
                    joined.baseAddress!.update(from: samples, count: n * shape.count)
                    Network.mirror(samples, into: joined.baseAddress! + n * shape.count, count: n * shape.count, width: shape.width)
                    if inHalves { return try forwardInHalves(joined.baseAddress!, batch: n, shape: shape) }
                    let both = try forward(joined.baseAddress!, batch: 2 * n, shape: shape, training: false, backwardFollows: false)
                    return (UnsafePointer(both.baseAddress!), UnsafePointer(both.baseAddress! + n * out))
                }
                result.withUnsafeMutableBufferPointer { result in
                    let target = result.baseAddress! + start * out
                    guard let mirrored else { return target.update(from: output, count: n * out) }
                    let width = outputShape.width
                    chroma_nn_mirror_mean(output, mirrored, n * out / width, width, target)
                }
                start += n
            }
        }
        return result
    }

    /// Inference over `2 × batch` samples at `input` (samples, then their mirror images), each
    /// half on a thread of its own in a workspace of its own, the layers running on one thread:
    /// the same floats as one pass over the whole batch with the layers splitting it (every
    /// layer computes a sample alone), without the threads meeting at every layer. Returns
    /// the two halves' outputs, valid until the next pass.
    private func forwardInHalves(_ input: UnsafePointer<Float>, batch: Int, shape: Shape) throws
        -> (UnsafePointer<Float>, UnsafePointer<Float>) {
        let halves = try prepareHalves(batch: batch, shape: shape)
        lastTraining = false
        Threads.split(2, threads: 2) { half, _ in
            let work = halves[half]
            work.values[0].pointer.update(from: input + half * batch * shape.count, count: batch * shape.count)
            for i in layers.indices { layers[i].forward(pass(i, work, training: false)) }
        }
        return (UnsafePointer(halves[0].values.last!.pointer), UnsafePointer(halves[1].values.last!.pointer))
    }

    /// The bytes of `forwardInHalves`' two workspaces.
    private func halfWorkspacesBytes(batch: Int, shape: Shape) throws -> Int {
        let one = try workspaceBytes(batch: batch, shape: shape, withGradients: false, threads: 1)
        let (both, overflow) = one.multipliedReportingOverflow(by: 2)
        return overflow ? Int.max : both
    }

    /// Two one-thread workspaces without gradients for `batch` samples of `shape`. Those of
    /// the shape before stay beside them for a caller alternating between two shapes (a
    /// colorizer's two grids) when all four are within `maxWorkspaceBytes`.
    private func prepareHalves(batch: Int, shape: Shape) throws -> [Workspace] {
        let fitting = halfWorkspaces.filter { $0.batch == batch && $0.shapes[0] == shape }
        if fitting.count == 2 { return fitting }
        if let limit = maxWorkspaceBytes, case let needed = try halfWorkspacesBytes(batch: batch, shape: shape), needed > limit {
            throw NetworkError.workspaceTooLarge(bytes: needed, limit: limit, input: shape)
        }
        let shapes = try shapes(for: shape)
        let halves = (0..<2).map { _ in Workspace(network: self, batch: batch, shapes: shapes, withGradients: false, threads: 1) }
        let before = halfWorkspaces.suffix(2)
        let all = (before + halves).reduce(0) { $0 + $1.bytes }
        halfWorkspaces = (maxWorkspaceBytes.map { all <= $0 } ?? false ? Array(before) : []) + halves
        return halves
    }

    /// `values` with every run of `width` values reversed: the left-right mirror image of
    /// planes of that width stored row by row.
    static func mirrored(_ values: [Float], width: Int) -> [Float] {
        var result = values
        values.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { mirror(source.baseAddress!, into: $0.baseAddress!, count: values.count, width: width) }
        }
        return result
    }

    static func mirror(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int, width: Int) {
        precondition(width > 0 && count % width == 0, "\(count) values are not rows of \(width)")
        for row in stride(from: 0, to: count, by: width) {
            for x in 0..<width { target[row + x] = source[row + width - 1 - x] }
        }
    }

    // MARK: Buffers

    /// Activation, gradient and scratch buffers for one batch size and input shape.
    final class Workspace {
        let batch: Int
        let shapes: [Shape]
        let values: [FloatBuffer]
        let gradients: [FloatBuffer]
        let saved: [FloatBuffer]
        let scratch: FloatBuffer
        /// For each skip join (by layer index): the gradient it sends back along its skip.
        let skipGradients: [Int: FloatBuffer]
        let scratchPerThread: Int
        let threads: Int
        let withInputGradient: Bool
        /// Whether it holds gradients (and skip gradients) for `backward()`; not for `predict`.
        let withGradients: Bool

        /// Whether values share buffers (`Network.sharesValueBuffers`).
        let sharesValueBuffers: Bool

        init(network: Network, batch: Int, shapes: [Shape], withGradients: Bool, threads: Int? = nil) {
            self.batch = batch
            self.shapes = shapes
            self.threads = threads ?? network.threads
            withInputGradient = network.computesInputGradient
            self.withGradients = withGradients
            sharesValueBuffers = network.sharesValueBuffers(withGradients: withGradients, threads: self.threads, batch: batch)
            if sharesValueBuffers {
                let plan = ValueBuffers(network.layers, counts: shapes.map { batch * $0.count })
                let buffers = plan.sizes.map { FloatBuffer(count: $0) }
                values = plan.bufferOfValue.map { buffers[$0] }
            } else {
                values = shapes.map { FloatBuffer(count: batch * $0.count) }
            }
            gradients = shapes.enumerated().map { i, shape in
                FloatBuffer(count: !withGradients || (i == 0 && !network.computesInputGradient) ? 0 : batch * shape.count)
            }
            saved = network.layers.enumerated().map { i, layer in
                FloatBuffer(count: layer.savedCount(input: shapes[i], output: shapes[i + 1], batch: batch))
            }
            scratchPerThread = network.layers.enumerated().map { i, layer in
                layer.scratchPerThread(input: shapes[i], output: shapes[i + 1])
            }.max() ?? 0
            scratch = FloatBuffer(count: scratchPerThread * self.threads)
            var skipGradients: [Int: FloatBuffer] = [:]
            for (i, layer) in network.layers.enumerated() {
                if let join = layer as? any SkipJoin { skipGradients[i] = FloatBuffer(count: withGradients ? batch * shapes[join.source].count : 0) }
            }
            self.skipGradients = skipGradients
        }

        /// The bytes its buffers hold.
        var bytes: Int {
            var distinct = Set<ObjectIdentifier>()
            let floats = (values + gradients + saved + Array(skipGradients.values))
                .filter { distinct.insert(ObjectIdentifier($0)).inserted }.reduce(scratch.count) { $0 + $1.count }
            return floats * MemoryLayout<Float>.size
        }
    }

    /// Which buffer holds each of an inference pass's values (the input, then each layer's
    /// output): a value is needed only until the last layer that reads it (the next layer, or
    /// a skip join later on), so later values reuse its buffer. A U-Net then holds its skips
    /// and a few buffers instead of one per value: colorizing one 12 MP photo touches 11 MB
    /// less memory, and what a layer writes is more often still in the caches. No value after
    /// the output overwrites it.
    struct ValueBuffers {
        /// For value `v` (`v = 0`: the input; `v = i + 1`: layer i's output): its buffer.
        let bufferOfValue: [Int]
        /// Each buffer's floats: the largest value it holds.
        let sizes: [Int]

        /// - Parameter counts: each value's floats, the whole batch's.
        init(_ layers: [any Layer], counts: [Int]) {
            // Layer i reads value i (and a skip join its source) and writes value i + 1.
            var lastRead = Array(counts.indices)
            lastRead[counts.count - 1] = Int.max
            for (i, layer) in layers.enumerated() {
                if let join = layer as? any SkipJoin { lastRead[join.source] = max(lastRead[join.source], i) }
            }
            var bufferOfValue: [Int] = [], sizes: [Int] = [], holder: [Int] = []  // holder: the value each buffer holds now
            for (v, count) in counts.enumerated() {
                // Free while layer v - 1 writes value v: a buffer whose value no layer from v - 1 on reads.
                let free = holder.indices.filter { lastRead[holder[$0]] < v - 1 }
                // The smallest free buffer large enough, else the largest free one (grown), else a new one.
                let fitting = free.filter { sizes[$0] >= count }.min { sizes[$0] < sizes[$1] }
                if let chosen = fitting ?? free.max(by: { sizes[$0] < sizes[$1] }) {
                    sizes[chosen] = max(sizes[chosen], count)
                    holder[chosen] = v
                    bufferOfValue.append(chosen)
                } else {
                    sizes.append(count)
                    holder.append(v)
                    bufferOfValue.append(sizes.count - 1)
                }
            }
            self.bufferOfValue = bufferOfValue
            self.sizes = sizes
        }
    }

    /// The bytes a pass over `batch` samples of `shape` allocates: every
    /// layer's activation and gradient, what layers save for backward, skip
    /// gradients and per-thread scratch (saturating at `Int.max`); `predict`'s holds no
    /// gradients (`withGradients` false).
    public func workspaceBytes(batch: Int, shape: Shape, withGradients: Bool = true) throws -> Int {
        try workspaceBytes(batch: batch, shape: shape, withGradients: withGradients, threads: threads)
    }

    /// `workspaceBytes` for a workspace whose layers run on `threads` threads.
    func workspaceBytes(batch: Int, shape: Shape, withGradients: Bool, threads: Int) throws -> Int {
        let shapes = try shapes(for: shape)
        var floats = 0
        func add(_ count: Int) { floats = floats.addingReportingOverflow(count).overflow ? Int.max : floats + count }
        func product(_ a: Int, _ b: Int) -> Int { let (p, o) = a.multipliedReportingOverflow(by: b); return o ? Int.max : p }
        let counts = shapes.map { product(batch, $0.count) }
        if sharesValueBuffers(withGradients: withGradients, threads: threads, batch: batch) {
            // As `Workspace` holds them: values sharing buffers (`ValueBuffers`).
            if counts.contains(Int.max) { add(Int.max) } else { ValueBuffers(layers, counts: counts).sizes.forEach(add) }
        } else {
            for (i, count) in counts.enumerated() {
                add(count)
                if withGradients && (i > 0 || computesInputGradient) { add(count) }
            }
        }
        var scratch = 0
        for (i, layer) in layers.enumerated() {
            add(layer.savedCount(input: shapes[i], output: shapes[i + 1], batch: batch))
            scratch = max(scratch, layer.scratchPerThread(input: shapes[i], output: shapes[i + 1]))
            if withGradients, let join = layer as? any SkipJoin { add(product(batch, shapes[join.source].count)) }
        }
        add(product(scratch, threads))
        return product(floats, MemoryLayout<Float>.size)
    }

    private func prepare(batch: Int, shape: Shape, withGradients: Bool) throws -> Workspace {
        precondition(batch > 0, "empty batch")
        // A workspace with gradients also serves a pass without.
        func fits(_ work: Workspace?) -> Bool {
            guard let work else { return false }
            return work.batch == batch && work.shapes[0] == shape && work.threads == threads && work.withInputGradient == computesInputGradient
                && (work.withGradients || !withGradients)
        }
        if fits(workspace) { return workspace! }
        if fits(previousWorkspace) {
            swap(&workspace, &previousWorkspace)
            return workspace!
        }
        if let limit = maxWorkspaceBytes {
            let needed = try workspaceBytes(batch: batch, shape: shape, withGradients: withGradients)
            if needed > limit {
                throw NetworkError.workspaceTooLarge(bytes: needed, limit: limit, input: shape)
            }
        }
        let work = Workspace(network: self, batch: batch, shapes: try shapes(for: shape), withGradients: withGradients)
        // Under a bound (inference), the one before stays for a caller alternating between two
        // shapes (a colorizer's two grids) when the two together are within it.
        let both = (workspace?.bytes ?? 0) + work.bytes
        previousWorkspace = maxWorkspaceBytes.map { both <= $0 } ?? false ? workspace : nil
        workspace = work
        return work
    }

    /// Layer `i`'s pass over the whole batch, which the layer splits between `work.threads`; or,
    /// for a batch split once (`splitsBatchOnce`), over `samples` alone on one thread, in
    /// `thread`'s scratch. What a layer saves for backward is either per sample (`savedCount`
    /// grows with the batch: the samples' share) or the batch's (batch norm's statistics: shared).
    private func pass(_ i: Int, _ work: Workspace, training: Bool, samples: Range<Int>? = nil, thread: Int? = nil) -> LayerPass {
        let first = samples?.lowerBound ?? 0, input = work.shapes[i], output = work.shapes[i + 1]
        var pass = LayerPass(batch: samples?.count ?? work.batch, input: input, output: output,
                  x: work.values[i].pointer + first * input.count, y: work.values[i + 1].pointer + first * output.count,
                  dx: i == 0 && !computesInputGradient ? nil : work.gradients[i].pointer + first * input.count,
                  dy: work.gradients[i + 1].pointer + first * output.count,
                  parameters: parameters.pointer + parameterOffsets[i], gradients: gradients.pointer + parameterOffsets[i],
                  state: state.pointer + stateOffsets[i],
                  saved: work.saved[i].pointer + layers[i].savedCount(input: input, output: output, batch: first)
                      - layers[i].savedCount(input: input, output: output, batch: 0),
                  scratch: work.scratch.pointer + (thread ?? 0) * work.scratchPerThread, scratchPerThread: work.scratchPerThread,
                  threads: thread == nil ? work.threads : 1, training: training)
        pass.frozenWeights = frozenWeights[i].map { UnsafePointer($0.pointer) }
        if let join = layers[i] as? any SkipJoin {
            let skipped = work.shapes[join.source].count
            pass.skip = work.values[join.source].pointer + first * skipped
            pass.skipGradient = work.skipGradients[i]!.pointer + first * skipped
        }
        return pass
    }
}

import CNeuralNet
import Threading

/// How a convolution treats the border.
public enum Padding: String, Sendable, Equatable {
    /// Zero padding so that output = ⌈input / stride⌉ (kernel − 1 split evenly, extra at the end).
    case same
    /// No padding: output = ⌊(input − kernel) / stride⌋ + 1.
    case valid
}

/// 2-D convolution: weights [outChannels, inChannels × k × k] then bias [outChannels],
/// computed per sample as im2col + one sgemm.
struct Convolution: Layer {
    let outChannels: Int
    let kernel: Int
    let stride: Int
    let padding: Padding
    /// Initialisation suits the activation that follows: He for ReLU-like, Glorot otherwise.
    let heInitialisation: Bool

    var kind: String { "conv \(kernel)×\(kernel)" + (stride == 1 ? "" : " /\(stride)") + (padding == .valid ? " valid" : "") }

    func outputShape(for input: Shape) throws -> Shape {
        let size = { (n: Int) -> Int in
            self.padding == .same ? (n + self.stride - 1) / self.stride : (n - self.kernel) / self.stride + 1
        }
        guard input.height >= (padding == .valid ? kernel : 1), input.width >= (padding == .valid ? kernel : 1) else {
            throw NetworkError.shapeMismatch("\(input) is smaller than a \(kernel)×\(kernel) valid convolution")
        }
        return Shape(channels: outChannels, height: size(input.height), width: size(input.width))
    }

    func geometry(input: Shape, output: Shape) -> PatchGeometry {
        // "same": the total padding the window needs, the odd pixel at the end (as TensorFlow).
        let pad = padding == .valid ? 0 : max(0, ((output.height - 1) * stride + kernel - input.height)) / 2
        return PatchGeometry(channels: input.channels, bigHeight: input.height, bigWidth: input.width,
                             smallHeight: output.height, smallWidth: output.width,
                             kernel: kernel, stride: stride, pad: pad)
    }

    func parameterCount(inputChannels: Int) -> Int { outChannels * inputChannels * kernel * kernel + outChannels }

    /// Samples whose patch matrices go through one sgemm together: as many as
    /// fit in about 4 MB, so the matrices are wide but stay near the cache.
    func group(_ g: PatchGeometry) -> Int { max(1, min(32, (1 << 20) / (g.rows * g.positions))) }

    /// Whether it takes the faster path: stride 1, "same" and an odd kernel (see `ShiftedConvolution`).
    var isShifted: Bool { stride == 1 && padding == .same && kernel % 2 == 1 }

    func shifted(_ g: PatchGeometry) -> ShiftedConvolution? {
        isShifted ? ShiftedConvolution(g, outChannels: outChannels) : nil
    }

    /// Whether the layer's 3 × 3 kernel can take Winograd's path at all; `winograd(_:)`
    /// decides for a given input.
    var isWinogradKernel: Bool { isShifted && kernel == 3 }

    func winograd(_ g: PatchGeometry) -> WinogradConvolution? {
        guard isWinogradKernel, WinogradConvolution.applies(inChannels: g.channels, outChannels: outChannels,
                                                            height: g.bigHeight, width: g.bigWidth) else { return nil }
        return WinogradConvolution(g, outChannels: outChannels)
    }

    /// For a network frozen for inference: the weights at `weights` laid out by kernel row,
    /// as the shifted path multiplies by them, followed for a 3 × 3 kernel by Winograd's
    /// transformed weights (`LayerPass.frozenWeights`); nil for a convolution that takes
    /// neither path. Which path a pass takes depends on its input's size, so both are kept.
    func frozenWeights(_ weights: UnsafePointer<Float>, inputChannels: Int) -> FloatBuffer? {
        guard isShifted else { return nil }
        let byRow = outChannels * inputChannels * kernel * kernel
        let uStride = WinogradConvolution.planeStride(outChannels * inputChannels)
        let frozen = FloatBuffer(count: byRow + (isWinogradKernel ? 16 * uStride : 0))
        chroma_nn_weights_by_row(weights, outChannels, inputChannels, kernel, frozen.pointer)
        if isWinogradKernel { chroma_nn_winograd_weights(weights, outChannels, inputChannels, uStride, frozen.pointer + byRow) }
        return frozen
    }

    // Per thread: patches [K, n·P], outputs or their gradients [Cout, n·P],
    // patch gradients [K, n·P] for n = group samples, and a gradient accumulator.
    func scratchPerThread(input: Shape, output: Shape) -> Int {
        let g = geometry(input: input, output: output)
        if let fast = winograd(g) { return fast.scratchPerThread }
        if let fast = shifted(g) { return fast.scratchPerThread }
        return group(g) * g.positions * (2 * g.rows + outChannels) + parameterCount(inputChannels: input.channels)
    }

    func initialise(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                    inputChannels: Int, random: inout SeededRandom) {
        let fanIn = inputChannels * kernel * kernel, fanOut = outChannels * kernel * kernel
        let weights = outChannels * fanIn
        SeededRandom.initialiseWeights(parameters, count: weights, fanIn: fanIn, fanOut: fanOut,
                                       he: heInitialisation, random: &random)
        (parameters + weights).update(repeating: 0, count: outChannels)
    }

    // x: [B, Cin, H, W] → y: [B, Cout, H', W'];  for a group of n samples:
    // Y[Cout, n·P] = W[Cout, K] · [im2col(x_1) … im2col(x_n)][K, n·P], then y_b = Y's block b + bias
    func forward(_ p: LayerPass) {
        let g = geometry(input: p.input, output: p.output)
        let K = g.rows, P = g.positions, weights = p.parameters, bias = p.parameters + outChannels * K
        // The frozen weights: by kernel row, then (3 × 3) Winograd's transformed ones.
        if let fast = winograd(g) { return fast.forward(p, bias: bias, frozen: p.frozenWeights.map { $0 + outChannels * K }) }
        if let fast = shifted(g) { return fast.forward(p, bias: bias, frozen: p.frozenWeights) }
        let size = group(g)
        Threads.split(p.batch, threads: p.threads) { thread, samples in
            let col = p.scratch + thread * p.scratchPerThread, outputs = col + size * K * P
            for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: size) {
                let n = min(size, samples.upperBound - first), pitch = n * P
                for j in 0..<n { g.im2col(p.x + (first + j) * p.input.count, col + j * P, pitch: pitch) }
                BLAS.gemm(m: outChannels, n: pitch, k: K, a: weights, b: col, c: outputs)
                for j in 0..<n {
                    let y = p.y + (first + j) * p.output.count
                    for o in 0..<outChannels {
                        let source = outputs + o * pitch + j * P, target = y + o * P, value = bias[o]
                        for i in 0..<P { target[i] = source[i] + value }
                    }
                }
            }
        }
    }

    // For a group of n samples: dY[Cout, n·P] gathered from dy;  dW += dY · colᵀ;  db += Σ dY;
    // dcol[K, n·P] = Wᵀ · dY;  dx_b = col2im(dcol's block b)
    func backward(_ p: LayerPass) {
        let g = geometry(input: p.input, output: p.output)
        if let fast = winograd(g) { return fast.backward(p) }
        if let fast = shifted(g) { return fast.backward(p) }
        let K = g.rows, P = g.positions, weights = p.parameters
        let count = parameterCount(inputChannels: p.input.channels)
        let used = Threads.slices(p.batch, threads: p.threads)
        let size = group(g)
        Threads.split(p.batch, threads: p.threads) { thread, samples in
            let col = p.scratch + thread * p.scratchPerThread, dcol = col + size * K * P
            let dY = dcol + size * K * P, grads = dY + size * outChannels * P
            grads.update(repeating: 0, count: count)
            for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: size) {
                let n = min(size, samples.upperBound - first), pitch = n * P
                for j in 0..<n {
                    let dy = p.dy + (first + j) * p.output.count
                    g.im2col(p.x + (first + j) * p.input.count, col + j * P, pitch: pitch)
                    for o in 0..<outChannels {
                        let source = dy + o * P
                        (dY + o * pitch + j * P).update(from: source, count: P)
                        var sum: Float = 0
                        for i in 0..<P { sum += source[i] }
                        grads[outChannels * K + o] += sum
                    }
                }
                BLAS.gemm(transposeB: true, m: outChannels, n: K, k: pitch, a: dY, b: col, beta: 1, c: grads)
                guard let dx = p.dx else { continue }
                BLAS.gemm(transposeA: true, m: K, n: pitch, k: outChannels, a: weights, b: dY, c: dcol)
                for j in 0..<n {
                    let target = dx + (first + j) * p.input.count
                    target.update(repeating: 0, count: p.input.count)
                    g.col2im(dcol + j * P, target, pitch: pitch)
                }
            }
        }
        // Threads' sums are added in a fixed order, so results do not depend on timing.
        for thread in 0..<used {
            let grads = p.scratch + thread * p.scratchPerThread + size * P * (2 * K + outChannels)
            for i in 0..<count { p.gradients[i] += grads[i] }
        }
    }
}

extension Threads {
    /// How many slices `split` makes.
    static func slices(_ count: Int, threads: Int) -> Int { max(1, min(threads, count)) }
}

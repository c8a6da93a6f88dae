#if canImport(Glibc)
import Glibc
#endif

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

    func scratchPerThread(input: Shape, output: Shape) -> Int {
        let g = geometry(input: input, output: output)
        return 2 * g.rows * g.positions + parameterCount(inputChannels: input.channels)
    }

    func initialise(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                    inputChannels: Int, random: inout SeededRandom) {
        let fanIn = inputChannels * kernel * kernel, fanOut = outChannels * kernel * kernel
        let weights = outChannels * fanIn
        if heInitialisation {
            let std = sqrtf(2 / Float(fanIn))
            for i in 0..<weights { parameters[i] = random.normal() * std }
        } else {
            let limit = sqrtf(6 / Float(fanIn + fanOut))
            for i in 0..<weights { parameters[i] = (2 * random.uniform() - 1) * limit }
        }
        (parameters + weights).update(repeating: 0, count: outChannels)
    }

    // x: [B, Cin, H, W] → y: [B, Cout, H', W'];  y_b = W · im2col(x_b) + bias
    func forward(_ p: LayerPass) {
        let g = geometry(input: p.input, output: p.output)
        let K = g.rows, P = g.positions, weights = p.parameters, bias = p.parameters + outChannels * K
        Threads.split(p.batch, threads: p.threads) { thread, samples in
            let col = p.scratch + thread * p.scratchPerThread
            for b in samples {
                let x = p.x + b * p.input.count, y = p.y + b * p.output.count
                g.im2col(x, col)
                BLAS.gemm(m: outChannels, n: P, k: K, a: weights, b: col, c: y)
                for o in 0..<outChannels {
                    let row = y + o * P, value = bias[o]
                    for i in 0..<P { row[i] += value }
                }
            }
        }
    }

    // dW += dy_b · im2col(x_b)ᵀ;  db += Σ dy_b;  dx_b = col2im(Wᵀ · dy_b)
    func backward(_ p: LayerPass) {
        let g = geometry(input: p.input, output: p.output)
        let K = g.rows, P = g.positions, weights = p.parameters
        let count = parameterCount(inputChannels: p.input.channels)
        let used = Threads.slices(p.batch, threads: p.threads)
        Threads.split(p.batch, threads: p.threads) { thread, samples in
            let col = p.scratch + thread * p.scratchPerThread, dcol = col + K * P, grads = dcol + K * P
            grads.update(repeating: 0, count: count)
            for b in samples {
                let x = p.x + b * p.input.count, dy = p.dy + b * p.output.count
                g.im2col(x, col)
                BLAS.gemm(transposeB: true, m: outChannels, n: K, k: P, a: dy, b: col, beta: 1, c: grads)
                for o in 0..<outChannels {
                    var sum: Float = 0
                    for i in 0..<P { sum += dy[o * P + i] }
                    grads[outChannels * K + o] += sum
                }
                if let dx = p.dx {
                    BLAS.gemm(transposeA: true, m: K, n: P, k: outChannels, a: weights, b: dy, c: dcol)
                    let target = dx + b * p.input.count
                    target.update(repeating: 0, count: p.input.count)
                    g.col2im(dcol, target)
                }
            }
        }
        // Threads' sums are added in a fixed order, so results do not depend on timing.
        for thread in 0..<used {
            let grads = p.scratch + thread * p.scratchPerThread + 2 * K * P
            for i in 0..<count { p.gradients[i] += grads[i] }
        }
    }
}

extension Threads {
    /// How many slices `split` makes.
    static func slices(_ count: Int, threads: Int) -> Int { max(1, min(threads, count)) }
}

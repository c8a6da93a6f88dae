import Threading

/// Transposed ("fractionally strided") convolution: each input pixel spreads
/// a k × k kernel onto the output with the given stride; the adjoint of a
/// convolution. Output size = input × stride ("same", pad (k − 1)/2 at the
/// start) or (input − 1) × stride + k ("valid").
/// Weights [inChannels, outChannels × k × k] then bias [outChannels].
struct TransposedConvolution: Layer {
    let outChannels: Int
    let kernel: Int
    let stride: Int
    let padding: Padding
    let heInitialisation: Bool

    var kind: String { "transposed conv \(kernel)×\(kernel) /\(stride)" + (padding == .valid ? " valid" : "") }

    func outputShape(for input: Shape) throws -> Shape {
        let size = { (n: Int) -> Int in
            self.padding == .same ? n * self.stride : (n - 1) * self.stride + self.kernel
        }
        return Shape(channels: outChannels, height: size(input.height), width: size(input.width))
    }

    func geometry(input: Shape, output: Shape) -> PatchGeometry {
        PatchGeometry(channels: outChannels, bigHeight: output.height, bigWidth: output.width,
                      smallHeight: input.height, smallWidth: input.width,
                      kernel: kernel, stride: stride, pad: padding == .same ? (kernel - 1) / 2 : 0)
    }

    func parameterCount(inputChannels: Int) -> Int { inputChannels * outChannels * kernel * kernel + outChannels }

    func scratchPerThread(input: Shape, output: Shape) -> Int {
        let g = geometry(input: input, output: output)
        return g.rows * g.positions + parameterCount(inputChannels: input.channels)
    }

    func initialise(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                    inputChannels: Int, random: inout SeededRandom) {
        // As for a convolution: each output sees inChannels × k × k inputs (at stride 1).
        let fanIn = inputChannels * kernel * kernel, fanOut = outChannels * kernel * kernel
        let weights = inputChannels * outChannels * kernel * kernel
        SeededRandom.initialiseWeights(parameters, count: weights, fanIn: fanIn, fanOut: fanOut,
                                       he: heInitialisation, random: &random)
        (parameters + weights).update(repeating: 0, count: outChannels)
    }

    // x: [B, Cin, H, W] → y: [B, Cout, H', W'];  y_b = col2im(Wᵀ · x_b) + bias
    func forward(_ p: LayerPass) {
        let g = geometry(input: p.input, output: p.output)
        let K = g.rows, P = g.positions, Cin = p.input.channels
        let bias = p.parameters + Cin * K
        Threads.split(p.batch, threads: p.threads) { thread, samples in
            let col = p.scratch + thread * p.scratchPerThread
            for b in samples {
                let x = p.x + b * p.input.count, y = p.y + b * p.output.count
                BLAS.gemm(transposeA: true, m: K, n: P, k: Cin, a: p.parameters, b: x, c: col)
                for o in 0..<outChannels {
                    (y + o * p.output.plane).update(repeating: bias[o], count: p.output.plane)
                }
                g.col2im(col, y)
            }
        }
    }

    // dcol = im2col(dy_b);  dW += x_b · dcolᵀ;  db += Σ dy_b;  dx_b = W · dcol
    func backward(_ p: LayerPass) {
        let g = geometry(input: p.input, output: p.output)
        let K = g.rows, P = g.positions, Cin = p.input.channels
        let count = parameterCount(inputChannels: Cin)
        let used = Threads.slices(p.batch, threads: p.threads)
        Threads.split(p.batch, threads: p.threads) { thread, samples in
            let dcol = p.scratch + thread * p.scratchPerThread, grads = dcol + K * P
            grads.update(repeating: 0, count: count)
            for b in samples {
                let x = p.x + b * p.input.count, dy = p.dy + b * p.output.count
                g.im2col(dy, dcol)
                BLAS.gemm(transposeB: true, m: Cin, n: K, k: P, a: x, b: dcol, beta: 1, c: grads)
                for o in 0..<outChannels {
                    var sum: Float = 0
                    let plane = dy + o * p.output.plane
                    for i in 0..<p.output.plane { sum += plane[i] }
                    grads[Cin * K + o] += sum
                }
                if let dx = p.dx {
                    BLAS.gemm(m: Cin, n: P, k: K, a: p.parameters, b: dcol, c: dx + b * p.input.count)
                }
            }
        }
        for thread in 0..<used {
            let grads = p.scratch + thread * p.scratchPerThread + K * P
            for i in 0..<count { p.gradients[i] += grads[i] }
        }
    }
}

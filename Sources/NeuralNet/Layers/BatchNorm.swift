#if canImport(Glibc)
import Glibc
#endif
import CNeuralNet

/// Batch normalisation per channel over batch, height and width (Ioffe & Szegedy 2015).
/// Parameters: γ [C], β [C]. State: running mean [C], running variance [C].
/// Training normalises with the batch's statistics and updates the running
/// ones (momentum 0.1, unbiased variance, as PyTorch); inference uses the running ones.
struct BatchNorm: Layer {
    static let epsilon: Float = 1e-5
    static let momentum: Float = 0.1

    var kind: String { "batch norm" }

    func outputShape(for input: Shape) throws -> Shape { input }
    func parameterCount(inputChannels: Int) -> Int { 2 * inputChannels }
    func stateCount(inputChannels: Int) -> Int { 2 * inputChannels }
    /// Mean and 1/σ per channel, from forward to backward.
    func savedCount(input: Shape, output: Shape, batch: Int) -> Int { 2 * input.channels }

    func initialise(parameters: UnsafeMutablePointer<Float>, state: UnsafeMutablePointer<Float>,
                    inputChannels: Int, random: inout SeededRandom) {
        parameters.update(repeating: 1, count: inputChannels)
        (parameters + inputChannels).update(repeating: 0, count: inputChannels)
        state.update(repeating: 0, count: inputChannels)
        (state + inputChannels).update(repeating: 1, count: inputChannels)
    }

    // y = γ (x − μ) / σ + β, per channel of [B, C, H, W]
    func forward(_ p: LayerPass) {
        finish(p, partials: [partialSums(p)])
        normalise(p)
    }

    // dγ += Σ dy·x̂;  dβ += Σ dy;  dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy·x̂))  (training statistics)
    func backward(_ p: LayerPass) {
        inputGradient(p, sums: finishGradients(p, partials: [partialGradientSums(p)]), batch: p.batch)
    }

    // MARK: The passes in steps, for a batch split between the threads (`Network`)
    //
    // Each thread runs the layers over its own samples; at a batch norm the threads meet
    // once: each has summed its samples' statistics (`partialSums`), the sums are added
    // in thread order (`finish`), and each thread then normalises its own samples
    // (`normalise`). Going back likewise: `partialGradientSums`, `finishGradients`,
    // `inputGradient`. On one thread the same steps run over the whole batch.

    /// Σ x and Σ x² per channel over `p`'s samples (a thread's share of the batch):
    /// 2C values, the sums then the squares; nothing in inference, which needs none.
    func partialSums(_ p: LayerPass) -> [Double] {
        let C = p.input.channels
        guard p.training else { return [] }
        var sums = [Double](repeating: 0, count: C), squares = sums
        chroma_nn_batch_norm_statistics(p.x, p.batch, C, 0, C, p.input.plane, &sums, &squares)
        return sums + squares
    }

    /// The batch's mean and 1/σ into `p.saved` (and the running statistics updated, in
    /// training) from the threads' `partialSums` added in thread order; `p` is the whole
    /// batch's pass. Once a pass, on one thread.
    func finish(_ p: LayerPass, partials: [[Double]]) {
        let C = p.input.channels, n = Float(p.batch * p.input.plane)
        let runningMean = p.state, runningVariance = p.state + C
        let mean = p.saved, inverseStd = p.saved + C
        for c in 0..<C {
            var mu: Float, variance: Float
            if p.training {
                var sum: Double = 0, squares: Double = 0
                for part in partials { sum += part[c]; squares += part[C + c] }
                mu = Float(sum / Double(n))
                variance = max(0, Float(squares / Double(n)) - mu * mu)
                let unbiased = n > 1 ? variance * n / (n - 1) : variance
                runningMean[c] = (1 - Self.momentum) * runningMean[c] + Self.momentum * mu
                runningVariance[c] = (1 - Self.momentum) * runningVariance[c] + Self.momentum * unbiased
            } else {
                mu = runningMean[c]
                variance = runningVariance[c]
            }
            mean[c] = mu
            inverseStd[c] = 1 / sqrtf(variance + Self.epsilon)
        }
    }

    /// y = γ (x − μ) / σ + β for `p`'s samples, with the mean and 1/σ `finish` saved.
    func normalise(_ p: LayerPass) {
        let C = p.input.channels, plane = p.input.plane
        let gamma = p.parameters, beta = p.parameters + C, mean = p.saved, inverseStd = p.saved + C
        for c in 0..<C {
            let scale = gamma[c] * inverseStd[c], shift = beta[c] - mean[c] * scale
            for b in 0..<p.batch {
                chroma_nn_scale_shift(p.x + (b * C + c) * plane, plane, scale, shift, p.y + (b * C + c) * plane)
            }
        }
    }

    /// Σ dy and Σ dy·x̂ per channel over `p`'s samples: 2C values, the first sums then the second.
    func partialGradientSums(_ p: LayerPass) -> [Float] {
        let C = p.input.channels
        var sumsDy = [Float](repeating: 0, count: C), sumsDyXhat = sumsDy
        chroma_nn_batch_norm_gradient_sums(p.x, p.dy, p.batch, C, 0, C, p.input.plane, p.saved, p.saved + C,
                                           &sumsDy, &sumsDyXhat)
        return sumsDy + sumsDyXhat
    }

    /// The threads' `partialGradientSums` added in thread order: dγ and dβ added to
    /// `p.gradients` once; returns the batch's sums for `inputGradient`.
    func finishGradients(_ p: LayerPass, partials: [[Float]]) -> [Float] {
        let C = p.input.channels
        var total = [Float](repeating: 0, count: 2 * C)
        for part in partials { for i in 0..<(2 * C) { total[i] += part[i] } }
        for c in 0..<C {
            p.gradients[c] += total[C + c]
            p.gradients[C + c] += total[c]
        }
        return total
    }

    /// dx for `p`'s samples from the batch's sums (`finishGradients`); `batch` is the whole batch's size.
    func inputGradient(_ p: LayerPass, sums: [Float], batch: Int) {
        guard let dx = p.dx else { return }
        let C = p.input.channels, plane = p.input.plane, n = Float(batch * plane)
        let gamma = p.parameters, mean = p.saved, inverseStd = p.saved + C
        for c in 0..<C {
            let scale = gamma[c] * inverseStd[c]
            for b in 0..<p.batch {
                let x = p.x + (b * C + c) * plane, dy = p.dy + (b * C + c) * plane
                let target = dx + (b * C + c) * plane
                if p.training {
                    chroma_nn_batch_norm_input_gradient(x, dy, plane, mean[c], inverseStd[c], scale, sums[c], sums[C + c],
                                                        n, target)
                } else {
                    for i in 0..<plane { target[i] = scale * dy[i] }
                }
            }
        }
    }
}

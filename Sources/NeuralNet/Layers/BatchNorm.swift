#if canImport(Glibc)
import Glibc
#endif
import CNeuralNet
import Threading

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
        let C = p.input.channels, plane = p.input.plane, n = Float(p.batch * plane)
        let gamma = p.parameters, beta = p.parameters + C
        let runningMean = p.state, runningVariance = p.state + C
        let mean = p.saved, inverseStd = p.saved + C
        Threads.split(C, threads: p.threads) { _, channels in
            var sums = [Double](repeating: 0, count: C), squareSums = sums
            if p.training {
                chroma_nn_batch_norm_statistics(p.x, p.batch, C, channels.lowerBound, channels.upperBound, plane,
                                                &sums, &squareSums)
            }
            for c in channels {
                var mu: Float, variance: Float
                if p.training {
                    let sum = sums[c], squares = squareSums[c]
                    mu = Float(sum / Double(n))
                    variance = max(0, Float(squares / Double(n)) - mu * mu)
                    let unbiased = n > 1 ? variance * n / (n - 1) : variance
                    runningMean[c] = (1 - Self.momentum) * runningMean[c] + Self.momentum * mu
                    runningVariance[c] = (1 - Self.momentum) * runningVariance[c] + Self.momentum * unbiased
                } else {
                    mu = runningMean[c]
                    variance = runningVariance[c]
                }
                let inv = 1 / sqrtf(variance + Self.epsilon)
                mean[c] = mu
                inverseStd[c] = inv
                let scale = gamma[c] * inv, shift = beta[c] - mu * scale
                for b in 0..<p.batch {
                    let x = p.x + (b * C + c) * plane, y = p.y + (b * C + c) * plane
                    for i in 0..<plane { y[i] = x[i] * scale + shift }
                }
            }
        }
    }

    // dγ += Σ dy·x̂;  dβ += Σ dy;  dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy·x̂))  (training statistics)
    func backward(_ p: LayerPass) {
        let C = p.input.channels, plane = p.input.plane, n = Float(p.batch * plane)
        let gamma = p.parameters
        let mean = p.saved, inverseStd = p.saved + C
        Threads.split(C, threads: p.threads) { _, channels in
            var sumsDy = [Float](repeating: 0, count: C), sumsDyXhat = sumsDy
            chroma_nn_batch_norm_gradient_sums(p.x, p.dy, p.batch, C, channels.lowerBound, channels.upperBound, plane,
                                               mean, inverseStd, &sumsDy, &sumsDyXhat)
            for c in channels {
                let sumDy = sumsDy[c], sumDyXhat = sumsDyXhat[c]
                p.gradients[c] += sumDyXhat
                p.gradients[C + c] += sumDy
                guard let dx = p.dx else { continue }
                let scale = gamma[c] * inverseStd[c]
                for b in 0..<p.batch {
                    let x = p.x + (b * C + c) * plane, dy = p.dy + (b * C + c) * plane
                    let target = dx + (b * C + c) * plane
                    if p.training {
                        chroma_nn_batch_norm_input_gradient(x, dy, plane, mean[c], inverseStd[c], scale, sumDy, sumDyXhat,
                                                            n, target)
                    } else {
                        for i in 0..<plane { target[i] = scale * dy[i] }
                    }
                }
            }
        }
    }
}

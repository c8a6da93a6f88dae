import Threading

/// A stride-1 convolution path that runs each thread's share of the batch in groups of
/// samples, in the thread's own scratch, with the weights laid out once a pass:
/// `ShiftedConvolution` and `WinogradConvolution`. `Convolution` runs either through
/// `forward(_:bias:frozen:)` and `backward(_:)` below.
protocol GroupedConvolution {
    associatedtype Scratch
    /// Samples per group when training.
    var group: Int { get }
    /// Samples per group when predicting.
    var predictingGroup: Int { get }
    /// The weights laid out as the products take them, once per pass for every thread:
    /// written into thread 0's scratch at `scratch`, and where is returned.
    func prepareWeights(_ weights: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float>
    /// A thread's scratch at `base`; `weights`, when given, is where `prepareWeights` (or
    /// freezing) put the weights for all threads, instead of this thread's own region.
    func scratch(_ base: UnsafeMutablePointer<Float>, weights: UnsafeMutablePointer<Float>?) -> Scratch
    /// Zeroes a thread's weight and bias gradient accumulators.
    func clearGradients(_ s: Scratch)
    // x: n × [Cin, H, W] → y: n × [Cout, H, W], with the prepared weights.
    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, samples n: Int,
                 bias: UnsafePointer<Float>, scratch s: Scratch)
    // Accumulates the gradients in the scratch; writes dx when given.
    func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, samples n: Int,
                  scratch s: Scratch)
    /// Adds a thread's accumulated gradients, in the layer's layout, to `gradients`.
    func addGradients(from s: Scratch, to gradients: UnsafeMutablePointer<Float>)
}

extension GroupedConvolution {
    /// The layer's forward pass; `frozen` holds the weights prepared when the network was
    /// frozen for inference (nil: prepared here).
    func forward(_ p: LayerPass, bias: UnsafePointer<Float>, frozen: UnsafePointer<Float>?) {
        let weights = frozen.map { UnsafeMutablePointer(mutating: $0) } ?? prepareWeights(p.parameters, scratch: p.scratch)
        let size = p.training ? group : predictingGroup
        Threads.split(p.batch, threads: p.threads) { thread, samples in
            let s = scratch(p.scratch + thread * p.scratchPerThread, weights: weights)
            for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: size) {
                forward(x: p.x + first * p.input.count, y: p.y + first * p.output.count,
                        samples: min(size, samples.upperBound - first), bias: bias, scratch: s)
            }
        }
    }

    /// The layer's backward pass: each thread's gradients in its own scratch, then added
    /// in thread order, so that results do not depend on timing.
    func backward(_ p: LayerPass) {
        let weights = prepareWeights(p.parameters, scratch: p.scratch)
        Threads.split(p.batch, threads: p.threads) { thread, samples in
            let s = scratch(p.scratch + thread * p.scratchPerThread, weights: weights)
            clearGradients(s)
            for first in Swift.stride(from: samples.lowerBound, to: samples.upperBound, by: group) {
                backward(x: p.x + first * p.input.count, dy: p.dy + first * p.output.count,
                         dx: p.dx.map { $0 + first * p.input.count }, samples: min(group, samples.upperBound - first),
                         scratch: s)
            }
        }
        for thread in 0..<Threads.slices(p.batch, threads: p.threads) {
            addGradients(from: scratch(p.scratch + thread * p.scratchPerThread, weights: nil), to: p.gradients)
        }
    }
}

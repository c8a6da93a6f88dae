import CNeuralNet
import Threading

/// A `side × side` grid of bins over pairs of values in `lower…upper`: the
/// classes of a network that predicts a distribution over two values (a
/// colour's two chroma channels) instead of the values themselves.
///
/// A squared-error model predicts the mean of the colours a scene could have,
/// and where a car may be red or blue that mean is gray. A distribution keeps
/// both; its *annealed* mean (the softmax sharpened by a temperature below 1)
/// leans toward the likelier colour where the model is sure and stays near the
/// mean where it is not.
///
/// Bin `i · side + j` is centred on (lower + i·step, lower + j·step), step =
/// (upper − lower)/(side − 1): the grid's corners are bin centres. A target
/// pair is encoded as the bilinear weights of the four centres around it
/// (values outside the range are clamped), so the mean of an encoded target is
/// the target itself.
public struct BinGrid: Equatable, Sendable {
    /// Bins per axis, at least 2.
    public let side: Int
    /// The first bin centre on each axis.
    public let lower: Float
    /// The last bin centre on each axis.
    public let upper: Float

    /// The range the colorizer's bins cover when none is given: 0.25…0.75, which is
    /// ±64 around neutral in both Lab's a\*, b\* and YCbCr's Cb, Cr (normalised to 0…1).
    public static let defaultRange: ClosedRange<Float> = 0.25...0.75

    public init(side: Int, range: ClosedRange<Float> = BinGrid.defaultRange) {
        precondition(side >= 2 && range.upperBound > range.lowerBound, "a bin grid needs two bins per axis and a range")
        self.side = side
        lower = range.lowerBound
        upper = range.upperBound
    }

    /// Bins in all: the channels a network predicting over this grid outputs.
    public var count: Int { side * side }

    var step: Float { (upper - lower) / Float(side - 1) }

    /// The first bin index on one axis and the weight of the next one, for a value.
    @inline(__always)
    func locate(_ value: Float) -> (index: Int, weight: Float) {
        let position = (min(max(value, lower), upper) - lower) / step
        let index = min(Int(position), side - 2)
        return (index, position - Float(index))
    }

    /// Calls `body(bin, weight)` for the four bins a target pair is encoded on.
    @inline(__always)
    func forEachCorner(_ first: Float, _ second: Float, _ body: (Int, Float) -> Void) {
        let (i, wi) = locate(first), (j, wj) = locate(second)
        let k = i * side + j
        body(k, (1 - wi) * (1 - wj))
        body(k + 1, (1 - wi) * wj)
        body(k + side, wi * (1 - wj))
        body(k + side + 1, wi * wj)
    }

    /// Mean softmax cross-entropy between logits and bilinearly encoded targets, per pixel.
    ///
    /// - `logits`:   samples × count × plane
    /// - `targets`:  samples × 2 × plane (the two values of each pixel)
    /// - `gradient`: samples × count × plane, ∂loss/∂logits = (softmax − encoded target) / pixels
    public func crossEntropy(logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, samples: Int, plane: Int,
                             gradient: UnsafeMutablePointer<Float>? = nil, threads: Int = Threads.available) -> Float {
        let bins = count, pixels = Float(samples * plane)
        let sliceCount = max(1, min(threads, samples))
        var totals = [Double](repeating: 0, count: sliceCount)
        totals.withUnsafeMutableBufferPointer { totals in
            Threads.split(samples, threads: sliceCount) { thread, slice in
                // One sample at a time in CNeuralNet: its max, exponentials, sums and
                // gradient are passes over the sample's logits with the pixels innermost.
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane + (gradient == nil ? bins * plane : 0))
                defer { scratch.deallocate() }
                for s in slice {
                    let first = targets + s * 2 * plane
                    totals[thread] += chroma_nn_bins_cross_entropy(
                        logits + s * bins * plane, first, first + plane, bins, side, lower, upper, step, plane,
                        pixels, gradient.map { $0 + s * bins * plane }, scratch)
                }
            }
        }
        return Float(totals.reduce(0, +) / Double(pixels))
    }

    /// How often each bin occurs in targets: the encoded targets summed, divided by the pixels.
    ///
    /// - `targets`: samples × 2 × plane
    /// - returns:   count values that sum to 1
    public func frequencies(of targets: UnsafePointer<Float>, samples: Int, plane: Int) -> [Double] {
        var totals = [Double](repeating: 0, count: count)
        for s in 0..<samples {
            let first = targets + s * 2 * plane, second = first + plane
            for p in 0..<plane { forEachCorner(first[p], second[p]) { k, weight in totals[k] += Double(weight) } }
        }
        let pixels = Double(max(samples * plane, 1))
        return totals.map { $0 / pixels }
    }

    /// The annealed mean of each pixel's distribution: softmax((logits − bias) / temperature)
    /// weighting the bin centres. Temperature 1 gives the plain mean; lower values
    /// lean toward the most likely bins (0 would pick the mode). A bias of
    /// α · log(frequency of each bin) divides the distribution by the bins' prior to the
    /// power α, so that rare (colourful) bins count for more than they were seen.
    ///
    /// - `logits`: samples × count × plane
    /// - `bias`:   count values, or nil for none
    /// - `out`:    samples × 2 × plane
    public func annealedMean(logits: UnsafePointer<Float>, samples: Int, plane: Int, temperature: Float,
                             bias: [Float]? = nil, into out: UnsafeMutablePointer<Float>) {
        precondition(temperature > 0, "the temperature must be positive")
        precondition(bias == nil || bias!.count == count, "one bias per bin")
        let bins = count, bias = bias ?? [Float](repeating: 0, count: count)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
        defer { scratch.deallocate() }
        for s in 0..<samples {
            let first = out + s * 2 * plane
            chroma_nn_annealed_mean(logits + s * bins * plane, bins, side, bias, temperature, lower, step, plane,
                                    first, first + plane, scratch)
        }
    }
}

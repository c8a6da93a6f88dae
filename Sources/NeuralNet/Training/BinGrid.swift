#if canImport(Glibc)
import Glibc
#endif

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

    /// Mean softmax cross-entropy between logits and bilinearly encoded targets, per pixel.
    ///
    /// - `logits`:   samples × count × plane
    /// - `targets`:  samples × 2 × plane (the two values of each pixel)
    /// - `gradient`: samples × count × plane, ∂loss/∂logits = (softmax − encoded target) / pixels
    public func crossEntropy(logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, samples: Int, plane: Int,
                             gradient: UnsafeMutablePointer<Float>? = nil) -> Float {
        let bins = count, pixels = Float(samples * plane)
        var total: Double = 0
        var exponentials = [Float](repeating: 0, count: bins)
        for s in 0..<samples {
            let z = logits + s * bins * plane, first = targets + s * 2 * plane, second = first + plane
            let g = gradient.map { $0 + s * bins * plane }
            for p in 0..<plane {
                var largest = -Float.infinity
                for k in 0..<bins { largest = max(largest, z[k * plane + p]) }
                var sum: Float = 0
                for k in 0..<bins { exponentials[k] = expf(z[k * plane + p] - largest); sum += exponentials[k] }
                let (i, wi) = locate(first[p]), (j, wj) = locate(second[p])
                let k = i * side + j
                let corners = ((k, (1 - wi) * (1 - wj)), (k + 1, (1 - wi) * wj),
                               (k + side, wi * (1 - wj)), (k + side + 1, wi * wj))
                // −Σ q·log softmax(z) = log Σ exp z − Σ q·z (the weights q sum to 1)
                var loss = logf(sum) + largest
                for (k, weight) in [corners.0, corners.1, corners.2, corners.3] { loss -= weight * z[k * plane + p] }
                total += Double(loss)
                if let g {
                    for k in 0..<bins { g[k * plane + p] = exponentials[k] / sum / pixels }
                    for (k, weight) in [corners.0, corners.1, corners.2, corners.3] { g[k * plane + p] -= weight / pixels }
                }
            }
        }
        return Float(total / Double(pixels))
    }

    /// The annealed mean of each pixel's distribution: softmax(logits / temperature)
    /// weighting the bin centres. Temperature 1 gives the plain mean; lower values
    /// lean toward the most likely bins (0 would pick the mode).
    ///
    /// - `logits`: samples × count × plane
    /// - `out`:    samples × 2 × plane
    public func annealedMean(logits: UnsafePointer<Float>, samples: Int, plane: Int, temperature: Float,
                             into out: UnsafeMutablePointer<Float>) {
        precondition(temperature > 0, "the temperature must be positive")
        let bins = count, step = self.step
        for s in 0..<samples {
            let z = logits + s * bins * plane, first = out + s * 2 * plane, second = first + plane
            for p in 0..<plane {
                var largest = -Float.infinity
                for k in 0..<bins { largest = max(largest, z[k * plane + p]) }
                var sum: Float = 0, a: Float = 0, b: Float = 0
                for k in 0..<bins {
                    let w = expf((z[k * plane + p] - largest) / temperature)
                    sum += w
                    a += w * Float(k / side)
                    b += w * Float(k % side)
                }
                first[p] = lower + step * a / sum
                second[p] = lower + step * b / sum
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Threading

/// A loss between a prediction and a target, averaged over all elements.
public enum Loss: Equatable, Sendable, CustomStringConvertible {
    /// Mean squared error: mean((y − t)²).
    case mse
    /// Mean absolute error: mean(|y − t|).
    case l1
    /// Huber: ½d² where |d| ≤ δ, else δ(|d| − ½δ); quadratic near 0, linear beyond δ.
    case huber(delta: Float)
    /// Mean squared error plus `weight` · (1 − SSIM): SSIM as docs/metrics.md defines it
    /// (11×11 Gaussian window, per channel), on predictions and targets in 0…1.
    /// Squared error barely notices faint noise left in flat areas; SSIM, which
    /// divides by the local variance, does, and its gradient is largest there.
    /// Needs the samples' shape.
    case mseSSIM(weight: Float)
    /// Minus the mean per-sample PSNR in dB (peak 1): mean over samples of 10·log10(mse + 1e-5).
    /// Image metrics average PSNR per image, a log of each image's error, and count the images
    /// a model makes better; squared error pooled over the batch instead lets the few images
    /// with large errors dominate. The 1e-5 floor (50 dB) keeps perfect samples from
    /// taking over. Needs the samples' shape.
    case psnr
    /// Softmax cross-entropy over a grid of bins for two target channels (`BinGrid`):
    /// the prediction has `grid.count` channels of logits per pixel, the target two
    /// channels of values. Needs the prediction's sample shape.
    case bins(BinGrid)

    /// The error floor of `psnr`, in squared units of the target (0…1).
    public static let psnrFloor: Float = 1e-5

    /// The SSIM weight when `mse+ssim` is given without one.
    public static let defaultSSIMWeight: Float = 0.01

    /// Parses `mse`, `l1`, `huber` (δ = 1), `huber:δ`, `mse+ssim` (weight 0.01), `mse+ssim:WEIGHT`, `psnr`
    /// or `bins:SIDE` (a SIDE × SIDE grid over `BinGrid.defaultRange`, SIDE 2…64).
    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let number = parts.count > 1 ? Float(parts[1]) : nil
        if parts.count > 1 { guard let number, number.isFinite, number > 0 else { return nil } }
        switch parts[0] {
        case "mse" where parts.count == 1: self = .mse
        case "l1" where parts.count == 1: self = .l1
        case "psnr" where parts.count == 1: self = .psnr
        case "huber": self = .huber(delta: number ?? 1)
        case "mse+ssim": self = .mseSSIM(weight: number ?? Loss.defaultSSIMWeight)
        case "bins":
            guard let number, number == number.rounded(), (2...64).contains(number) else { return nil }
            self = .bins(BinGrid(side: Int(number)))
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .mse: "mse"
        case .l1: "l1"
        case .huber(let delta): delta == 1 ? "huber" : "huber:\(delta)"
        case .mseSSIM(let weight): "mse+ssim:\(weight)"
        case .psnr: "psnr"
        case .bins(let grid): "bins:\(grid.side)"
        }
    }

    /// Whether the loss needs to know the samples' shape (`evaluate(…sample:)`).
    public var needsShape: Bool {
        switch self {
        case .mseSSIM, .psnr, .bins: true
        case .mse, .l1, .huber: false
        }
    }

    /// The mean loss over `count` elements of the prediction; writes ∂loss/∂prediction into `gradient` when given.
    /// - Parameter prediction: the network's output, `count` floats.
    /// - Parameter target: what it should have been, `count` floats (two channels per sample for `bins`).
    /// - Parameter count: the prediction's element count.
    /// - Parameter gradient: `count` floats to receive ∂loss/∂prediction, or nil for the loss alone.
    /// - Parameter sample: the shape of one sample of the prediction ([C, H, W]); `count` must be a
    ///   multiple of its size. Needed by `mseSSIM`, `psnr` and `bins`, ignored by the others.
    /// - Parameter threads: how many threads `bins` may use (its softmax is the costly part).
    public func evaluate(prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
                         sample: Shape? = nil, gradient: UnsafeMutablePointer<Float>? = nil, threads: Int = Threads.available) -> Float {
        if case .bins(let grid) = self {
            guard let sample, sample.channels == grid.count, count % sample.count == 0 else {
                preconditionFailure("bins needs the prediction's sample shape, with one channel per bin, and whole samples")
            }
            return grid.crossEntropy(logits: prediction, targets: target, samples: count / sample.count, plane: sample.plane,
                                     gradient: gradient, threads: threads)
        }
        if case .mseSSIM(let weight) = self {
            guard let sample, sample.count > 0, count % sample.count == 0 else {
                preconditionFailure("mse+ssim needs the sample shape, and whole samples")
            }
            let squared = Loss.mse.evaluate(prediction: prediction, target: target, count: count, gradient: gradient)
            let similarity = StructuralSimilarity(height: sample.height, width: sample.width)
            let planes = count / sample.plane
            var total = 0.0
            for plane in 0..<planes {
                let offset = plane * sample.plane
                total += similarity.plane(prediction + offset, target + offset, gradient: gradient.map { $0 + offset },
                                          scale: -Double(weight) / Double(planes))
            }
            return squared + weight * Float(1 - total / Double(planes))
        }
        if case .psnr = self {
            guard let sample, sample.count > 0, count % sample.count == 0 else {
                preconditionFailure("psnr needs the sample shape, and whole samples")
            }
            let samples = count / sample.count, size = sample.count
            let decibels = 10 / log(Float(10))
            var total = 0.0
            for s in 0..<samples {
                let p = prediction + s * size, t = target + s * size
                var squared: Double = 0
                for i in 0..<size { let d = Double(p[i] - t[i]); squared += d * d }
                let error = Float(squared / Double(size)) + Loss.psnrFloor
                total += Double(decibels * log(error))
                // ∂/∂p of (1/samples)·(10/ln10)·ln(mean d² + floor)
                let slope = decibels / error * 2 / Float(size) / Float(samples)
                if let gradient { for i in 0..<size { gradient[s * size + i] = slope * (p[i] - t[i]) } }
            }
            return Float(total / Double(samples))
        }
        var total: Double = 0
        let scale = 1 / Float(count)
        for i in 0..<count {
            let d = prediction[i] - target[i]
            let (value, slope): (Float, Float)
            switch self {
            case .mse: (value, slope) = (d * d, 2 * d)
            case .l1: (value, slope) = (abs(d), d > 0 ? 1 : d < 0 ? -1 : 0)
            case .huber(let delta):
                (value, slope) = abs(d) <= delta ? (0.5 * d * d, d) : (delta * (abs(d) - 0.5 * delta), d > 0 ? delta : -delta)
            case .mseSSIM, .psnr, .bins: preconditionFailure("handled above")
            }
            total += Double(value)
            gradient?[i] = slope * scale
        }
        return Float(total / Double(count))
    }
}

/// A loss is stored as its spelling (`bins:12`, `huber:0.5`): what `init?(_:)` reads.
/// A bins grid keeps only its side; its range is `BinGrid.defaultRange`.
extension Loss: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let loss = Loss(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a loss: \(text)")
        }
        self = loss
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

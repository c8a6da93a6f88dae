import ColorSpace
import ImageIO

/// One result image's scores against its original (docs/metrics.md's definitions).
public struct ImageScores: Sendable, Codable, Equatable {
    /// dB, capped at 48.13.
    public var psnr: Double
    public var ssim: Double
    /// Mean CIEDE2000 over pixels.
    public var deltaE2000: Double
    /// Hasler–Süsstrunk colourfulness of the result.
    public var colourfulness: Double

    public init(psnr: Double, ssim: Double, deltaE2000: Double, colourfulness: Double) {
        self.psnr = psnr; self.ssim = ssim; self.deltaE2000 = deltaE2000; self.colourfulness = colourfulness
    }

    /// Scores `result` against `original`; both RGB (alpha is ignored) and of one size.
    /// - Parameter result: the colorized image.
    /// - Parameter original: what it should look like.
    /// - Parameter deltaE: receives the per-pixel ΔE2000 map, for heat maps.
    public init(result: Image<UInt8>, original: Image<UInt8>, deltaE: inout [Float]) {
        precondition(result.width == original.width && result.height == original.height, "scores compare images of one size")
        let result = result.rgb(), original = original.rgb()
        deltaE = DeltaE2000.map(ChromaSpace.lab.planes(from: result), ChromaSpace.lab.planes(from: original))
        let total = deltaE.reduce(0.0) { $0 + Double($1) }
        (psnr, ssim, colourfulness) = result.samples.withUnsafeBufferPointer { r in
            original.samples.withUnsafeBufferPointer { o in
                (Metrics.psnr(r, o), SSIM.rgb(r, o, width: result.width, height: result.height), Metrics.colourfulness(r))
            }
        }
        deltaE2000 = total / Double(max(deltaE.count, 1))
    }
}

extension Image where Sample == UInt8 {
    /// The same pixels as RGB: gray values repeated in all three channels.
    public func rgb() -> Image<UInt8> {
        switch layout {
        case .rgb: return self
        case .gray:
            return Image(width: width, height: height, layout: .rgb, samples: samples.flatMap { [$0, $0, $0] })
        default:
            return droppingAlpha().rgb()
        }
    }
}

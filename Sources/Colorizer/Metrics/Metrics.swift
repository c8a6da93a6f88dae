import ColorSpace
import ImageIO
#if canImport(Glibc)
import Glibc
#endif

/// The image-quality measures of docs/metrics.md, on 8-bit RGB images.
public enum Metrics {
    /// The PSNR cap: an RMS error of one level (10·log10(255²/1) ≈ 48.13 dB).
    public static let psnrCap = 48.13

    /// PSNR over all R, G, B samples, in dB, capped at `psnrCap`.
    public static func psnr(_ result: UnsafeBufferPointer<UInt8>, _ original: UnsafeBufferPointer<UInt8>) -> Double {
        precondition(result.count == original.count)
        var squares = 0
        for i in 0..<result.count {
            let d = Int(result[i]) - Int(original[i])
            squares += d * d
        }
        let mse = Double(squares) / Double(result.count)
        return mse == 0 ? psnrCap : min(10 * log10(255 * 255 / mse), psnrCap)
    }

    /// Colourfulness (Hasler & Süsstrunk 2003): rg = R − G, yb = ½(R + G) − B,
    /// M = √(σ_rg² + σ_yb²) + 0.3·√(μ_rg² + μ_yb²).
    public static func colourfulness(_ rgb: UnsafeBufferPointer<UInt8>) -> Double {
        let n = rgb.count / 3
        var sumRG = 0.0, sumYB = 0.0, squaresRG = 0.0, squaresYB = 0.0
        for p in 0..<n {
            let r = Double(rgb[3 * p]), g = Double(rgb[3 * p + 1]), b = Double(rgb[3 * p + 2])
            let rg = r - g, yb = 0.5 * (r + g) - b
            sumRG += rg; sumYB += yb; squaresRG += rg * rg; squaresYB += yb * yb
        }
        let meanRG = sumRG / Double(n), meanYB = sumYB / Double(n)
        let varianceRG = max(0, squaresRG / Double(n) - meanRG * meanRG)
        let varianceYB = max(0, squaresYB / Double(n) - meanYB * meanYB)
        return (varianceRG + varianceYB).squareRoot() + 0.3 * (meanRG * meanRG + meanYB * meanYB).squareRoot()
    }
}

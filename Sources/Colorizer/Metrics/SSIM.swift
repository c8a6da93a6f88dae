import Foundation
import NeuralNet

/// Structural similarity (Wang et al. 2004): 11×11 Gaussian window, σ = 1.5,
/// K1 = 0.01, K2 = 0.03, dynamic range 255, over the window positions that fit
/// inside the image; computed per RGB channel and averaged.
public enum SSIM {
    static let size = 11

    /// SSIM of two interleaved RGB images of `width × height`.
    public static func rgb(_ first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> Double {
        (0..<3).map { channel($0, first, second, width: width, height: height) }.reduce(0, +) / 3
    }

    /// The mean SSIM of channel `c` over all window positions. The Gaussian
    /// window is separable: each image row is filtered horizontally once (kept
    /// in a ring of `h` rows), and every window sums `h` of those rows.
    static func channel(_ c: Int, _ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> Double {
        let c1: Double = (0.01 * 255) * (0.01 * 255), c2: Double = (0.03 * 255) * (0.03 * 255)
        let w = min(size, width), h = min(size, height)
        let windowX = StructuralSimilarity.window(w), windowY = StructuralSimilarity.window(h)
        let positions = width - w + 1
        // Per ring row: five planes of `positions` values: Σa, Σb, Σa², Σb², Σab.
        var ring = [Double](repeating: 0, count: h * 5 * positions)
        func filterRow(_ row: Int) {
            let base = (row % h) * 5 * positions
            for left in 0..<positions {
                var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
                for i in 0..<w {
                    let at = (row * width + left + i) * 3 + c
                    let a = Double(x[at]), b = Double(y[at]), weight = windowX[i]
                    sa += weight * a; sb += weight * b
                    saa += weight * a * a; sbb += weight * b * b; sab += weight * a * b
                }
                ring[base + left] = sa; ring[base + positions + left] = sb
                ring[base + 2 * positions + left] = saa; ring[base + 3 * positions + left] = sbb
                ring[base + 4 * positions + left] = sab
            }
        }
        for row in 0..<(h - 1) { filterRow(row) }
        var total = 0.0
        for top in 0...(height - h) {
            filterRow(top + h - 1)
            for left in 0..<positions {
                var mx = 0.0, my = 0.0, xx = 0.0, yy = 0.0, xy = 0.0
                for j in 0..<h {
                    let base = ((top + j) % h) * 5 * positions + left, weight = windowY[j]
                    mx += weight * ring[base]; my += weight * ring[base + positions]
                    xx += weight * ring[base + 2 * positions]; yy += weight * ring[base + 3 * positions]
                    xy += weight * ring[base + 4 * positions]
                }
                let vx = xx - mx * mx, vy = yy - my * my, cov = xy - mx * my
                total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
            }
        }
        return total / Double((height - h + 1) * positions)
    }
}

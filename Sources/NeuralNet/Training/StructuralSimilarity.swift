#if canImport(Glibc)
import Glibc
#endif

/// Mean structural similarity (Wang et al. 2004) of a batch of predictions and
/// targets in 0…1, with its gradient: the SSIM term of `Loss.mseSSIM`.
///
/// The window and constants are docs/metrics.md's: an 11×11 Gaussian of
/// σ = 1.5 (a uniform window on a side shorter than 11), K1 = 0.01, K2 = 0.03
/// for a dynamic range of 1, over the window positions that fit inside the
/// image; the mean is over positions, channels and samples.
///
/// At window position p, with Gaussian weights w over the pixels q under it,
/// SSIM_p = A1·A2 / (B1·B2), A1 = 2μxμy + C1, A2 = 2σxy + C2, B1 = μx² + μy² + C1,
/// B2 = σx² + σy² + C2. Differentiating the local means and (co)variances,
///
///     ∂SSIM_p/∂x_q = w(q − p) · (α_p + β_p·y_q + γ_p·x_q)
///     β_p = 2S/A2,  γ_p = −2S/B2,  α_p = S(2μy/A1 − 2μx/B1) − β_p·μy − γ_p·μx
///
/// so the gradient image is the window's transpose applied to the maps α, β, γ:
/// Σ_p w(q − p)·α_p + y_q·Σ_p w(q − p)·β_p + x_q·Σ_p w(q − p)·γ_p.
public struct StructuralSimilarity {
    let height: Int, width: Int
    let windowX: [Double], windowY: [Double]
    static let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03

    init(height: Int, width: Int) {
        self.height = height
        self.width = width
        windowX = Self.window(min(11, width))
        windowY = Self.window(min(11, height))
    }

    /// SSIM's window weights along one axis, summing to 1: docs/metrics.md's 11-tap
    /// Gaussian (σ = 1.5) when `size` is 11, else a box of `size` taps (for
    /// images narrower than the window). Shared by the loss and the metric.
    public static func window(_ size: Int) -> [Double] {
        guard size == 11 else { return Array(repeating: 1 / Double(size), count: size) }
        let raw = (0..<size).map { i -> Double in
            let d = Double(i - size / 2)
            return exp(-d * d / (2 * 1.5 * 1.5))
        }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }

    var positionsX: Int { width - windowX.count + 1 }
    var positionsY: Int { height - windowY.count + 1 }

    /// Mean SSIM of one plane x (prediction) against y (target), both [height, width];
    /// adds `scale · ∂SSIM/∂x` into `gradient` when given.
    func plane(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>?, scale: Double) -> Double {
        let px = positionsX, py = positionsY, count = px * py
        // Window sums at every position: μx, μy, E[x²], E[y²], E[xy].
        var moments = [[Double]](repeating: [Double](repeating: 0, count: count), count: 5)
        var rows = [[Double]](repeating: [Double](repeating: 0, count: height * px), count: 5)
        for r in 0..<height {
            for left in 0..<px {
                var sums = (0.0, 0.0, 0.0, 0.0, 0.0)
                for i in 0..<windowX.count {
                    let a = Double(x[r * width + left + i]), b = Double(y[r * width + left + i]), w = windowX[i]
                    sums.0 += w * a; sums.1 += w * b; sums.2 += w * a * a; sums.3 += w * b * b; sums.4 += w * a * b
                }
                let at = r * px + left
                rows[0][at] = sums.0; rows[1][at] = sums.1; rows[2][at] = sums.2; rows[3][at] = sums.3; rows[4][at] = sums.4
            }
        }
        for m in 0..<5 {
            for top in 0..<py {
                for left in 0..<px {
                    var sum = 0.0
                    for j in 0..<windowY.count { sum += windowY[j] * rows[m][(top + j) * px + left] }
                    moments[m][top * px + left] = sum
                }
            }
        }
        var total = 0.0
        // Per position: α, β, γ (only when a gradient is wanted).
        var maps = gradient == nil ? [] : [[Double]](repeating: [Double](repeating: 0, count: count), count: 3)
        for p in 0..<count {
            let mx = moments[0][p], my = moments[1][p]
            let vx = moments[2][p] - mx * mx, vy = moments[3][p] - my * my, cov = moments[4][p] - mx * my
            let a1 = 2 * mx * my + Self.c1, a2 = 2 * cov + Self.c2
            let b1 = mx * mx + my * my + Self.c1, b2 = vx + vy + Self.c2
            let s = (a1 * a2) / (b1 * b2)
            total += s
            if gradient != nil {
                let beta = 2 * s / a2, gamma = -2 * s / b2
                maps[0][p] = s * (2 * my / a1 - 2 * mx / b1) - beta * my - gamma * mx
                maps[1][p] = beta
                maps[2][p] = gamma
            }
        }
        let mean = total / Double(count)
        guard let gradient else { return mean }
        // The window's transpose: spread each position's value back over the pixels it covered.
        let factor = scale / Double(count)
        var spread = [[Double]](repeating: [Double](repeating: 0, count: height * px), count: 3)
        for m in 0..<3 {
            for top in 0..<py {
                for left in 0..<px {
                    let value = maps[m][top * px + left]
                    for j in 0..<windowY.count { spread[m][(top + j) * px + left] += windowY[j] * value }
                }
            }
        }
        for r in 0..<height {
            for left in 0..<px {
                let at = r * px + left
                let a = spread[0][at], b = spread[1][at], c = spread[2][at]
                for i in 0..<windowX.count {
                    let q = r * width + left + i, w = windowX[i] * factor
                    gradient[q] += Float(w * (a + b * Double(y[q]) + c * Double(x[q])))
                }
            }
        }
        return mean
    }
}

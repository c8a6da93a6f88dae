import Foundation

/// Structural similarity (Wang et al. 2004): 11×11 Gaussian window, σ = 1.5,
/// K1 = 0.01, K2 = 0.03, dynamic range 255, over the window positions that fit
/// inside the image; computed per RGB channel and averaged.
public enum SSIM {
    static let size = 11
    static let window: [Double] = {
        let raw = (0..<size).map { exp(-pow(Double($0 - size / 2), 2) / (2 * 1.5 * 1.5)) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }()

    /// SSIM of two interleaved RGB images of `width × height`.
    public static func rgb(_ first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> Double {
        (0..<3).map { channel($0, first, second, width: width, height: height) }.reduce(0, +) / 3
    }

    static func channel(_ c: Int, _ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> Double {
        let c1: Double = (0.01 * 255) * (0.01 * 255), c2: Double = (0.03 * 255) * (0.03 * 255)
        let w = min(size, width), h = min(size, height)
        let windowX = w == size ? window : Array(repeating: 1.0 / Double(w), count: w)
        let windowY = h == size ? window : Array(repeating: 1.0 / Double(h), count: h)
        var total = 0.0, count = 0
        for top in 0...(height - h) {
            for left in 0...(width - w) {
                var mx = 0.0, my = 0.0, xx = 0.0, yy = 0.0, xy = 0.0
                for j in 0..<h {
                    for i in 0..<w {
                        let weight = windowY[j] * windowX[i]
                        let at = ((top + j) * width + left + i) * 3 + c
                        let a = Double(x[at]), b = Double(y[at])
                        mx += weight * a; my += weight * b
                        xx += weight * a * a; yy += weight * b * b; xy += weight * a * b
                    }
                }
                let vx = xx - mx * mx, vy = yy - my * my, cov = xy - mx * my
                total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
                count += 1
            }
        }
        return total / Double(count)
    }
}

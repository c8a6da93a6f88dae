import ColorSpace
import Foundation

/// CIEDE2000 colour difference (Sharma, Wu & Dalal 2005, with kL = kC = kH = 1).
public enum DeltaE2000 {
    /// ΔE00 between two L\*a\*b\* colours.
    public static func difference(_ first: (Double, Double, Double), _ second: (Double, Double, Double)) -> Double {
        let (l1, a1, b1) = first, (l2, a2, b2) = second
        let degrees = 180 / Double.pi
        let c1 = (a1 * a1 + b1 * b1).squareRoot(), c2 = (a2 * a2 + b2 * b2).squareRoot()
        let meanC = (c1 + c2) / 2, meanC7 = pow(meanC, 7)
        let g = 0.5 * (1 - (meanC7 / (meanC7 + pow(25, 7))).squareRoot())
        let a1p = (1 + g) * a1, a2p = (1 + g) * a2
        let c1p = (a1p * a1p + b1 * b1).squareRoot(), c2p = (a2p * a2p + b2 * b2).squareRoot()
        func hue(_ b: Double, _ a: Double) -> Double {
            if a == 0 && b == 0 { return 0 }
            let h = atan2(b, a) * degrees
            return h < 0 ? h + 360 : h
        }
        let h1p = hue(b1, a1p), h2p = hue(b2, a2p)
        let deltaL = l2 - l1, deltaC = c2p - c1p
        var deltaHue = 0.0
        if c1p * c2p != 0 {
            deltaHue = h2p - h1p
            if deltaHue > 180 { deltaHue -= 360 } else if deltaHue < -180 { deltaHue += 360 }
        }
        let deltaH = 2 * (c1p * c2p).squareRoot() * sin(deltaHue / 2 / degrees)
        let meanL = (l1 + l2) / 2, meanCp = (c1p + c2p) / 2
        var meanH = h1p + h2p
        if c1p * c2p != 0 {
            if abs(h1p - h2p) <= 180 { meanH = (h1p + h2p) / 2 }
            else if h1p + h2p < 360 { meanH = (h1p + h2p + 360) / 2 }
            else { meanH = (h1p + h2p - 360) / 2 }
        }
        let t = 1 - 0.17 * cos((meanH - 30) / degrees) + 0.24 * cos(2 * meanH / degrees)
            + 0.32 * cos((3 * meanH + 6) / degrees) - 0.20 * cos((4 * meanH - 63) / degrees)
        let deltaTheta = 30 * exp(-pow((meanH - 275) / 25, 2))
        let meanCp7 = pow(meanCp, 7)
        let rc = 2 * (meanCp7 / (meanCp7 + pow(25, 7))).squareRoot()
        let sl = 1 + 0.015 * pow(meanL - 50, 2) / (20 + pow(meanL - 50, 2)).squareRoot()
        let sc = 1 + 0.045 * meanCp, sh = 1 + 0.015 * meanCp * t
        let rt = -sin(2 * deltaTheta / degrees) * rc
        let termL = deltaL / sl, termC = deltaC / sc, termH = deltaH / sh
        return (termL * termL + termC * termC + termH * termH + rt * termC * termH).squareRoot()
    }

    /// The mean ΔE00 over pixels `range` of two Lab images of the same size.
    public static func mean(_ first: ColorPlanes, _ second: ColorPlanes, pixels range: Range<Int>? = nil) -> Double {
        precondition(first.space == .lab && second.space == .lab, "ΔE2000 compares L*a*b* planes")
        let range = range ?? 0..<first.luminance.values.count
        var total = 0.0
        for p in range {
            total += difference((Double(first.luminance.values[p]), Double(first.chroma1.values[p]), Double(first.chroma2.values[p])),
                                (Double(second.luminance.values[p]), Double(second.chroma1.values[p]), Double(second.chroma2.values[p])))
        }
        return total / Double(max(range.count, 1))
    }

    /// ΔE00 of every pixel of two Lab images of the same size.
    public static func map(_ first: ColorPlanes, _ second: ColorPlanes) -> [Float] {
        precondition(first.space == .lab && second.space == .lab, "ΔE2000 compares L*a*b* planes")
        return (0..<first.luminance.values.count).map { p in
            Float(difference((Double(first.luminance.values[p]), Double(first.chroma1.values[p]), Double(first.chroma2.values[p])),
                             (Double(second.luminance.values[p]), Double(second.chroma1.values[p]), Double(second.chroma2.values[p]))))
        }
    }
}

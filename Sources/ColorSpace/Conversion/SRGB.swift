/// The sRGB transfer curve (IEC 61966-2-1) between encoded values and linear light, both 0…1.
public enum SRGB {
    /// Encoded (0…1) to linear light (0…1).
    public static func decode(_ value: Double) -> Double {
        value <= 0.04045 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
    }

    /// Linear light (0…1) to encoded (0…1).
    public static func encode(_ value: Double) -> Double {
        value <= 0.0031308 ? value * 12.92 : 1.055 * pow(value, 1 / 2.4) - 0.055
    }

    /// Linear light of each 8-bit code.
    static let linearOfCode: [Float] = (0..<256).map { Float(decode(Double($0) / 255)) }

    /// For the exact 8-bit encoding of linear light: `threshold[c]` is the
    /// least linear value whose encoding rounds to code `c` or more.
    static let threshold: [Float] = (0...256).map { code in
        code == 0 ? -.infinity : code == 256 ? .infinity : Float(decode((Double(code) - 0.5) / 255))
    }

    /// Bins of linear light narrow enough that each holds at most one threshold
    /// (the steepest part of the curve has codes 1 / (12.92 × 255) apart).
    static let bins = 4096
    /// The code of the lower edge of each bin.
    static let codeAtBin: [UInt8] = (0..<bins).map { bin in
        let linear = Float(bin) / Float(bins)
        return UInt8(threshold.lastIndex { $0 <= linear }!)
    }

    /// The 8-bit code whose encoding is nearest to linear light `value`, clipped to 0…255;
    /// equal to `round(255 × encode(value))`.
    @inline(__always)
    static func code(ofLinear value: Float, codes: UnsafePointer<UInt8>, thresholds: UnsafePointer<Float>) -> UInt8 {
        let clipped = value > 0 ? (value < 1 ? value : 1) : 0  // also sends NaN to 0
        let bin = min(Int(clipped * Float(bins)), bins - 1)
        let code = codes[bin]
        return clipped >= thresholds[Int(code) + 1] ? code &+ 1 : code
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import CColor

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
    static let codeAtBin: [Int32] = (0..<bins).map { bin in
        let linear = Float(bin) / Float(bins)
        return Int32(threshold.lastIndex { $0 <= linear }!)
    }

    /// Linear light of each 16-bit code.
    static let linearOf16BitCode: [Float] = (0..<65536).map { Float(decode(Double($0) / 65535)) }

    /// The tables as the CColor kernels take them, for 8-bit and for 16-bit
    /// input; allocated once and never freed, so the pointers stay valid.
    nonisolated(unsafe) static let tables8 = kernelTables(linear: linearOfCode)
    nonisolated(unsafe) static let tables16 = kernelTables(linear: linearOf16BitCode)

    private static func kernelTables(linear: [Float]) -> chroma_srgb_tables {
        func immortal<T>(_ values: [T]) -> UnsafePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: values.count)
            pointer.initialize(from: values, count: values.count)
            return UnsafePointer(pointer)
        }
        var tables = chroma_srgb_tables(linear: immortal(linear), code_at_bin: immortal(codeAtBin), threshold: immortal(threshold),
                                        gray_lightness: nil)
        // L* of every gray code, computed by the kernel itself from R = G = B (no table yet: it
        // computes), so that looking it up gives a gray photo's pixels exactly the computed floats.
        let gray = UnsafeMutablePointer<Float>.allocate(capacity: linear.count)
        let rgb = chroma_layout(stride: 3, green: 1, blue: 2)
        if linear.count == 256 {
            let ramp = (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0)] }
            chroma_lab_lightness_u8(ramp, rgb, tables, gray, 256)
        } else {
            let ramp = (0..<linear.count).flatMap { [UInt16($0), UInt16($0), UInt16($0)] }
            chroma_lab_lightness_u16(ramp, rgb, tables, gray, linear.count)
        }
        tables.gray_lightness = UnsafePointer(gray)
        return tables
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

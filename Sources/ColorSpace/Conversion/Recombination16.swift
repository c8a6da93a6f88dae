import ImageIO
import Threading
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `luminancePlane` and `rgbRow` for 16-bit images: a 16-bit scan keeps its
/// precision from luminance in to RGB out, in float all the way.
extension ChromaSpace {
    /// The luminance of a 16-bit image (any layout; alpha ignored): L\* 0…100
    /// or Y 0…255 (as for 8-bit images: a 16-bit sample v counts as v / 257).
    public func luminancePlane(of image: Image<UInt16>, threads: Int = Threads.available) -> Plane {
        let layout = PixelAccess(image.layout)
        var out = [Float].uninitialized(image.pixelCount)
        let linear = self == .lab ? SRGB.linearOf16BitCode : []
        image.samples.withUnsafeBufferPointer { source in
            linear.withUnsafeBufferPointer { linear in
                out.withUnsafeMutableBufferPointer { out in
                    let source = source.baseAddress!, out = out.baseAddress!
                    let linear = self == .lab ? linear.baseAddress : nil
                    let m = LabConversion.toXYZ[1]
                    Threads.split(image.height, threads: threads) { _, rows in
                        for i in (rows.lowerBound * image.width)..<(rows.upperBound * image.width) {
                            let at = i * layout.stride
                            let r = Int(source[at]), g = Int(source[at + layout.green]), b = Int(source[at + layout.blue])
                            if let linear {
                                let y = m[0] * linear[r] + m[1] * linear[g] + m[2] * linear[b]
                                out[i] = 116 * LabConversion.f(y) - 16
                            } else {
                                out[i] = (0.299 * Float(r) + 0.587 * Float(g) + 0.114 * Float(b)) / 257
                            }
                        }
                    }
                }
            }
        }
        return Plane(width: image.width, height: image.height, values: out)
    }

    /// Converts `count` pixels of luminance and chroma (this space's units) to
    /// 16-bit RGB, 3 samples a pixel, rounded to nearest; out-of-gamut colours
    /// are clipped per channel.
    public func rgbRow(luminance: UnsafePointer<Float>, chroma1: UnsafePointer<Float>, chroma2: UnsafePointer<Float>,
                       count: Int, into out: UnsafeMutablePointer<UInt16>) {
        func quantised(_ encoded: Float) -> UInt16 {
            let clipped = encoded > 0 ? (encoded < 1 ? encoded : 1) : 0  // also sends NaN to 0
            return UInt16(clipped * 65535 + 0.5)
        }
        for i in 0..<count {
            switch self {
            case .lab:
                let (r, g, b) = LabConversion.linearRGB(l: luminance[i], a: chroma1[i], b: chroma2[i])
                out[3 * i] = quantised(Float(SRGB.encode(Double(max(0, r)))))
                out[3 * i + 1] = quantised(Float(SRGB.encode(Double(max(0, g)))))
                out[3 * i + 2] = quantised(Float(SRGB.encode(Double(max(0, b)))))
            case .ycbcr:
                let y = luminance[i], cb = chroma1[i] - 128, cr = chroma2[i] - 128
                out[3 * i] = quantised((y + 1.402 * cr) / 255)
                out[3 * i + 1] = quantised((y - 0.34414 * cb - 0.71414 * cr) / 255)
                out[3 * i + 2] = quantised((y + 1.772 * cb) / 255)
            }
        }
    }
}

extension SRGB {
    /// Linear light of each 16-bit code.
    static let linearOf16BitCode: [Float] = (0..<65536).map { Float(decode(Double($0) / 65535)) }
}

extension LabConversion {
    /// CIE's f(t) for one value.
    static func f(_ t: Float) -> Float {
        t > epsilon ? Float(cbrt(Double(t))) : (kappa * t + 16) / 116
    }

    /// L\*a\*b\* → linear sRGB (unclipped), for one pixel.
    static func linearRGB(l: Float, a: Float, b: Float) -> (Float, Float, Float) {
        let (r, g, bl) = linearRGB(l: Vector(repeating: l), a: Vector(repeating: a), b: Vector(repeating: b))
        return (r[0], g[0], bl[0])
    }
}

import ImageIO
import Threading

/// 8-bit YCbCr exactly as libjpeg computes it (jccolor.c and jdcolor.c):
/// 16-bit fixed-point coefficients, Cb and Cr centred on 128. What a JPEG
/// file holds, and the fastest way to split luminance from chroma when
/// 8 bits suffice; `ChromaSpace.ycbcr` is the same transform in float.
public enum JFIF {
    static let scaleBits: Int32 = 16
    static let half: Int32 = 1 << 15
    static func fix(_ x: Double) -> Int32 { Int32(x * 65536 + 0.5) }
    static let yR = fix(0.29900), yG = fix(0.58700), yB = fix(0.11400)
    static let cbR = fix(0.16874), cbG = fix(0.33126), crG = fix(0.41869), crB = fix(0.08131), chromaHalf = fix(0.5)
    static let rCr = fix(1.40200), gCb = fix(0.34414), gCr = fix(0.71414), bCb = fix(1.77200)

    /// RGB (or gray, alpha ignored) → an RGB-layout image whose channels hold Y, Cb, Cr.
    public static func ycbcr(from image: Image<UInt8>, threads: Int = Threads.available) -> Image<UInt8> {
        let access = PixelAccess(image.layout)
        var out = [UInt8].uninitialized(image.pixelCount * 3)
        image.samples.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                let io = BytePointers(source: source.baseAddress!, target: target.baseAddress!)
                Threads.split(image.height, threads: threads) { _, rows in
                    forward(io, access, pixels: rows.lowerBound * image.width..<rows.upperBound * image.width)
                }
            }
        }
        return Image(width: image.width, height: image.height, layout: .rgb, samples: out)
    }

    /// The inverse: an image of Y, Cb, Cr channels → RGB, clipped to 0…255.
    public static func rgb(fromYCbCr image: Image<UInt8>, threads: Int = Threads.available) -> Image<UInt8> {
        precondition(image.layout == .rgb, "expects three channels holding Y, Cb, Cr")
        var out = [UInt8].uninitialized(image.pixelCount * 3)
        image.samples.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                let io = BytePointers(source: source.baseAddress!, target: target.baseAddress!)
                Threads.split(image.height, threads: threads) { _, rows in
                    inverse(io, pixels: rows.lowerBound * image.width..<rows.upperBound * image.width)
                }
            }
        }
        return Image(width: image.width, height: image.height, layout: .rgb, samples: out)
    }

    struct BytePointers {
        let source: UnsafePointer<UInt8>
        let target: UnsafeMutablePointer<UInt8>
    }

    // Plain loops over raw pointers: the compiler vectorises them.
    static func forward(_ io: BytePointers, _ access: PixelAccess, pixels: Range<Int>) {
        let (yR, yG, yB, cbR, cbG, crG, crB, h, half) = (yR, yG, yB, cbR, cbG, crG, crB, chromaHalf, half)
        let offset = (128 << scaleBits) + half - 1
        for i in pixels {
            let at = i * access.stride
            let r = Int32(io.source[at]), g = Int32(io.source[at + access.green]), b = Int32(io.source[at + access.blue])
            io.target[3 * i] = UInt8(truncatingIfNeeded: (yR &* r &+ yG &* g &+ yB &* b &+ half) &>> 16)
            io.target[3 * i + 1] = UInt8(truncatingIfNeeded: (h &* b &- cbR &* r &- cbG &* g &+ offset) &>> 16)
            io.target[3 * i + 2] = UInt8(truncatingIfNeeded: (h &* r &- crG &* g &- crB &* b &+ offset) &>> 16)
        }
    }

    static func inverse(_ io: BytePointers, pixels: Range<Int>) {
        let (rCr, gCb, gCr, bCb, half) = (rCr, gCb, gCr, bCb, half)
        for i in pixels {
            let y = Int32(io.source[3 * i]), u = Int32(io.source[3 * i + 1]) &- 128, v = Int32(io.source[3 * i + 2]) &- 128
            let r = y &+ ((rCr &* v &+ half) &>> 16)
            let g = y &+ ((half &- gCb &* u &- gCr &* v) &>> 16)
            let b = y &+ ((bCb &* u &+ half) &>> 16)
            io.target[3 * i] = UInt8(truncatingIfNeeded: min(max(r, 0), 255))
            io.target[3 * i + 1] = UInt8(truncatingIfNeeded: min(max(g, 0), 255))
            io.target[3 * i + 2] = UInt8(truncatingIfNeeded: min(max(b, 0), 255))
        }
    }
}

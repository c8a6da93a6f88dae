import ImageIO
import Threading

/// RGB ↔ YCbCr as JFIF defines it for JPEG (full-range BT.601), on 8 pixels at a time:
///
///     Y  =  0.299 R + 0.587 G + 0.114 B
///     Cb = −0.168736 R − 0.331264 G + 0.5 B + 128
///     Cr =  0.5 R − 0.418688 G − 0.081312 B + 128
///
/// with R, G, B and the results on 0…255, as libjpeg computes them.
public enum YCbCrConversion {
    typealias Vector = SIMD8<Float>
    static let lanes = Vector.scalarCount

    static func planes(from image: Image<UInt8>, threads: Int) -> ColorPlanes {
        let count = image.pixelCount
        var yPlane = [Float](repeating: 0, count: count)
        var cb = yPlane, cr = yPlane
        let layout = PixelAccess(image.layout)
        image.samples.withUnsafeBufferPointer { source in
            yPlane.withUnsafeMutableBufferPointer { yPlane in
                cb.withUnsafeMutableBufferPointer { cb in
                    cr.withUnsafeMutableBufferPointer { cr in
                        let p = Pointers(source: source.baseAddress!, y: yPlane.baseAddress!, cb: cb.baseAddress!, cr: cr.baseAddress!)
                        Threads.split(image.height, threads: threads) { _, rows in
                            forward(p, layout, from: rows.lowerBound * image.width, to: rows.upperBound * image.width)
                        }
                    }
                }
            }
        }
        let plane = { Plane(width: image.width, height: image.height, values: $0) }
        return ColorPlanes(space: .ycbcr, luminance: plane(yPlane), chroma1: plane(cb), chroma2: plane(cr))
    }

    static func image(from planes: ColorPlanes, threads: Int) -> Image<UInt8> {
        let width = planes.width, height = planes.height
        var out = [UInt8](repeating: 0, count: width * height * 3)
        planes.luminance.values.withUnsafeBufferPointer { yPlane in
            planes.chroma1.values.withUnsafeBufferPointer { cb in
                planes.chroma2.values.withUnsafeBufferPointer { cr in
                    out.withUnsafeMutableBufferPointer { out in
                        let p = InversePointers(y: yPlane.baseAddress!, cb: cb.baseAddress!, cr: cr.baseAddress!, out: out.baseAddress!)
                        Threads.split(height, threads: threads) { _, rows in
                            inverse(p, from: rows.lowerBound * width, to: rows.upperBound * width)
                        }
                    }
                }
            }
        }
        return Image(width: width, height: height, layout: .rgb, samples: out)
    }

    struct Pointers {
        let source: UnsafePointer<UInt8>
        let y: UnsafeMutablePointer<Float>
        let cb: UnsafeMutablePointer<Float>
        let cr: UnsafeMutablePointer<Float>
    }

    struct InversePointers {
        let y: UnsafePointer<Float>
        let cb: UnsafePointer<Float>
        let cr: UnsafePointer<Float>
        let out: UnsafeMutablePointer<UInt8>
    }

    static func forward(_ p: Pointers, _ layout: PixelAccess, from start: Int, to end: Int) {
        var i = start
        while i < end {
            let n = min(lanes, end - i)
            var r = Vector(), g = Vector(), b = Vector()
            for k in 0..<n {
                let at = (i + k) * layout.stride
                r[k] = Float(p.source[at])
                g[k] = Float(p.source[at + layout.green])
                b[k] = Float(p.source[at + layout.blue])
            }
            let (y, cb, cr) = ycbcr(r: r, g: g, b: b)
            if n == lanes {
                UnsafeMutableRawPointer(p.y + i).storeBytes(of: y, as: Vector.self)
                UnsafeMutableRawPointer(p.cb + i).storeBytes(of: cb, as: Vector.self)
                UnsafeMutableRawPointer(p.cr + i).storeBytes(of: cr, as: Vector.self)
            } else {
                for k in 0..<n { p.y[i + k] = y[k]; p.cb[i + k] = cb[k]; p.cr[i + k] = cr[k] }
            }
            i += n
        }
    }

    static func inverse(_ p: InversePointers, from start: Int, to end: Int) {
        var i = start
        while i < end {
            let n = min(lanes, end - i)
            var y = Vector(), cb = Vector(), cr = Vector()
            if n == lanes {
                y = UnsafeRawPointer(p.y + i).loadUnaligned(as: Vector.self)
                cb = UnsafeRawPointer(p.cb + i).loadUnaligned(as: Vector.self)
                cr = UnsafeRawPointer(p.cr + i).loadUnaligned(as: Vector.self)
            } else {
                for k in 0..<n { y[k] = p.y[i + k]; cb[k] = p.cb[i + k]; cr[k] = p.cr[i + k] }
            }
            let (r, g, b) = rgb(y: y, cb: cb, cr: cr)
            let r8 = quantise(r), g8 = quantise(g), b8 = quantise(b)
            for k in 0..<n {
                let at = (i + k) * 3
                p.out[at] = r8[k]
                p.out[at + 1] = g8[k]
                p.out[at + 2] = b8[k]
            }
            i += n
        }
    }

    @inline(__always)
    static func ycbcr(r: Vector, g: Vector, b: Vector) -> (Vector, Vector, Vector) {
        (0.299 * r + 0.587 * g + 0.114 * b,
         -0.168_735_89 * r - 0.331_264_11 * g + 0.5 * b + 128,
         0.5 * r - 0.418_687_59 * g - 0.081_312_41 * b + 128)
    }

    @inline(__always)
    static func rgb(y: Vector, cb: Vector, cr: Vector) -> (Vector, Vector, Vector) {
        let u = cb - 128, v = cr - 128
        return (y + 1.402 * v, y - 0.344_136_29 * u - 0.714_136_29 * v, y + 1.772 * u)
    }

    /// Rounds to nearest and clips to 0…255.
    @inline(__always)
    static func quantise(_ v: Vector) -> SIMD8<UInt8> {
        // Adding 2^23 leaves the rounded integer in the low mantissa bits.
        let clipped = v.clamped(lowerBound: Vector(repeating: 0), upperBound: Vector(repeating: 255))
        return SIMD8<UInt8>(truncatingIfNeeded: unsafeBitCast(clipped + 8_388_608, to: SIMD8<Int32>.self))
    }
}

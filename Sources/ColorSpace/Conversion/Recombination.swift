import ImageIO
import Threading

/// The two halves of colorizing a photo at full resolution without holding
/// three full-size float planes: the luminance alone going in, and one row
/// at a time coming out.
extension ChromaSpace {
    /// The luminance of an 8-bit image (any layout; alpha ignored): L\* 0…100
    /// or Y 0…255, equal to `planes(from:).luminance` without computing chroma.
    public func luminancePlane(of image: Image<UInt8>, threads: Int = Threads.available) -> Plane {
        let layout = PixelAccess(image.layout)
        var out = [Float].uninitialized(image.pixelCount)
        // Gray: one value per code, from the full conversion of all 256 codes.
        let grayTable = image.layout.hasColor ? [] : planes(
            from: Image(width: 256, height: 1, layout: .gray, samples: (0...255).map { UInt8($0) }), threads: 1).luminance.values
        image.samples.withUnsafeBufferPointer { source in
            SRGB.linearOfCode.withUnsafeBufferPointer { linear in
                out.withUnsafeMutableBufferPointer { out in
                    let io = LuminancePointers(source: source.baseAddress!, linear: linear.baseAddress!, out: out.baseAddress!)
                    Threads.split(image.height, threads: threads) { _, rows in
                        let start = rows.lowerBound * image.width, end = rows.upperBound * image.width
                        if !grayTable.isEmpty {
                            for i in start..<end { io.out[i] = grayTable[Int(io.source[i * layout.stride])] }
                        } else if self == .lab {
                            Self.labLightness(io, layout, from: start, to: end)
                        } else {
                            Self.luma(io, layout, from: start, to: end)
                        }
                    }
                }
            }
        }
        return Plane(width: image.width, height: image.height, values: out)
    }

    /// Converts `count` pixels of luminance and chroma (this space's units) to
    /// 8-bit RGB, 3 bytes a pixel; out-of-gamut colours are clipped per channel.
    public func rgbRow(luminance: UnsafePointer<Float>, chroma1: UnsafePointer<Float>, chroma2: UnsafePointer<Float>,
                       count: Int, into out: UnsafeMutablePointer<UInt8>) {
        switch self {
        case .lab:
            SRGB.codeAtBin.withUnsafeBufferPointer { codes in
                SRGB.threshold.withUnsafeBufferPointer { thresholds in
                    LabConversion.inverse(.init(l: luminance, a: chroma1, b: chroma2, codes: codes.baseAddress!,
                                                thresholds: thresholds.baseAddress!, out: out), from: 0, to: count)
                }
            }
        case .ycbcr:
            YCbCrConversion.inverse(.init(y: luminance, cb: chroma1, cr: chroma2, out: out), from: 0, to: count)
        }
    }

    // A dedicated kernel per space: the full conversions' arithmetic would also
    // compute chroma (two more cube roots for Lab), which costs half the speed.

    /// L\* = 116 f(Y) − 16, Y the linear-light luminance.
    private static func labLightness(_ io: LuminancePointers, _ layout: PixelAccess, from start: Int, to end: Int) {
        typealias Vector = LabConversion.Vector
        let m = LabConversion.toXYZ[1]
        var i = start
        while i < end {
            let n = min(Vector.scalarCount, end - i)
            var y = Vector()
            for k in 0..<n {
                let at = (i + k) * layout.stride
                y[k] = m[0] * io.linear[Int(io.source[at])] + m[1] * io.linear[Int(io.source[at + layout.green])]
                    + m[2] * io.linear[Int(io.source[at + layout.blue])]
            }
            let l = 116 * LabConversion.f(y) - 16
            for k in 0..<n { io.out[i + k] = l[k] }
            i += n
        }
    }

    /// JFIF's Y, the first row of `YCbCrConversion.ycbcr`.
    private static func luma(_ io: LuminancePointers, _ layout: PixelAccess, from start: Int, to end: Int) {
        for i in start..<end {
            let at = i * layout.stride
            io.out[i] = 0.299 * Float(io.source[at]) + 0.587 * Float(io.source[at + layout.green])
                + 0.114 * Float(io.source[at + layout.blue])
        }
    }
}

struct LuminancePointers {
    let source: UnsafePointer<UInt8>
    /// Linear light of each 8-bit code.
    let linear: UnsafePointer<Float>
    let out: UnsafeMutablePointer<Float>
}

import CColor
import ImageIO
import Threading

/// RGB ↔ YCbCr as JFIF defines it for JPEG (full-range BT.601), in float:
///
///     Y  =  0.299 R + 0.587 G + 0.114 B
///     Cb = −0.168736 R − 0.331264 G + 0.5 B + 128
///     Cr =  0.5 R − 0.418688 G − 0.081312 B + 128
///
/// with R, G, B and the results on 0…255. The arithmetic is CColor's; `JFIF`
/// is the same transform in libjpeg's 8-bit fixed point.
public enum YCbCrConversion {
    static func planes(from image: Image<UInt8>, threads: Int) -> ColorPlanes {
        ColorKernels.planes(of: image, in: .ycbcr, threads: threads, chroma_ycbcr_planes_u8)
    }

    static func image(from planes: ColorPlanes, threads: Int) -> Image<UInt8> {
        var out = [UInt8].uninitialized(planes.width * planes.height * 3)
        planes.luminance.values.withUnsafeBufferPointer { y in
            planes.chroma1.values.withUnsafeBufferPointer { cb in
                planes.chroma2.values.withUnsafeBufferPointer { cr in
                    out.withUnsafeMutableBufferPointer { out in
                        let (y, cb, cr, out) = (y.baseAddress!, cb.baseAddress!, cr.baseAddress!, out.baseAddress!)
                        ColorKernels.split(width: planes.width, height: planes.height, threads: threads) { pixels in
                            let start = pixels.lowerBound
                            chroma_ycbcr_to_rgb_u8(y + start, cb + start, cr + start, out + 3 * start, pixels.count)
                        }
                    }
                }
            }
        }
        return Image(width: planes.width, height: planes.height, layout: .rgb, samples: out)
    }
}

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
        ColorKernels.rgb(from: planes, threads: threads, chroma_ycbcr_to_rgb_u8)
    }
}

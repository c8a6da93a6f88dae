import CColor
import ImageIO
import Threading

/// 8-bit YCbCr exactly as libjpeg computes it (jccolor.c and jdcolor.c):
/// 16-bit fixed-point coefficients, Cb and Cr centred on 128. What a JPEG
/// file holds, and the fastest way to split luminance from chroma when
/// 8 bits suffice; `ChromaSpace.ycbcr` is the same transform in float.
public enum JFIF {
    /// RGB (or gray, alpha ignored) → an RGB-layout image whose channels hold Y, Cb, Cr.
    public static func ycbcr(from image: Image<UInt8>, threads: Int = Threads.available) -> Image<UInt8> {
        ColorKernels.made { ycbcr(from: image, into: &$0, threads: threads) }
    }

    /// `ycbcr(from:)` into `output`, whose storage is reused when it already has
    /// the size and three channels (for converting many images without
    /// allocating and zeroing a new output each time).
    public static func ycbcr(from image: Image<UInt8>, into output: inout Image<UInt8>, threads: Int = Threads.available) {
        ColorKernels.bytes(image, into: &output, as: .rgb, threads: threads, chroma_jfif_from_rgb_u8)
    }

    /// The luminance Y alone, as `ycbcr(from:)` computes it, as a gray image.
    public static func luma(of image: Image<UInt8>, threads: Int = Threads.available) -> Image<UInt8> {
        if image.layout == .gray { return image }
        return ColorKernels.made { luma(of: image, into: &$0, threads: threads) }
    }

    /// `luma(of:)` into `output`, reusing its storage as `ycbcr(from:into:)` does.
    public static func luma(of image: Image<UInt8>, into output: inout Image<UInt8>, threads: Int = Threads.available) {
        ColorKernels.bytes(image, into: &output, as: .gray, threads: threads, chroma_jfif_luma_u8)
    }

    /// The inverse: an image of Y, Cb, Cr channels → RGB, clipped to 0…255.
    public static func rgb(fromYCbCr image: Image<UInt8>, threads: Int = Threads.available) -> Image<UInt8> {
        ColorKernels.made { rgb(fromYCbCr: image, into: &$0, threads: threads) }
    }

    /// `rgb(fromYCbCr:)` into `output`, reusing its storage as `ycbcr(from:into:)` does.
    public static func rgb(fromYCbCr image: Image<UInt8>, into output: inout Image<UInt8>, threads: Int = Threads.available) {
        precondition(image.layout == .rgb, "expects three channels holding Y, Cb, Cr")
        ColorKernels.bytes(image, into: &output, as: .rgb, threads: threads) { chroma_jfif_to_rgb_u8($0, $2, $3) }
    }
}

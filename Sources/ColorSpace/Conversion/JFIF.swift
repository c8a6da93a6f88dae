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
        let layout = ColorKernels.layout(image.layout)
        var out = [UInt8].uninitialized(image.pixelCount * 3)
        image.samples.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { out in
                let (source, out) = (source.baseAddress!, out.baseAddress!)
                ColorKernels.split(image, threads: threads) { pixels in
                    chroma_jfif_from_rgb_u8(source + pixels.lowerBound * layout.stride, layout, out + 3 * pixels.lowerBound,
                                            pixels.count)
                }
            }
        }
        return Image(width: image.width, height: image.height, layout: .rgb, samples: out)
    }

    /// The luminance Y alone, as `ycbcr(from:)` computes it, as a gray image.
    public static func luma(of image: Image<UInt8>, threads: Int = Threads.available) -> Image<UInt8> {
        if image.layout == .gray { return image }
        let layout = ColorKernels.layout(image.layout)
        var out = [UInt8].uninitialized(image.pixelCount)
        image.samples.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { out in
                let (source, out) = (source.baseAddress!, out.baseAddress!)
                ColorKernels.split(image, threads: threads) { pixels in
                    chroma_jfif_luma_u8(source + pixels.lowerBound * layout.stride, layout, out + pixels.lowerBound, pixels.count)
                }
            }
        }
        return Image(width: image.width, height: image.height, layout: .gray, samples: out)
    }

    /// The inverse: an image of Y, Cb, Cr channels → RGB, clipped to 0…255.
    public static func rgb(fromYCbCr image: Image<UInt8>, threads: Int = Threads.available) -> Image<UInt8> {
        precondition(image.layout == .rgb, "expects three channels holding Y, Cb, Cr")
        var out = [UInt8].uninitialized(image.pixelCount * 3)
        image.samples.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { out in
                let (source, out) = (source.baseAddress!, out.baseAddress!)
                ColorKernels.split(image, threads: threads) { pixels in
                    chroma_jfif_to_rgb_u8(source + 3 * pixels.lowerBound, out + 3 * pixels.lowerBound, pixels.count)
                }
            }
        }
        return Image(width: image.width, height: image.height, layout: .rgb, samples: out)
    }
}

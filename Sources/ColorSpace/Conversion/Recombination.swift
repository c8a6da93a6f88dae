import CColor
import ImageIO
import Threading

/// The two halves of colorizing a photo at full resolution without holding
/// three full-size float planes: the luminance alone going in, and one row
/// at a time coming out.
extension ChromaSpace {
    /// The luminance of an 8-bit image (any layout; alpha ignored): L\* 0…100
    /// or Y 0…255, equal to `planes(from:).luminance` without computing chroma.
    public func luminancePlane(of image: Image<UInt8>, threads: Int = Threads.available) -> Plane {
        ColorKernels.plane(of: image, threads: threads, luminanceKernel8)
    }

    /// Row `y` of `luminancePlane(of: image)`, the same floats, `image.width`
    /// of them into `out`: for work that needs the luminance one row at a time
    /// and would rather compute it twice than hold a full-size float plane.
    public func luminanceRow(_ y: Int, of image: Image<UInt8>, into out: UnsafeMutablePointer<Float>) {
        ColorKernels.row(y, of: image, into: out, luminanceKernel8)
    }

    /// The luminance of `count` 8-bit pixels of `layout` at `pixels` (one row,
    /// or several one after another) into `out`: `luminanceRow`'s floats for
    /// pixels that are not (yet) an `Image`, such as rows still being decoded.
    public func luminance(of pixels: UnsafePointer<UInt8>, layout: PixelLayout, count: Int, into out: UnsafeMutablePointer<Float>) {
        luminanceKernel8(pixels, ColorKernels.layout(layout), out, count)
    }

    /// This space's luminance kernel for 8-bit samples: (source, layout, output, pixel count).
    var luminanceKernel8: (UnsafePointer<UInt8>, chroma_layout, UnsafeMutablePointer<Float>, Int) -> Void {
        self == .lab ? { chroma_lab_lightness_u8($0, $1, SRGB.tables8, $2, $3) } : chroma_luma_u8
    }

    /// Converts `count` pixels of luminance and chroma (this space's units) to
    /// 8-bit RGB, 3 bytes a pixel; out-of-gamut colours are clipped per channel.
    public func rgbRow(luminance: UnsafePointer<Float>, chroma1: UnsafePointer<Float>, chroma2: UnsafePointer<Float>,
                       count: Int, into out: UnsafeMutablePointer<UInt8>) {
        switch self {
        case .lab: chroma_lab_to_rgb_u8(luminance, chroma1, chroma2, SRGB.tables8, out, count)
        case .ycbcr: chroma_ycbcr_to_rgb_u8(luminance, chroma1, chroma2, out, count)
        }
    }
}

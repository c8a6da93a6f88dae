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
        luminancePlane(of: image, threads: threads, lab: { chroma_lab_lightness_u8($0, $1, SRGB.tables8, $2, $3) }, ycbcr: chroma_luma_u8)
    }

    /// The luminance plane through this space's kernel for `Sample`: L\* from `lab`, Y from `ycbcr`.
    func luminancePlane<Sample>(of image: Image<Sample>, threads: Int,
                                lab: (UnsafePointer<Sample>, chroma_layout, UnsafeMutablePointer<Float>, Int) -> Void,
                                ycbcr: (UnsafePointer<Sample>, chroma_layout, UnsafeMutablePointer<Float>, Int) -> Void) -> Plane {
        ColorKernels.plane(of: image, threads: threads, self == .lab ? lab : ycbcr)
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

import CColor
import ImageIO
import Threading

/// sRGB ↔ CIE L\*a\*b\* (D65, 2° observer).
///
/// Path: 8-bit code → linear light (table) → XYZ (matrix, divided by the
/// white) → f(t) = ∛t above ε → L\*a\*b\*, and back; CIE's exact ε = 216/24389
/// and κ = 24389/27 keep the two pieces of f continuous. The per-pixel
/// arithmetic lives in the CColor target (vector code chosen for the CPU);
/// this type owns the whole-image API and splits rows across threads.
public enum LabConversion {
    /// D65 reference white, Y = 1 (the values CColor uses).
    public static let white: (x: Float, y: Float, z: Float) = (0.95047, 1.0, 1.08883)

    static func planes(from image: Image<UInt8>, threads: Int) -> ColorPlanes {
        ColorKernels.planes(of: image, in: .lab, threads: threads) { chroma_lab_planes_u8($0, $1, SRGB.tables8, $2, $3, $4, $5) }
    }

    static func image(from planes: ColorPlanes, threads: Int) -> Image<UInt8> {
        ColorKernels.rgb(from: planes, threads: threads) { chroma_lab_to_rgb_u8($0, $1, $2, SRGB.tables8, $3, $4) }
    }

    /// 8-bit sRGB (any layout; alpha ignored) → 8-bit L\*a\*b\*, three bytes a pixel:
    /// round(L\* × 255/100), round(a\*) + 128, round(b\*) + 128, each clipped to 0…255.
    ///
    /// The encoding ImageMagick (`-colorspace Lab`) and OpenCV (`COLOR_RGB2Lab`)
    /// use for 8-bit Lab; every byte is within ±1 of the exact rounding of the float conversion.
    public static func lab8(from image: Image<UInt8>, threads: Int = Threads.available) -> Image<UInt8> {
        ColorKernels.made { lab8(from: image, into: &$0, threads: threads) }
    }

    /// `lab8(from:)` into `output`, whose storage is reused when it already has
    /// the size and three channels (for converting many images without
    /// allocating and zeroing a new output each time).
    public static func lab8(from image: Image<UInt8>, into output: inout Image<UInt8>, threads: Int = Threads.available) {
        ColorKernels.bytes(image, into: &output, as: .rgb, threads: threads) {
            chroma_lab8_from_rgb_u8($0, $1, SRGB.tables8, $2, $3)
        }
    }

    /// The inverse of `lab8(from:)`: 8-bit L\*a\*b\* → 8-bit sRGB, exactly rounded, clipped.
    public static func rgb(fromLab8 image: Image<UInt8>, threads: Int = Threads.available) -> Image<UInt8> {
        ColorKernels.made { rgb(fromLab8: image, into: &$0, threads: threads) }
    }

    /// `rgb(fromLab8:)` into `output`, reusing its storage as `lab8(from:into:)` does.
    public static func rgb(fromLab8 image: Image<UInt8>, into output: inout Image<UInt8>, threads: Int = Threads.available) {
        precondition(image.layout == .rgb, "expects three channels holding L*, a*, b*")
        ColorKernels.bytes(image, into: &output, as: .rgb, threads: threads) { chroma_lab8_to_rgb_u8($0, SRGB.tables8, $2, $3) }
    }

    /// L\*a\*b\* → linear sRGB (unclipped), for one pixel.
    static func linearRGB(l: Float, a: Float, b: Float) -> (Float, Float, Float) {
        var l = l, a = a, b = b, red: Float = 0, green: Float = 0, blue: Float = 0
        chroma_lab_to_linear(&l, &a, &b, &red, &green, &blue, 1)
        return (red, green, blue)
    }
}

extension LabConversion {
    /// 16-bit sRGB (any layout; alpha ignored) → L\*, a\*, b\* planes.
    static func planes(from image: Image<UInt16>, threads: Int) -> ColorPlanes {
        ColorKernels.planes(of: image, in: .lab, threads: threads) { chroma_lab_planes_u16($0, $1, SRGB.tables16, $2, $3, $4, $5) }
    }
}

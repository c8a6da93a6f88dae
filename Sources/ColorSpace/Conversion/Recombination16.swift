import CColor
import ImageIO
import Threading
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `luminancePlane` and `rgbRow` for 16-bit images: a 16-bit scan keeps its
/// precision from luminance in to RGB out, in float all the way.
extension ChromaSpace {
    /// The luminance of a 16-bit image (any layout; alpha ignored): L\* 0…100
    /// or Y 0…255 (as for 8-bit images: a 16-bit sample v counts as v / 257).
    public func luminancePlane(of image: Image<UInt16>, threads: Int = Threads.available) -> Plane {
        ColorKernels.plane(of: image, threads: threads, luminanceKernel16)
    }

    /// Row `y` of `luminancePlane(of: image)`, `image.width` floats into `out` (see the 8-bit `luminanceRow`).
    public func luminanceRow(_ y: Int, of image: Image<UInt16>, into out: UnsafeMutablePointer<Float>) {
        ColorKernels.row(y, of: image, into: out, luminanceKernel16)
    }

    /// This space's luminance kernel for 16-bit samples: (source, layout, output, pixel count).
    var luminanceKernel16: (UnsafePointer<UInt16>, chroma_layout, UnsafeMutablePointer<Float>, Int) -> Void {
        self == .lab ? { chroma_lab_lightness_u16($0, $1, SRGB.tables16, $2, $3) } : chroma_luma_u16
    }

    /// Converts `count` pixels of luminance and chroma (this space's units) to
    /// 16-bit RGB, 3 samples a pixel, rounded to nearest; out-of-gamut colours
    /// are clipped per channel.
    public func rgbRow(luminance: UnsafePointer<Float>, chroma1: UnsafePointer<Float>, chroma2: UnsafePointer<Float>,
                       count: Int, into out: UnsafeMutablePointer<UInt16>) {
        func quantised(_ encoded: Float) -> UInt16 {
            let clipped = encoded > 0 ? (encoded < 1 ? encoded : 1) : 0  // also sends NaN to 0
            return UInt16(clipped * 65535 + 0.5)
        }
        for i in 0..<count {
            switch self {
            case .lab:
                let (r, g, b) = LabConversion.linearRGB(l: luminance[i], a: chroma1[i], b: chroma2[i])
                out[3 * i] = quantised(Float(SRGB.encode(Double(max(0, r)))))
                out[3 * i + 1] = quantised(Float(SRGB.encode(Double(max(0, g)))))
                out[3 * i + 2] = quantised(Float(SRGB.encode(Double(max(0, b)))))
            case .ycbcr:
                let y = luminance[i], cb = chroma1[i] - 128, cr = chroma2[i] - 128
                out[3 * i] = quantised((y + 1.402 * cr) / 255)
                out[3 * i + 1] = quantised((y - 0.34414 * cb - 0.71414 * cr) / 255)
                out[3 * i + 2] = quantised((y + 1.772 * cb) / 255)
            }
        }
    }
}

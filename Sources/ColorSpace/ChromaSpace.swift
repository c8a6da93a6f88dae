import ImageIO
import Threading

/// A luminance–chrominance colour space chroma works in.
public enum ChromaSpace: String, Sendable, CaseIterable, Codable {
    /// CIE L\*a\*b\*, D65 white, 2° observer, from sRGB (IEC 61966-2-1).
    case lab
    /// YCbCr as JPEG (JFIF) defines it: full-range BT.601, Cb and Cr centred on 128.
    case ycbcr

    /// The value of a chroma channel that means "no colour": 0 for a\*/b\*, 128 for Cb/Cr.
    public var neutralChroma: Float { self == .lab ? 0 : 128 }

    /// The range of the luminance channel: L\* 0…100, Y 0…255.
    public var luminanceRange: ClosedRange<Float> { self == .lab ? 0...100 : 0...255 }

    /// The range chroma is normalised over (to 0…1) for the network:
    /// a\*/b\* −128…128, Cb/Cr 0…255.
    public var chromaRange: ClosedRange<Float> { self == .lab ? -128...128 : 0...255 }

    /// Names of the three channels, for labels.
    public var channelNames: [String] { self == .lab ? ["L", "a", "b"] : ["Y", "Cb", "Cr"] }

    /// Converts an 8-bit image (any layout; alpha ignored, gray taken as R = G = B).
    /// - Parameter image: sRGB samples.
    /// - Parameter threads: rows are split across this many threads (default: all cores).
    public func planes(from image: Image<UInt8>, threads: Int = Threads.available) -> ColorPlanes {
        switch self {
        case .lab: LabConversion.planes(from: image, threads: threads)
        case .ycbcr: YCbCrConversion.planes(from: image, threads: threads)
        }
    }

    /// Converts back to 8-bit RGB; out-of-gamut colours are clipped per channel.
    public func image(from planes: ColorPlanes, threads: Int = Threads.available) -> Image<UInt8> {
        precondition(planes.space == self, "planes are \(planes.space), not \(self)")
        switch self {
        case .lab: return LabConversion.image(from: planes, threads: threads)
        case .ycbcr: return YCbCrConversion.image(from: planes, threads: threads)
        }
    }

    /// The luminance plane alone (L\* 0…100 or Y 0…255) of an 8-bit image
    /// (`luminancePlane(of:)`, which computes no chroma).
    public func luminance(of image: Image<UInt8>, threads: Int = Threads.available) -> Plane {
        luminancePlane(of: image, threads: threads)
    }

    /// The planes of a gray image: the given luminance with neutral chroma.
    /// `image` reduced to this space's luminance with neutral chroma: the
    /// gray baseline a colorizer working in this space must beat.
    public func grayImage(of image: Image<UInt8>) -> Image<UInt8> {
        self.image(from: neutral(luminance: luminancePlane(of: image)))
    }

    /// `luminance` (in this space's units) with both chroma planes at their
    /// neutral value (Lab a, b = 0; YCbCr Cb, Cr = 128): a gray image.
    public func neutral(luminance: Plane) -> ColorPlanes {
        ColorPlanes(space: self, luminance: luminance,
                    chroma1: Plane(width: luminance.width, height: luminance.height, fill: neutralChroma),
                    chroma2: Plane(width: luminance.width, height: luminance.height, fill: neutralChroma))
    }
}

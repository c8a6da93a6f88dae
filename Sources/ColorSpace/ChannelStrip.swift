import ImageIO

/// Channels made visible: planes scaled to 8-bit gray and laid side by side,
/// so a person can look at L\*, a\*, b\* or Y, Cb, Cr.
public enum ChannelStrip {
    /// The 8-bit gray image of `plane`, with `value × scale + offset` rounded and clipped to 0…255.
    public static func grayImage(_ plane: Plane, scale: Float = 1, offset: Float = 0) -> Image<UInt8> {
        Image(width: plane.width, height: plane.height, layout: .gray,
              samples: plane.values.map { value in
                  let scaled = value * scale + offset
                  return UInt8(scaled > 0 ? (scaled < 255 ? scaled + 0.5 : 255) : 0)  // rounded, clipped; NaN gives 0
              })
    }

    /// The planes as 8-bit gray images, left to right, in one image.
    public static func strip(_ images: [Image<UInt8>]) -> Image<UInt8> {
        precondition(!images.isEmpty && images.allSatisfy { $0.height == images[0].height && $0.layout == .gray })
        let width = images.reduce(0) { $0 + $1.width }, height = images[0].height
        var samples = [UInt8](repeating: 0, count: width * height)
        var left = 0
        for image in images {
            for y in 0..<height {
                samples.replaceSubrange(y * width + left..<y * width + left + image.width,
                                        with: image.samples[y * image.width..<(y + 1) * image.width])
            }
            left += image.width
        }
        return Image(width: width, height: height, layout: .gray, samples: samples)
    }

    /// The three channels of `planes` on 0…255: L\* × 2.55, a\* and b\* + 128; Y, Cb, Cr as they are.
    public static func channels(of planes: ColorPlanes) -> [Image<UInt8>] {
        switch planes.space {
        case .lab:
            [grayImage(planes.luminance, scale: 2.55), grayImage(planes.chroma1, offset: 128), grayImage(planes.chroma2, offset: 128)]
        case .ycbcr:
            [grayImage(planes.luminance), grayImage(planes.chroma1), grayImage(planes.chroma2)]
        }
    }

    /// The luminance of `image` in `space` as an 8-bit gray image: L\* × 2.55,
    /// or Y exactly as libjpeg computes it (what a JPEG file holds).
    public static func luminance(of image: Image<UInt8>, in space: ChromaSpace) -> Image<UInt8> {
        switch space {
        case .lab: grayImage(space.luminancePlane(of: image), scale: 2.55)
        case .ycbcr: JFIF.luma(of: image)
        }
    }

    /// The luminance of a 16-bit image in `space` as a 16-bit gray image
    /// (L\* × 655.35, or Y × 257): the same scale as the 8-bit one, at 16-bit precision.
    public static func luminance(of image: Image<UInt16>, in space: ChromaSpace) -> Image<UInt16> {
        let scale: Float = space == .lab ? 655.35 : 257
        return Image(width: image.width, height: image.height, layout: .gray,
                     samples: space.luminancePlane(of: image).values.map { UInt16(min(max(($0 * scale).rounded(), 0), 65535)) })
    }

    /// Gamma-shifted copies of the luminance, side by side (see `GammaStack`).
    public static func gammaStack(of image: Image<UInt8>, in space: ChromaSpace, gammas: [Float]) -> Image<UInt8> {
        let luminance = space.luminance(of: image).normalised(from: space.luminanceRange)
        return strip(GammaStack.planes(from: luminance, gammas: gammas).map { grayImage($0, scale: 255) })
    }
}

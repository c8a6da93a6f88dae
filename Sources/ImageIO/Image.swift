/// How the samples of one pixel are laid out, in order.
public enum PixelLayout: Int, Sendable, CaseIterable, CustomStringConvertible {
    case gray = 1
    case grayAlpha = 2
    case rgb = 3
    case rgba = 4

    /// Samples per pixel: 1…4.
    public var channels: Int { rawValue }
    public var hasAlpha: Bool { self == .grayAlpha || self == .rgba }
    public var hasColor: Bool { self == .rgb || self == .rgba }

    /// The layout with `channels` samples per pixel, if there is one.
    public init?(channels: Int) { self.init(rawValue: channels) }

    public var description: String {
        switch self {
        case .gray: "gray"
        case .grayAlpha: "gray+alpha"
        case .rgb: "RGB"
        case .rgba: "RGBA"
        }
    }
}

/// An unsigned integer sample type an `Image` can hold: `UInt8` or `UInt16`.
public protocol ImageSample: FixedWidthInteger, UnsignedInteger, Sendable, BitwiseCopyable {}
extension UInt8: ImageSample {}
extension UInt16: ImageSample {}

/// A decoded raster: `height` rows of `width` pixels, each `layout.channels`
/// interleaved samples, rows top to bottom with no padding.
///
/// Samples are 0…`Sample.max` (255 or 65535), sRGB-encoded as stored in the
/// file; alpha is straight (not premultiplied).
public struct Image<Sample: ImageSample>: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let layout: PixelLayout
    /// `width × height × layout.channels` samples.
    public var samples: [Sample]

    public init(width: Int, height: Int, layout: PixelLayout, samples: [Sample]) {
        precondition(width >= 0 && height >= 0, "negative image size")
        precondition(samples.count == width * height * layout.channels,
                     "\(samples.count) samples do not fill a \(width)×\(height) \(layout) image")
        self.width = width
        self.height = height
        self.layout = layout
        self.samples = samples
    }

    /// An image of the given size with every sample 0.
    public init(width: Int, height: Int, layout: PixelLayout) {
        self.init(width: width, height: height, layout: layout,
                  samples: [Sample](repeating: 0, count: width * height * layout.channels))
    }

    public var channels: Int { layout.channels }
    public var pixelCount: Int { width * height }

    /// The sample of `channel` at column `x`, row `y`.
    public subscript(x: Int, y: Int, channel: Int) -> Sample {
        get { samples[(y * width + x) * layout.channels + channel] }
        set { samples[(y * width + x) * layout.channels + channel] = newValue }
    }

    /// The same pixels without their alpha channel (the image itself if it has none).
    public func droppingAlpha() -> Image {
        guard layout.hasAlpha else { return self }
        let kept = layout.channels - 1
        var out = [Sample](repeating: 0, count: pixelCount * kept)
        samples.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for pixel in 0..<pixelCount {
                    for c in 0..<kept { target[pixel * kept + c] = source[pixel * (kept + 1) + c] }
                }
            }
        }
        return Image(width: width, height: height, layout: kept == 1 ? .gray : .rgb, samples: out)
    }
}

extension Image where Sample == UInt8 {
    /// Whether any pixel's channels differ by more than `tolerance`: a gray
    /// photo saved as RGB has no colour to score a colorizer against.
    public func hasColour(tolerance: Int = 2) -> Bool {
        guard layout.hasColor else { return false }
        let channels = self.channels
        return samples.withUnsafeBufferPointer { s in
            for p in Swift.stride(from: 0, to: s.count, by: channels) {
                let r = Int(s[p]), g = Int(s[p + 1]), b = Int(s[p + 2])
                if abs(r - g) > tolerance || abs(g - b) > tolerance || abs(r - b) > tolerance { return true }
            }
            return false
        }
    }

    /// 16-bit samples with the same values (`v × 257`, so 255 becomes 65535).
    public func widened() -> Image<UInt16> {
        Image<UInt16>(width: width, height: height, layout: layout,
                      samples: samples.map { UInt16($0) &* 257 })
    }
}

extension Image where Sample == UInt16 {
    /// 8-bit samples, rounded to nearest (`(v × 255 + 32767) / 65535`).
    public func narrowed() -> Image<UInt8> {
        Image<UInt8>(width: width, height: height, layout: layout,
                     samples: samples.map { UInt8((UInt32($0) * 255 + 32767) / 65535) })
    }
}

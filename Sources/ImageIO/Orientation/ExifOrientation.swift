/// The EXIF orientation tag (0x0112): how the stored pixels must be turned to
/// stand upright. Raw values 1…8; anything else, or no tag, means `.up`.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    case up = 1
    case upMirrored = 2
    case down = 3
    case downMirrored = 4
    case leftMirrored = 5
    case right = 6
    case rightMirrored = 7
    case left = 8

    /// Whether turning upright swaps width and height.
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// Reads the tag from a TIFF-structured EXIF block (the APP1 payload after
    /// "Exif\0\0", or a PNG eXIf chunk). Damaged or missing data gives `.up`.
    public init(exif: UnsafeBufferPointer<UInt8>) {
        self = Self.parse(exif) ?? .up
    }

    private static func parse(_ data: UnsafeBufferPointer<UInt8>) -> ExifOrientation? {
        guard data.count >= 8, data[0] == data[1], data[0] == 0x49 || data[0] == 0x4D else { return nil }
        let reader = TIFFDirectory.Reader(bytes: Array(data), bigEndian: data[0] == 0x4D)
        func read16(_ offset: Int) -> Int? { reader.u16(offset) }
        func read32(_ offset: Int) -> Int? { reader.u32(offset).map(Int.init) }
        guard read16(2) == 42, let ifd = read32(4), let entries = read16(ifd) else { return nil }
        for entry in 0..<entries {
            let at = ifd + 2 + entry * 12
            guard let tag = read16(at) else { return nil }
            if tag == 0x0112 {
                guard read16(at + 2) == 3, let value = read16(at + 8) else { return nil }  // SHORT
                return ExifOrientation(rawValue: value)
            }
        }
        return nil
    }
}

extension Image {
    /// The image turned upright as `orientation` says.
    public func oriented(_ orientation: ExifOrientation) -> Image {
        if orientation == .up { return self }
        let w = width, h = height, c = channels
        let outWidth = orientation.swapsDimensions ? h : w
        let outHeight = orientation.swapsDimensions ? w : h
        var out = [Sample](repeating: 0, count: samples.count)
        samples.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        // The stored pixel that lands at (x, y) once upright.
                        let (sx, sy): (Int, Int) = switch orientation {
                        case .up: (x, y)
                        case .upMirrored: (w - 1 - x, y)
                        case .down: (w - 1 - x, h - 1 - y)
                        case .downMirrored: (x, h - 1 - y)
                        case .leftMirrored: (y, x)
                        case .right: (y, h - 1 - x)
                        case .rightMirrored: (w - 1 - y, h - 1 - x)
                        case .left: (w - 1 - y, x)
                        }
                        let from = (sy * w + sx) * c, to = (y * outWidth + x) * c
                        for k in 0..<c { target[to + k] = source[from + k] }
                    }
                }
            }
        }
        return Image(width: outWidth, height: outHeight, layout: layout, samples: out)
    }
}

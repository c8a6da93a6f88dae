/// Why an image could not be read or written. The CLI adds the file name.
public enum ImageIOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data is neither PNG nor JPEG, or does not start as its format must.
    case notAnImage(String)
    /// The data ends before the image does.
    case truncated(String)
    /// The data is damaged.
    case corruptData(String)
    /// A valid variant this build cannot decode (12-bit or lossless JPEG, …).
    case unsupported(String)
    /// An image format chroma does not read (its name: "GIF", "WebP", …).
    case unsupportedFormat(String)
    /// The header promises more pixels than the limit allows; nothing was allocated.
    case tooLarge(width: Int, height: Int, limit: Int)
    /// Another resource bound (file size, scans, chunk size, excess data) was exceeded.
    case limitExceeded(DecodingLimit, String)
    case outOfMemory
    /// The image cannot be written in the requested form.
    case cannotEncode(String)
    /// Reading or writing a file failed.
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case .notAnImage(let reason): "not an image: \(reason)"
        case .truncated(let reason): "truncated: \(reason)"
        case .corruptData(let reason): "corrupt data: \(reason)"
        case .unsupported(let reason): "unsupported: \(reason)"
        case .unsupportedFormat(let name): "\(name) is not supported (chroma reads PNG, JPEG, TIFF and WebP)"
        case .tooLarge(let width, let height, let limit):
            "too large: \(width)×\(height) is \(Self.megapixels(width * height)) megapixels, over the limit of \(Self.megapixels(limit)) (raise it with \(DecodingLimit.pixels.option))"
        case .limitExceeded(let limit, let reason): "limit exceeded: \(reason) (raise it with \(limit.option))"
        case .outOfMemory: "out of memory"
        case .cannotEncode(let reason): "cannot encode: \(reason)"
        case .fileSystem(let path, let reason): "\(path): \(reason)"
        }
    }

    private static func megapixels(_ pixels: Int) -> String {
        let tenths = (pixels + 50_000) / 100_000
        return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)"
    }
}

extension ImageIOError {
    /// Why work on the file `path` failed, in words for a line that already names
    /// `path`: a file-system error about `path` itself is not named twice.
    public static func reason(_ error: any Error, about path: String) -> String {
        if case let .fileSystem(errorPath, text)? = error as? ImageIOError {
            return errorPath == path ? text : "\(FileNames.display(errorPath)): \(text)"
        }
        return "\(error)"
    }
}

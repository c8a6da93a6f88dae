/// A file format chroma reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png
    case jpeg
    case tiff
    case webp

    /// The format the data's first bytes announce, whatever the file is called.
    public static func sniff<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> ImageFormat? {
        let head = Array(bytes.prefix(8))
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        if head.count >= 4 && (head[0...3] == [0x49, 0x49, 0x2A, 0x00] || head[0...3] == [0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        let twelve = Array(bytes.prefix(12))
        if twelve.count == 12, twelve[0..<4] == [0x52, 0x49, 0x46, 0x46], twelve[8..<12] == [0x57, 0x45, 0x42, 0x50] { return .webp }
        return nil
    }

    /// The format a file name's extension suggests (`.png`, `.jpg`, `.tif`, `.webp`, …), for outputs.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg", "jpe", "jfif": self = .jpeg
        case "tif", "tiff": self = .tiff
        case "webp": self = .webp
        default: return nil
        }
    }

    /// The format a file name's extension names (`photos/a.JPG`: JPEG), if any.
    public init?(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        self.init(pathExtension: String(name[name.index(after: dot)...]))
    }

    /// The format's name for people: "PNG", "JPEG", "TIFF", "WebP".
    public var name: String {
        switch self {
        case .png: "PNG"
        case .jpeg: "JPEG"
        case .tiff: "TIFF"
        case .webp: "WebP"
        }
    }

    /// The name of an image format chroma does not read, from a file name's
    /// extension ("GIF" for `.gif`), or nil.
    public static func unsupportedName(pathExtension: String) -> String? {
        switch pathExtension.lowercased() {
        case "gif": "GIF"
        case "bmp", "dib": "BMP"
        case "heic", "heif": "HEIF"
        case "avif": "AVIF"
        case "jxl": "JPEG XL"
        case "jp2", "j2k", "jpf", "jpx": "JPEG 2000"
        case "psd": "Photoshop (PSD)"
        case "dng", "cr2", "cr3", "nef", "arw", "orf", "rw2", "raf": "camera raw"
        default: nil
        }
    }

    /// The name of an image format chroma does not read, from the data's first bytes, or nil.
    public static func unsupportedName<Bytes: Collection<UInt8>>(sniffing bytes: Bytes) -> String? {
        let head = Array(bytes.prefix(16))
        func starts(_ prefix: String, at offset: Int = 0) -> Bool {
            head.count >= offset + prefix.utf8.count && Array(head[offset..<(offset + prefix.utf8.count)]) == Array(prefix.utf8)
        }
        if starts("GIF87a") || starts("GIF89a") { return "GIF" }
        if starts("BM") && head.count >= 16 && [12, 40, 52, 56, 64, 108, 124].contains(Int(head[14])) && head[15] == 0 { return "BMP" }
        if head.count >= 4 && (head[0...3] == [0x49, 0x49, 0x2B, 0x00] || head[0...3] == [0x4D, 0x4D, 0x00, 0x2B]) { return "BigTIFF" }
        if starts("ftypavif", at: 4) { return "AVIF" }
        if starts("ftypheic", at: 4) || starts("ftypheix", at: 4) || starts("ftypmif1", at: 4) { return "HEIF" }
        if head.count >= 2 && head[0] == 0xFF && head[1] == 0x0A { return "JPEG XL" }
        if starts("8BPS") { return "Photoshop (PSD)" }
        return nil
    }

    /// The usual file extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        case .tiff: "tif"
        case .webp: "webp"
        }
    }
}

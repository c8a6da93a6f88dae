/// A file format chroma reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png
    case jpeg

    /// The format the data's first bytes announce, whatever the file is called.
    public static func sniff<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> ImageFormat? {
        let head = Array(bytes.prefix(8))
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF { return .jpeg }
        return nil
    }

    /// The format a file name's extension suggests (`.png`, `.jpg`, `.jpeg`), for outputs.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg", "jpe", "jfif": self = .jpeg
        default: return nil
        }
    }

    /// The usual file extension, without the dot.
    public var fileExtension: String { self == .png ? "png" : "jpg" }
}

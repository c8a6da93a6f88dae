#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File names are bytes; Swift strings are Unicode.
///
/// A name that is not valid UTF-8 (a photo saved as `café.jpg` by a Latin-1
/// system is `caf\xE9.jpg` on disk) is carried in a `String` with each byte
/// that does not decode as one private-use scalar, U+10FE80…U+10FEFF, and turned
/// back into exactly the same bytes whenever it reaches the file system. Names
/// that are valid UTF-8 are untouched. (The escape range is Plane 16's private
/// use area, which no file name written by a person contains.)
public enum FileNames {
    private static let escapeBase: UInt32 = 0x10FE00

    /// The name in `bytes`, with undecodable bytes escaped.
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        let bytes = Array(bytes)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var text = String.UnicodeScalarView()
        var position = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                text.append(Unicode.UTF8.decode(encoded))
                position += encoded.count
            case .error(let length):
                for byte in bytes[position..<position + length] {
                    text.append(Unicode.Scalar(escapeBase + UInt32(byte))!)
                }
                position += length
            case .emptyInput:
                return String(text)
            }
        }
    }

    /// The bytes of `path` as the file system knows them (no terminating NUL).
    public static func bytes(_ path: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        for scalar in path.unicodeScalars {
            if scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF {
                out.append(UInt8(scalar.value - escapeBase))
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        return out
    }

    /// Calls `body` with `path` as a NUL-terminated C string of its file-system bytes.
    public static func withSystemPath<Result>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        let encoded = bytes(path).map { CChar(bitPattern: $0) } + [0]
        return try encoded.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// `path` for a message or a JSON field: escaped bytes shown as `\xE9`.
    public static func display(_ path: String) -> String {
        guard path.unicodeScalars.contains(where: { $0.value >= escapeBase + 0x80 && $0.value <= escapeBase + 0xFF }) else { return path }
        var out = ""
        for scalar in path.unicodeScalars {
            if scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF {
                let byte = scalar.value - escapeBase
                out += "\\x" + String(byte, radix: 16, uppercase: true)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

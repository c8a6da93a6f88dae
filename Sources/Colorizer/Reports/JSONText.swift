import Foundation

/// JSON as chroma prints it: keys sorted, slashes in paths left as they are.
public enum JSONText {
    /// `value` as one line of JSON (or indented, with `pretty`).
    public static func encode<Value: Encodable>(_ value: Value, pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

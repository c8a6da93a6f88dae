/// Comma-separated values as RFC 4180 writes them.
enum CSV {
    /// `text` as one field: quoted (with inner quotes doubled) when it holds a comma, a quote or a line break.
    static func field(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}

import Foundation

/// Path arithmetic on plain strings (Foundation's NSString versions trap on some inputs, such as "-").
public enum Paths {
    /// The last non-empty component: "photo.jpg" of "albums/photo.jpg" and of "albums/photo.jpg/".
    public static func lastComponent(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }

    /// Everything before the last slash: "" for a bare name, "/" for a file at the root.
    public static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The extension without its dot, or "" (a leading dot starts a name, not an extension).
    public static func pathExtension(_ path: String) -> String {
        let name = lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// The path without trailing slashes ("/" stays "/"), for folders named in messages and joined later.
    public static func trimmed(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    /// `folder/name`, without doubling a slash the folder already ends in.
    public static func join(_ folder: String, _ name: String) -> String {
        if folder.isEmpty { return name }
        return folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// The path with `.` components, repeated slashes and a trailing slash
    /// removed, made absolute against the working directory: two spellings of
    /// one path compare equal.
    public static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        let absolute = path.hasPrefix("/") ? path : currentDirectory + "/" + path
        for part in absolute.split(separator: "/") where part != "." {
            if part == ".." { if !parts.isEmpty { parts.removeLast() } } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The working directory when first asked.
    public static let currentDirectory: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return FileNames.decode(buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) })
    }()

    /// The path without its extension and dot (as `pathExtension` finds it).
    public static func deletingExtension(_ path: String) -> String {
        let ext = pathExtension(path)
        return ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
    }
}

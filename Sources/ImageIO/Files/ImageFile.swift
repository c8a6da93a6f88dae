import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing image files; `-` stands for standard input or output.
///
/// Writes are atomic: the bytes go to a temporary file beside the target,
/// which gets the target's name only when complete, so an interrupted run
/// never leaves a half-written file. On Linux the temporary file is unnamed
/// (O_TMPFILE), so even a killed process leaves nothing behind.
public enum ImageFile {
    /// The path that means standard input or output.
    public static let standardStream = "-"

    /// All bytes of the file at `path` (or of standard input for `-`); a file
    /// larger than `maxBytes` is refused without reading it all.
    public static func readBytes(_ path: String, maxBytes: Int = DecodingOptions().maxFileBytes) throws -> [UInt8] {
        if path == standardStream { return try readAll(fd: STDIN_FILENO, path: "<stdin>", maxBytes: maxBytes) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImageIOError.fileSystem(path: path, reason: lastError()) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw ImageIOError.fileSystem(path: path, reason: "is a directory")
        }
        if (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) > maxBytes {
            throw tooBig(Int(info.st_size), maxBytes)
        }
        return try readAll(fd: fd, path: path, maxBytes: maxBytes)
    }

    /// Decodes the image at `path` (or standard input for `-`) to 8-bit samples.
    public static func read(_ path: String, options: DecodingOptions = .init()) throws -> Image<UInt8> {
        try ImageDecoder.decode(readBytes(path, maxBytes: options.maxFileBytes), options: options)
    }

    /// Writes `bytes` to `path` atomically (or to standard output for `-`).
    /// An existing file is replaced only if `overwrite` is true.
    public static func write(_ bytes: [UInt8], to path: String, overwrite: Bool = false) throws {
        if path == standardStream {
            try writeAll(fd: STDOUT_FILENO, bytes, path: "<stdout>")
            return
        }
        if !overwrite && access(path, F_OK) == 0 {
            throw ImageIOError.fileSystem(path: path, reason: "already exists")
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        if try writeUnnamed(bytes, to: path, directory: directory, name: name, overwrite: overwrite) { return }
        var template = Array("\(directory).\(name).chroma-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ImageIOError.fileSystem(path: path, reason: lastError()) }
        let temporary = String(nulTerminated: template)
        do {
            defer { close(fd) }
            try writeAll(fd: fd, bytes, path: path)
            _ = fchmod(fd, 0o644 & ~currentUmask())
        } catch {
            unlink(temporary)
            throw error
        }
        // rename() replaces atomically; link() refuses to replace, which closes
        // the race between the existence check above and this point.
        let placed = overwrite ? rename(temporary, path) : link(temporary, path)
        let reason = placed == 0 ? nil : lastError()
        if !overwrite || placed != 0 { unlink(temporary) }
        if let reason {
            throw ImageIOError.fileSystem(path: path, reason: errno == EEXIST ? "already exists" : reason)
        }
    }

    /// Writes through an unnamed file; false when the file system (or a
    /// missing /proc) cannot, and the caller falls back to a named one.
    private static func writeUnnamed(_ bytes: [UInt8], to path: String, directory: String, name: String,
                                     overwrite: Bool) throws -> Bool {
        let fd = chroma_open_unnamed(directory.isEmpty ? "." : directory, UInt32(0o644 & ~currentUmask()))
        guard fd >= 0 else { return false }
        defer { close(fd) }
        try writeAll(fd: fd, bytes, path: path)
        if !overwrite {
            if chroma_link_unnamed(fd, path) == 0 { return true }
            if errno == EEXIST { throw ImageIOError.fileSystem(path: path, reason: "already exists") }
            return false
        }
        // rename() is the only atomic replace, and it needs a name to move from:
        // one that exists only between these two calls.
        let temporary = "\(directory).\(name).chroma-\(UInt32.random(in: 0...UInt32.max))"
        guard chroma_link_unnamed(fd, temporary) == 0 else { return false }
        if rename(temporary, path) != 0 {
            let reason = lastError()
            unlink(temporary)
            throw ImageIOError.fileSystem(path: path, reason: reason)
        }
        return true
    }

    /// Whether `path` names an existing directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func readAll(fd: Int32, path: String, maxBytes: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ImageIOError.fileSystem(path: path, reason: lastError())
            }
            if count == 0 { return bytes }
            if bytes.count + count > maxBytes { throw tooBig(nil, maxBytes) }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    private static func writeAll(fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw ImageIOError.fileSystem(path: path, reason: lastError())
                }
                offset += count
            }
        }
    }

    private static func tooBig(_ size: Int?, _ maxBytes: Int) -> ImageIOError {
        let megabytes = { (bytes: Int) in bytes >= 10 << 20 ? "\(bytes >> 20) MiB" : "\(bytes) bytes" }
        let what = size.map { "the file is \(megabytes($0)), over" } ?? "the input is larger than"
        return .limitExceeded(.fileSize, "\(what) the limit of \(megabytes(maxBytes))")
    }

    private static func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

import CShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a path names.
public enum FileKind: Sendable, Equatable {
    case regular, directory
    /// A FIFO, socket or device: reading it may block forever, so folder scans pass it by.
    case special(String)

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .special("a FIFO")
        case S_IFSOCK: self = .special("a socket")
        case S_IFCHR, S_IFBLK: self = .special("a device")
        default: self = .special("not a regular file")
        }
    }
}

/// A file's device and inode: two paths with the same identity are one file.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64
}

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
        let fd = FileNames.withSystemPath(path) { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw ImageIOError.fileSystem(path: path, reason: lastError()) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw ImageIOError.fileSystem(path: path, reason: "is a directory")
        }
        if (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) > maxBytes {
            throw tooBig(Int(info.st_size), maxBytes)
        }
        return try readAll(fd: fd, path: path, maxBytes: maxBytes, expected: (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil)
    }

    /// Whether the image at `path` is one chroma colorized (it carries
    /// `ImageMetadata.colorizedMarker`). Reads only the file's structure, a few
    /// bytes at a time, wherever the format keeps the marker: JPEG's segments
    /// before the first scan, PNG's chunk headers and text chunks, TIFF's first
    /// directory table, WebP's chunk headers.
    public static func isColorizedByChroma(_ path: String) -> Bool {
        let fd = FileNames.withSystemPath(path) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        let size = Int(info.st_size)
        func read(_ offset: Int, _ count: Int) -> [UInt8] {
            guard offset >= 0, count > 0, offset < size else { return [] }
            var bytes = [UInt8](repeating: 0, count: min(count, size - offset))
            let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            return got > 0 ? Array(bytes.prefix(got)) : []
        }
        let marker = Array(ImageMetadata.colorizedMarker.utf8)
        let head = read(0, 16)
        // Integers as TIFF's reader reads them (nil past the bytes' end counts as 0).
        func u16(_ b: [UInt8], _ at: Int, big: Bool = true) -> Int { TIFFDirectory.Reader(bytes: b, bigEndian: big).u16(at) ?? 0 }
        func u32(_ b: [UInt8], _ at: Int, big: Bool = true) -> Int { Int(TIFFDirectory.Reader(bytes: b, bigEndian: big).u32(at) ?? 0) }
        switch ImageFormat.sniff(head) {
        case .jpeg?:
            var at = 2
            for _ in 0..<10_000 {
                let header = read(at, 4)
                guard header.count == 4, header[0] == 0xFF, header[1] != 0xDA, header[1] != 0xD9 else { return false }
                let length = u16(header, 2)
                if header[1] == 0xFE, length - 2 == marker.count, read(at + 4, marker.count) == marker { return true }
                at += 2 + length
            }
        case .png?:
            var at = 8
            let text = Array("Comment".utf8) + [0] + marker
            for _ in 0..<100_000 {
                let header = read(at, 8)
                guard header.count == 8 else { return false }
                let length = u32(header, 0), type = String(decoding: header[4..<8], as: UTF8.self)
                if type == "IEND" { return false }
                if type == "tEXt", length == text.count, read(at + 8, length) == text { return true }
                at += 12 + length
            }
        case .tiff?:
            let big = head[0] == 0x4D, ifd = u32(head, 4, big: big)
            let countBytes = read(ifd, 2)
            guard countBytes.count == 2 else { return false }
            let count = min(u16(countBytes, 0, big: big), 4096)
            let table = read(ifd + 2, 12 * count)
            return stride(from: 0, to: table.count - 11, by: 12).contains { u16(table, $0, big: big) == Int(TIFFMetadata.markerTag) }
        case .webp?:
            var at = 12
            for _ in 0..<10_000 {
                let header = read(at, 8)
                guard header.count == 8 else { return false }
                if String(decoding: header[0..<4], as: UTF8.self) == WebPMetadata.markerChunk { return true }
                at += 8 + (u32(header, 4, big: false) + 1) / 2 * 2
            }
        case nil:
            return false
        }
        return false
    }

    /// Decodes the image at `path` (or standard input for `-`) to 8-bit samples.
    public static func read(_ path: String, options: DecodingOptions = .init()) throws -> Image<UInt8> {
        try ImageDecoder.decode(readBytes(path, maxBytes: options.maxFileBytes), options: options)
    }

    /// Writes `bytes` to `path` atomically (or to standard output for `-`).
    /// An existing file is replaced only if `overwrite` is true.
    public static func write(_ bytes: [UInt8], to path: String, overwrite: Bool = false) throws {
        if path == standardStream {
            if isatty(STDOUT_FILENO) == 1 {
                throw ImageIOError.fileSystem(path: "<stdout>", reason: "is a terminal; redirect it to a file or a pipe, or name an output file")
            }
            try writeAll(fd: STDOUT_FILENO, bytes, path: "<stdout>")
            return
        }
        if !overwrite && exists(path) {
            throw ImageIOError.fileSystem(path: path, reason: "already exists")
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        if try writeUnnamed(bytes, to: path, directory: directory, name: name, overwrite: overwrite) { return }
        var template = FileNames.bytes("\(directory).\(name).chroma-XXXXXX").map { CChar(bitPattern: $0) } + [0]
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ImageIOError.fileSystem(path: path, reason: lastError()) }
        let temporary = FileNames.decode(template.dropLast().map { UInt8(bitPattern: $0) })
        do {
            defer { close(fd) }
            try writeAll(fd: fd, bytes, path: path)
            _ = fchmod(fd, 0o644 & ~currentUmask())
        } catch {
            remove(temporary)
            throw error
        }
        // rename() replaces atomically; link() refuses to replace, which closes
        // the race between the existence check above and this point.
        let placed = FileNames.withSystemPath(temporary) { from in
            FileNames.withSystemPath(path) { to in overwrite ? rename(from, to) : link(from, to) }
        }
        let reason = placed == 0 ? nil : lastError()
        if !overwrite || placed != 0 { remove(temporary) }
        if let reason {
            throw ImageIOError.fileSystem(path: path, reason: errno == EEXIST ? "already exists" : reason)
        }
    }

    /// Writes through an unnamed file; false when the file system (or a
    /// missing /proc) cannot, and the caller falls back to a named one.
    private static func writeUnnamed(_ bytes: [UInt8], to path: String, directory: String, name: String,
                                     overwrite: Bool) throws -> Bool {
        let fd = FileNames.withSystemPath(directory.isEmpty ? "." : directory) { chroma_open_unnamed($0, UInt32(0o644 & ~currentUmask())) }
        guard fd >= 0 else { return false }
        defer { close(fd) }
        try writeAll(fd: fd, bytes, path: path)
        if !overwrite {
            if FileNames.withSystemPath(path, { chroma_link_unnamed(fd, $0) }) == 0 { return true }
            if errno == EEXIST { throw ImageIOError.fileSystem(path: path, reason: "already exists") }
            return false
        }
        // rename() is the only atomic replace, and it needs a name to move from:
        // one that exists only between these two calls.
        let temporary = "\(directory).\(name).chroma-\(UInt32.random(in: 0...UInt32.max))"
        guard FileNames.withSystemPath(temporary, { chroma_link_unnamed(fd, $0) }) == 0 else { return false }
        let renamed = FileNames.withSystemPath(temporary) { from in FileNames.withSystemPath(path) { rename(from, $0) } }
        if renamed != 0 {
            let reason = lastError()
            remove(temporary)
            throw ImageIOError.fileSystem(path: path, reason: reason)
        }
        return true
    }

    /// Whether `path` names an existing directory.
    public static func isDirectory(_ path: String) -> Bool {
        kind(of: path) == .directory
    }

    /// Whether anything exists at `path` (a dangling symbolic link counts).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return FileNames.withSystemPath(path) { lstat($0, &info) } == 0
    }

    /// What `path` names, following symbolic links; nil when nothing is there.
    public static func kind(of path: String) -> FileKind? {
        var info = stat()
        guard FileNames.withSystemPath(path, { stat($0, &info) }) == 0 else { return nil }
        return FileKind(mode: info.st_mode)
    }

    /// The size in bytes of the regular file at `path`, or nil.
    public static func size(of path: String) -> Int? {
        var info = stat()
        guard FileNames.withSystemPath(path, { stat($0, &info) }) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// The device and inode of the file at `path` (symbolic links followed), or nil.
    public static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard FileNames.withSystemPath(path, { stat($0, &info) }) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Creates the folder `path` and any missing parents; an error names the
    /// path that could not be made and why, in one line.
    public static func makeDirectories(_ path: String) throws {
        if path.isEmpty { throw ImageIOError.fileSystem(path: "\"\"", reason: "an empty path names no folder") }
        if let kind = kind(of: path) {
            if kind == .directory { return }
            throw ImageIOError.fileSystem(path: path, reason: "exists and is not a folder")
        }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if let kind = kind(of: prefix) {
                if kind != .directory { throw ImageIOError.fileSystem(path: prefix, reason: "exists and is not a folder") }
            } else if FileNames.withSystemPath(prefix, { mkdir($0, 0o777) }) != 0 && errno != EEXIST {
                throw ImageIOError.fileSystem(path: prefix, reason: lastError())
            }
            prefix += "/"
        }
    }

    /// The entries of the folder `path` (without `.` and `..`), unsorted, each
    /// with what it is (symbolic links followed; nil for a dangling one).
    public static func listDirectory(_ path: String) throws -> [(name: String, kind: FileKind?)] {
        guard let directory = FileNames.withSystemPath(path, { opendir($0) }) else {
            throw ImageIOError.fileSystem(path: path, reason: lastError())
        }
        defer { closedir(directory) }
        var entries: [(name: String, kind: FileKind?)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                FileNames.decode(raw.prefix(while: { $0 != 0 }))
            }
            if name == "." || name == ".." { continue }
            entries.append((name, kind(of: path.hasSuffix("/") ? path + name : path + "/" + name)))
        }
        return entries
    }

    /// Removes the file at `path`, ignoring failure.
    static func remove(_ path: String) {
        _ = FileNames.withSystemPath(path) { unlink($0) }
    }

    /// - Parameter expected: the file's size when known: the array is made that large (and one
    ///   byte more, to see the end) at once, instead of growing by doubling, copying as it goes.
    private static func readAll(fd: Int32, path: String, maxBytes: Int, expected: Int? = nil) throws -> [UInt8] {
        var bytes: [UInt8] = []
        if let expected { bytes.reserveCapacity(min(expected, maxBytes) + 1) }
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

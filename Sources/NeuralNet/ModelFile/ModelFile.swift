import CNeuralNet
import Foundation

/// A trained network on disk: its architecture, what it was trained for, its weights.
///
/// Format, version 1, all integers little-endian:
///
///     magic       8 bytes   "CHROMANN"
///     version     u32       1
///     spec        u32 n, then n bytes of UTF-8: the architecture text
///     inputs      u32       input channels
///     metadata    u32 count, then per entry: u32 n + key, u32 n + value (UTF-8, keys sorted)
///     parameters  u64 count, then count × f32
///     state       u64 count, then count × f32 (batch-norm running statistics)
///     extra       u64 count, then count × f32 (optimiser state in training
///                           checkpoints; empty in finished models)
///     checksum    u32       CRC-32 (IEEE 802.3) of every byte before it
///
/// The metadata is a string map for whoever trains the network: the
/// colorizer records the task, colour space, channels, normalisation and gammas.
public struct ModelFile {
    public static let magic = Array("CHROMANN".utf8)
    public static let version: UInt32 = 1

    public var network: Network
    public var metadata: [String: String]
    /// Floats the network does not use: an optimiser's state in a checkpoint.
    public var extra: [Float]

    public init(network: Network, metadata: [String: String] = [:], extra: [Float] = []) {
        self.network = network
        self.metadata = metadata
        self.extra = extra
    }

    // MARK: Bytes

    /// The file's bytes in the format above.
    public func encoded() -> [UInt8] {
        var out = Self.magic
        out.append(littleEndian: Self.version)
        out.append(string: network.architecture.text)
        out.append(littleEndian: UInt32(network.inputChannels))
        out.append(littleEndian: UInt32(metadata.count))
        for key in metadata.keys.sorted() {
            out.append(string: key)
            out.append(string: metadata[key]!)
        }
        for values in [UnsafeBufferPointer(network.parameters.buffer), UnsafeBufferPointer(network.state.buffer)] {
            out.append(littleEndian: UInt64(values.count))
            out.append(littleEndian: values)
        }
        out.append(littleEndian: UInt64(extra.count))
        extra.withUnsafeBufferPointer { out.append(littleEndian: $0) }
        out.append(littleEndian: CRC32.checksum(out))
        return out
    }

    /// `bytes` with their last 4 bytes replaced by the checksum of the rest, as
    /// `encoded()` ends a file: for tools and fuzzing that edit a model file's bytes.
    public static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 4 else { return bytes }
        var sealed = Array(bytes.dropLast(4))
        sealed.append(littleEndian: CRC32.checksum(sealed))
        return sealed
    }

    /// Decodes and checks a model file; nothing is read before the checksum matches.
    public init(decoding bytes: [UInt8]) throws {
        let minimum = Self.magic.count + 4 + 4 + 4 + 4 + 8 + 8 + 8 + 4
        guard bytes.count >= Self.magic.count, Array(bytes.prefix(Self.magic.count)) == Self.magic else {
            throw bytes.count < Self.magic.count && Self.magic.starts(with: bytes) ? ModelFileError.truncated : ModelFileError.notAModel
        }
        guard bytes.count >= minimum else { throw ModelFileError.truncated }
        var reader = ByteReader(bytes: bytes, end: bytes.count - 4)
        let stored = ByteReader(bytes: bytes, end: bytes.count, position: bytes.count - 4).peekUInt32()
        let version = ByteReader(bytes: bytes, end: bytes.count, position: Self.magic.count).peekUInt32()
        guard CRC32.checksum(bytes[0..<(bytes.count - 4)]) == stored else {
            // A newer version may checksum differently; say so rather than "corrupt".
            throw version != Self.version && version < 1000 ? ModelFileError.unsupportedVersion(version) : ModelFileError.checksumMismatch
        }
        reader.position = Self.magic.count + 4
        guard version == Self.version else { throw ModelFileError.unsupportedVersion(version) }
        let spec = try reader.string()
        let inputs = Int(try reader.uint32())
        var metadata: [String: String] = [:]
        for _ in 0..<(try reader.uint32()) {
            let key = try reader.string()
            metadata[key] = try reader.string()
        }
        let architecture: Architecture
        do { architecture = try Architecture(spec) } catch { throw ModelFileError.malformed("\(error)") }
        guard (1...4096).contains(inputs) else { throw ModelFileError.malformed("\(inputs) input channels") }
        // Sizes are checked before anything is allocated for them.
        let expected = Network.counts(architecture: architecture, inputChannels: inputs)
        let parameterCount = try reader.uint64()
        guard parameterCount == UInt64(expected.parameters) else {
            throw ModelFileError.shapeMismatch("'\(spec)' with \(inputs) inputs has \(expected.parameters) parameters where the file has \(parameterCount)")
        }
        // Divide rather than multiply: a count near 2^64 must not overflow.
        guard parameterCount <= UInt64(max(0, reader.end - reader.position - 8)) / 4 else { throw ModelFileError.truncated }
        // Its parameters are about to be read: no initial ones drawn (11 % of colorizing one 12 MP photo's
        // instructions went into drawing them, before).
        let network = Network(architecture: architecture, inputChannels: inputs, initialParameters: .zero)
        try reader.floats(into: network.parameters.buffer)
        let stateCount = try reader.uint64()
        guard stateCount == UInt64(expected.state) else {
            throw ModelFileError.shapeMismatch("'\(spec)' has \(expected.state) state values where the file has \(stateCount)")
        }
        try reader.floats(into: network.state.buffer)
        let extraCount = try reader.uint64()
        guard extraCount <= UInt64(reader.end - reader.position) / 4 else { throw ModelFileError.truncated }
        var extra = [Float](repeating: 0, count: Int(extraCount))
        try extra.withUnsafeMutableBufferPointer { try reader.floats(into: $0) }
        self.extra = extra
        guard reader.position == reader.end else { throw ModelFileError.malformed("\(reader.end - reader.position) unexplained bytes") }
        // A NaN or infinite weight gives all-gray or all-black images without an error: refuse it here.
        for (name, buffer) in [("parameter", network.parameters), ("state value", network.state)] {
            if let index = buffer.buffer.firstIndex(where: { !$0.isFinite }) {
                throw ModelFileError.nonFinite("\(name) \(index) is \(buffer[index])")
            }
        }
        if let index = extra.firstIndex(where: { !$0.isFinite }) { throw ModelFileError.nonFinite("optimiser value \(index) is \(extra[index])") }
        self.network = network
        self.metadata = metadata
    }

    // MARK: Files

    /// Writes atomically: a temporary file beside `path`, renamed into place when complete.
    public func save(to path: String) throws {
        do {
            try Data(encoded()).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ModelFileError.io(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Reads and checks a model file; a missing, truncated, corrupted or mismatched file throws a `ModelFileError` that says which.
    public static func load(from path: String) throws -> ModelFile {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ModelFileError.io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        return try ModelFile(decoding: bytes)
    }
}

/// Why a model file was refused.
public enum ModelFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case io(path: String, reason: String)
    case notAModel
    case truncated
    case unsupportedVersion(UInt32)
    case checksumMismatch
    case malformed(String)
    case shapeMismatch(String)
    /// A stored value is NaN or infinite (which one).
    case nonFinite(String)

    public var description: String {
        switch self {
        case .io(let path, let reason): "\(path): \(reason)"
        case .notAModel: "not a chroma model file (bad magic bytes)"
        case .truncated: "truncated model file"
        case .unsupportedVersion(let version): "model file version \(version) is not supported (this chroma reads version \(ModelFile.version))"
        case .checksumMismatch: "model file is damaged (checksum mismatch)"
        case .malformed(let reason): "malformed model file: \(reason)"
        case .shapeMismatch(let reason): "model file does not fit its architecture: \(reason)"
        case .nonFinite(let which): "model file holds a value that is not a finite number: \(which)"
        }
    }
}

/// The CRC-32 of zlib and PNG (polynomial 0xEDB88320) that seals a model file's last 4 bytes.
public enum CRC32 {
    /// The CRC-32 of `bytes` (of "123456789": 0xCBF43926).
    public static func checksum<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ chroma_nn_crc32($0.baseAddress, $0.count) }) { return crc }
        return Array(bytes).withUnsafeBufferPointer { chroma_nn_crc32($0.baseAddress, $0.count) }
    }
}

struct ByteReader {
    let bytes: [UInt8]
    let end: Int
    var position = 0

    init(bytes: [UInt8], end: Int, position: Int = 0) {
        self.bytes = bytes
        self.end = end
        self.position = position
    }

    func peekUInt32() -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[position + $1]) << (8 * $1) }
    }

    mutating func uint32() throws -> UInt32 {
        guard end - position >= 4 else { throw ModelFileError.truncated }
        defer { position += 4 }
        return peekUInt32()
    }

    /// `target.count` little-endian floats, in one copy where the machine is little-endian.
    mutating func floats(into target: UnsafeMutableBufferPointer<Float>) throws {
        guard target.count <= (end - position) / 4 else { throw ModelFileError.truncated }
        guard let base = target.baseAddress else { return }
        bytes.withUnsafeBytes { UnsafeMutableRawPointer(base).copyMemory(from: $0.baseAddress! + position, byteCount: 4 * target.count) }
        #if _endian(big)
        for i in target.indices { target[i] = Float(bitPattern: UInt32(littleEndian: target[i].bitPattern)) }
        #endif
        position += 4 * target.count
    }

    mutating func uint64() throws -> UInt64 {
        let low = try uint32(), high = try uint32()
        return UInt64(high) << 32 | UInt64(low)
    }

    mutating func string() throws -> String {
        let length = Int(try uint32())
        guard length <= end - position else { throw ModelFileError.truncated }
        defer { position += length }
        guard let text = String(validating: bytes[position..<position + length], as: UTF8.self) else {
            throw ModelFileError.malformed("text that is not UTF-8")
        }
        return text
    }
}

extension Array where Element == UInt8 {
    mutating func append<Integer: FixedWidthInteger>(littleEndian value: Integer) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Floats as little-endian bytes, in one copy where the machine is little-endian.
    mutating func append(littleEndian values: UnsafeBufferPointer<Float>) {
        #if _endian(little)
        append(contentsOf: UnsafeRawBufferPointer(values))
        #else
        reserveCapacity(count + 4 * values.count)
        for value in values { append(littleEndian: value.bitPattern) }
        #endif
    }

    mutating func append(string: String) {
        append(littleEndian: UInt32(string.utf8.count))
        append(contentsOf: string.utf8)
    }
}

import Testing
import Foundation
@testable import NeuralNet

@Suite("Model files")
struct ModelFileTests {
    static func sample() throws -> ModelFile {
        let network = Network(architecture: try Architecture("c8:bn p c12 u:bilinear c2 sigmoid"), inputChannels: 4, seed: 5)
        for i in 0..<network.state.count { network.state[i] = Float(i) * 0.5 }
        return ModelFile(network: network, metadata: ["task": "colorize", "space": "lab", "gammas": "0.1,0.5,1.5,3.0"],
                         extra: [1, -2.5, .pi])
    }

    @Test("a model round-trips exactly, through bytes and through a file")
    func roundTrip() throws {
        let model = try Self.sample()
        let decoded = try ModelFile(decoding: model.encoded())
        #expect(decoded.network.architecture == model.network.architecture)
        #expect(decoded.network.inputChannels == 4)
        #expect(decoded.network.parameters.array == model.network.parameters.array)
        #expect(decoded.network.state.array == model.network.state.array)
        #expect(decoded.metadata == model.metadata)
        #expect(decoded.extra == [1, -2.5, .pi])
        #expect(decoded.encoded() == model.encoded(), "encoding is deterministic")

        let path = "/tmp/chroma-model-\(getpid()).chroma"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        #expect(try ModelFile.load(from: path).network.parameters.array == model.network.parameters.array)
        let folder = try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.contains("chroma-model-\(getpid())") }
        #expect(folder == ["chroma-model-\(getpid()).chroma"], "no temporary file left")
    }

    @Test("truncated files are refused at every length")
    func truncated() throws {
        let bytes = try Self.sample().encoded()
        for length in Array(0..<64) + stride(from: 64, to: bytes.count, by: 97).map({ $0 }) {
            #expect(throws: ModelFileError.self) { try ModelFile(decoding: Array(bytes.prefix(length))) }
        }
    }

    @Test("any flipped byte is caught by the checksum")
    func corrupted() throws {
        let bytes = try Self.sample().encoded()
        var random = SeededRandom(seed: 4)
        for _ in 0..<200 {
            var damaged = bytes
            let at = Int(random.next() % UInt64(bytes.count - 8)) + 8  // past the magic
            damaged[at] ^= UInt8(1 + random.next() % 255)
            #expect(throws: ModelFileError.self) { try ModelFile(decoding: damaged) }
        }
    }

    @Test("wrong magic, wrong version and a shape mismatch each say so")
    func specificErrors() throws {
        var bytes = try Self.sample().encoded()
        #expect(throws: ModelFileError.notAModel) { try ModelFile(decoding: Array("PNG rubbish that is long enough to be a model".utf8)) }
        // Version 2, with a valid checksum: refused for its version.
        bytes[8] = 2
        bytes.removeLast(4)
        bytes.append(littleEndian: CRC32.checksum(bytes))
        #expect(throws: ModelFileError.unsupportedVersion(2)) { try ModelFile(decoding: bytes) }

        // A file whose weights belong to another architecture.
        var forged = Array(ModelFile.magic)
        forged.append(littleEndian: UInt32(1))
        forged.append(string: "c8 c2")
        forged.append(littleEndian: UInt32(1))
        forged.append(littleEndian: UInt32(0))
        forged.append(littleEndian: UInt64(3))
        for _ in 0..<3 { forged.append(littleEndian: Float(1).bitPattern) }
        forged.append(littleEndian: UInt64(0))
        forged.append(littleEndian: UInt64(0))
        forged.append(littleEndian: CRC32.checksum(forged))
        #expect(throws: ModelFileError.self) { try ModelFile(decoding: forged) }
        do { _ = try ModelFile(decoding: forged) } catch let error as ModelFileError {
            guard case .shapeMismatch = error else { Issue.record("expected a shape mismatch, got \(error)"); return }
        }
        #expect(throws: ModelFileError.self) { try ModelFile.load(from: "/nonexistent/model.chroma") }
    }

    @Test("CRC-32 matches the standard check value")
    func crc() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

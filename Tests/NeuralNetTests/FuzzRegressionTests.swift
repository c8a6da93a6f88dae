import Foundation
import Testing
@testable import NeuralNet

/// Every input that ever crashed the `model` or `spec` fuzz target
/// (Fuzz/Regressions), replayed through the same calls: each must now be
/// refused with an error or load cleanly. A crash here takes the test run down.
@Suite("Fuzz regressions: model files and specs")
struct FuzzRegressionTests {
    static func inputs(_ target: String) -> [[UInt8]] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/Regressions/" + target).path
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return names.compactMap { FileManager.default.contents(atPath: folder + "/" + $0).map(Array.init) }
    }

    @Test("model files that crashed the loader")
    func modelFiles() throws {
        let inputs = Self.inputs("model")
        #expect(!inputs.isEmpty, "the first regression is the extra-count overflow")
        for bytes in inputs {
            for candidate in [bytes, ModelFile.resealed(bytes)] {
                guard let model = try? ModelFile(decoding: candidate) else { continue }
                let network = model.network
                network.threads = 1
                let input = Shape(channels: network.inputChannels, height: 8, width: 8)
                if network.parameters.count <= 1 << 16, (try? network.outputShape(for: input)) != nil {
                    _ = try network.predict([Float](repeating: 0.5, count: input.count), count: 1, shape: input)
                }
            }
        }
    }

    @Test("architecture specs that crashed the parser")
    func specs() {
        for bytes in Self.inputs("spec") {
            guard let architecture = try? Architecture(String(decoding: bytes, as: UTF8.self)) else { continue }
            #expect((try? Architecture(architecture.text)) == architecture)
            if Network.counts(architecture: architecture, inputChannels: 3).parameters <= 1 << 20 {
                _ = try? ModelSummary(network: Network(architecture: architecture, inputChannels: 3),
                                      input: Shape(channels: 3, height: 32, width: 32))
            }
        }
    }

    @Test("sizes that would overflow are refused layer by layer, as are empty activations")
    func sizeBounds() throws {
        let doubling = Network(architecture: try Architecture(Array(repeating: "t2", count: 40).joined(separator: " ")), inputChannels: 1)
        #expect(throws: NetworkError.tooLarge("layer 21 would hold 2×65536×65536 values per sample, over 2³¹")) {
            try doubling.shapes(for: Shape(channels: 1, height: 32, width: 32))
        }
        let valid = Network(architecture: try Architecture("c2:k5:valid u u c2"), inputChannels: 1)
        #expect(throws: NetworkError.self) { try valid.shapes(for: Shape(channels: 1, height: 4, width: 40)) }
    }

    @Test("resealing makes edited bytes pass the checksum, and only that")
    func resealing() throws {
        let network = Network(architecture: try Architecture("c2 sigmoid"), inputChannels: 1, seed: 1)
        var bytes = ModelFile(network: network, metadata: ["k": "v"]).encoded()
        bytes[bytes.count - 22] ^= 0x40  // the last parameter (before the state and extra counts and the CRC)
        #expect(throws: ModelFileError.checksumMismatch) { try ModelFile(decoding: bytes) }
        #expect(throws: Never.self) { try ModelFile(decoding: ModelFile.resealed(bytes)) }
    }
}

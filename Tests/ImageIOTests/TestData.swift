import Foundation

/// The shared conformance files: ../shared/testdata beside the repository,
/// or the folder named by CHROMA_TESTDATA.
enum TestData {
    static let root: String = {
        if let path = ProcessInfo.processInfo.environment["CHROMA_TESTDATA"] { return path }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared/testdata").path
    }()

    static var available: Bool { FileManager.default.fileExists(atPath: root + "/pngsuite/basn0g01.png") }

    static func files(_ folder: String, suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted()
    }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + relativePath)))
    }
}

/// A small seeded generator (SplitMix64) so tests are repeatable.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

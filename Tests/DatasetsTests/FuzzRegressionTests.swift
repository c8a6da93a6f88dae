import Foundation
import Testing
@testable import Datasets

/// Every input that ever crashed the `cifar` fuzz target (Fuzz/Regressions/cifar),
/// replayed: each must be refused with an error or parse cleanly.
@Suite("Fuzz regressions: CIFAR-10 batches")
struct FuzzRegressionTests {
    @Test("batch files that crashed the parser")
    func batches() {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/Regressions/cifar").path
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
            guard let data = FileManager.default.contents(atPath: folder + "/" + name),
                  let set = try? CIFAR10.parseBatch(Array(data), path: name) else { continue }
            #expect(set.count * CIFAR10.recordSize == data.count)
        }
    }
}

import Testing
import Foundation

@Suite("chroma train and evaluate", .serialized)
struct TrainCommandTests {
    /// A CIFAR-10 folder of generated images: colour follows brightness, so there is something to learn.
    static func cifarFolder(_ scratch: Scratch, records: Int) throws -> String {
        for (index, name) in ((1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]).enumerated() {
            var bytes: [UInt8] = []
            for i in 0..<records {
                bytes.append(UInt8(i % 10))
                let base = (i * 37 + index * 11) % 180
                for channel in 0..<3 {
                    for p in 0..<1024 {
                        let v = base + (p % 32) * 2
                        bytes.append(UInt8(channel == 0 ? v : channel == 1 ? v * 3 / 4 : v / 3))
                    }
                }
            }
            try scratch.write(bytes, "cifar/" + name)
        }
        return scratch.path + "/cifar"
    }

    @Test("train writes a run folder, resumes, and evaluate reports JSON in the documented shape")
    func trainResumeEvaluate() throws {
        let scratch = try Scratch("train")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 1100)  // 5,500 training images: 500 train, 5,000 validation
        let run = scratch.path + "/run"
        let first = try CLIRunner.run(["train", "--cifar", cifar, "--arch", "c4 p c4 u c2 sigmoid", "--epochs", "1", "--batch", "50", "--out", run])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("epoch 1/1"))
        for file in ["model.chroma", "checkpoint.chroma", "run.json", "loss.svg", "loss.png", "samples-epoch-001.png"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + file), "\(file)")
        }
        let again = try CLIRunner.run(["train", "--cifar", cifar, "--out", run])
        #expect(again.status == 64, "an existing run is not overwritten")
        let resumed = try CLIRunner.run(["train", "--resume", run, "--epochs", "2"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming") && resumed.stderr.contains("epoch 2/2"))

        let evaluation = try CLIRunner.run(["evaluate", "--model", run + "/model.chroma", "--cifar", cifar, "--json"])
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(evaluation.stdout)) as? [String: Any]
        let keys = Set(object?.keys.map { $0 } ?? [])
        #expect(keys == ["model", "images", "psnr", "medianPsnr", "beatsGray", "ssim", "deltaE2000", "colourfulness", "truthColourfulness", "baseline"])
        #expect(object?["images"] as? Int == 1100)
        let baseline = object?["baseline"] as? [String: Any]
        #expect(Set(baseline?.keys.map { $0 } ?? []) == ["psnr", "medianPsnr", "ssim", "deltaE2000", "colourfulness"])
    }

    @Test("a damaged CIFAR folder is named with the reason")
    func damaged() throws {
        let scratch = try Scratch("train-damaged")
        defer { scratch.remove() }
        let cifar = try Self.cifarFolder(scratch, records: 3)
        try scratch.write([1, 2, 3], "cifar/data_batch_2.bin")
        let result = try CLIRunner.run(["train", "--cifar", cifar, "--out", scratch.path + "/run"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("data_batch_2.bin: damaged: 3 bytes is not a whole number of 3073-byte records"), "\(result.stderr)")
    }
}

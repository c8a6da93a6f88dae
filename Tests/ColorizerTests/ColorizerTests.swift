import Testing
import ColorSpace
import Datasets
import ImageIO
import NeuralNet
@testable import Colorizer

@Suite("Colorization task, training and metrics")
struct ColorizerTests {
    /// Small images whose colour follows their brightness: learnable from luminance.
    static func images(_ count: Int, side: Int = 8, seed: UInt64 = 1) -> ImageSet {
        var random = SplitMix(seed: seed)
        var pixels: [UInt8] = []
        for _ in 0..<count {
            let base = Int(random.next() % 200)
            var r: [UInt8] = [], g: [UInt8] = [], b: [UInt8] = []
            for p in 0..<(side * side) {
                let v = min(255, base + (p % side) * 6)
                r.append(UInt8(v)); g.append(UInt8(v * 3 / 4)); b.append(UInt8(v / 3))
            }
            pixels += r + g + b
        }
        return ImageSet(width: side, height: side, pixels: pixels)
    }

    @Test("normalisation round trip: true chroma rebuilds the image within ±1", arguments: ChromaSpace.allCases)
    func roundTrip(space: ChromaSpace) throws {
        let set = Self.images(5)
        let task = ColorizationTask(space: space, gammas: [0.5, 2])
        let prepared = task.prepare(set)
        #expect(prepared.chroma.allSatisfy { $0 >= 0 && $0 <= 1 })
        let rebuilt = prepared.chroma.withUnsafeBufferPointer {
            task.rgb(luminance: prepared.luminance, normalisedChroma: $0.baseAddress!, count: 5, width: 8, height: 8)
        }
        let worst = zip(rebuilt.samples, set.stacked().samples).map { abs(Int($0) - Int($1)) }.max()!
        #expect(worst <= 1)
        var inputs = [Float](repeating: 0, count: 5 * 3 * 64)
        prepared.luminance.withUnsafeBufferPointer { l in
            inputs.withUnsafeMutableBufferPointer { task.inputs(luminance: l.baseAddress!, count: 5, plane: 64, into: $0.baseAddress!) }
        }
        #expect(abs(inputs[64] - inputs[0].squareRoot()) < 1e-6 && abs(inputs[128] - inputs[0] * inputs[0]) < 1e-6)
        #expect(try ColorizationTask(metadata: task.metadata) == task)
    }

    @Test("a short training run's loss falls, and the model beats gray on its own data")
    func training() throws {
        let task = ColorizationTask(space: .lab)
        var configuration = TrainingConfiguration(task: task, architecture: try Architecture("c8 c8 c2 sigmoid"))
        configuration.batchSize = 16
        configuration.learningRate = 3e-3
        let training = task.prepare(Self.images(64)), validation = task.prepare(Self.images(16, seed: 2))
        let trainer = try Trainer(configuration: configuration, training: training, validation: validation)
        let before = try trainer.loss()
        var losses: [Float] = []
        for epoch in 1...30 { losses.append(try trainer.trainEpoch(epoch)) }
        let after = try trainer.loss()
        #expect(after < before / 4, "validation loss \(before) → \(after)")
        #expect(losses.last! < losses.first!)
        let report = try Evaluator.evaluate(trainer.network, task: task, set: Self.images(16, seed: 3))
        #expect(report.result.psnr > report.baseline.psnr)
        #expect(report.baseline.colourfulness < 1)
    }

    @Test("training is repeatable from its seed")
    func repeatable() throws {
        func run() throws -> [Float] {
            let task = ColorizationTask(space: .ycbcr, gammas: [0.5])
            var configuration = TrainingConfiguration(task: task, architecture: try Architecture("c4 p c4 u c2 sigmoid"))
            configuration.batchSize = 8
            configuration.gammaAugmentation = 0.5...2
            let trainer = try Trainer(configuration: configuration, training: task.prepare(Self.images(32)), validation: task.prepare(Self.images(8)))
            _ = try trainer.trainEpoch(1)
            return trainer.network.parameters.array
        }
        #expect(try run() == run())
    }

    @Test("PSNR and colourfulness by their definitions")
    func metrics() {
        let a: [UInt8] = [10, 20, 30, 40, 50, 60]
        var b = a
        a.withUnsafeBufferPointer { a in
            #expect(Metrics.psnr(a, a) == Metrics.psnrCap)
        }
        b[0] = 20  // one error of 10 over 6 samples: MSE 100/6
        let psnr = a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { Metrics.psnr($0, a) } }
        #expect(abs(psnr - 10 * log10(255 * 255 / (100.0 / 6))) < 1e-9)
        let gray: [UInt8] = [7, 7, 7, 200, 200, 200]
        #expect(gray.withUnsafeBufferPointer { Metrics.colourfulness($0) } == 0)
        // Two pixels, pure red and pure green: rg = ±255, yb = 127.5: σ_rg = 255, σ_yb = 0, μ_rg = 0, μ_yb = 127.5.
        let rg: [UInt8] = [255, 0, 0, 0, 255, 0]
        #expect(abs(rg.withUnsafeBufferPointer { Metrics.colourfulness($0) } - (255 + 0.3 * 127.5)) < 1e-9)
    }
}

#if canImport(Glibc)
import Glibc
#endif

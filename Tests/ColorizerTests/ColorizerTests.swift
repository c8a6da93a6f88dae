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
        #expect(try ModelMetadata(entries: ModelMetadata(colorization: task).entries).colorization() == task)
    }

    @Test("a short training run's loss falls, and the model beats gray on its own data")
    func training() throws {
        let task = ColorizationTask(space: .lab)
        var configuration = TrainingConfiguration(task: .colorize(task), architecture: try Architecture("c8 c8 c2 sigmoid"))
        configuration.batchSize = 16
        configuration.learningRate = 3e-3
        let training = TrainingTask.colorize(task).examples(Self.images(64)), validation = TrainingTask.colorize(task).examples(Self.images(16, seed: 2))
        let trainer = try Trainer(configuration: configuration, training: training, validation: validation)
        let before = try trainer.loss()
        var losses: [Float] = []
        for epoch in 1...30 { losses.append(try trainer.trainEpoch(epoch)!) }
        let after = try trainer.loss()
        #expect(after < before / 4, "validation loss \(before) → \(after)")
        #expect(losses.last! < losses.first!)
        let report = try Evaluator.evaluate(trainer.network, task: task, set: Self.images(16, seed: 3))
        #expect(report.result.psnr > report.baseline.psnr)
        #expect(report.baseline.colourfulness < 1)
    }

    @Test("a model trained on bins: its loss falls, it beats gray, and its temperature brings colour")
    func binnedTraining() throws {
        let task = ColorizationTask(space: .ycbcr, bins: BinGrid(side: 5))
        #expect(task.outputChannels == 25)
        var configuration = TrainingConfiguration(task: .colorize(task), architecture: try Architecture("c8 c8 c25"))
        configuration.batchSize = 16
        configuration.learningRate = 3e-3
        configuration.loss = .bins(BinGrid(side: 5))
        let training = TrainingTask.colorize(task).examples(Self.images(64)), validation = TrainingTask.colorize(task).examples(Self.images(16, seed: 2))
        #expect(training.targetChannels == 2)
        let trainer = try Trainer(configuration: configuration, training: training, validation: validation)
        let before = try trainer.loss()
        for epoch in 1...30 { _ = try trainer.trainEpoch(epoch) }
        let after = try trainer.loss()
        #expect(after < before * 0.75, "validation loss \(before) → \(after)")
        let test = Self.images(16, seed: 3)
        let report = try Evaluator.evaluate(trainer.network, task: task, set: test)
        #expect(report.result.psnr > report.baseline.psnr)
        var cold = task
        cold.temperature = 0.3
        let colder = try Evaluator.evaluate(trainer.network, task: cold, set: test)
        #expect(colder.result.colourfulness > report.result.colourfulness)

        #expect(try ModelMetadata(entries: ModelMetadata(colorization: cold).entries).colorization() == cold)
        var mirrored = cold
        mirrored.averagesMirror = true
        #expect(try ModelMetadata(entries: ModelMetadata(colorization: mirrored).entries).colorization() == mirrored)
        var garbled = ModelMetadata(colorization: mirrored).entries
        garbled["mirror-average"] = "sometimes"
        #expect(throws: ColorizerError.self) { try ModelMetadata(entries: garbled).colorization() }
        var wrong = configuration
        wrong.loss = .mse
        #expect(throws: ColorizerError.self) { try Trainer(configuration: wrong, training: training, validation: validation) }
        var hot = ModelMetadata(colorization: cold).entries
        hot["temperature"] = "1.5"
        #expect(throws: ColorizerError.self) { try ModelMetadata(entries: hot).colorization() }
    }

    @Test("mosaics: each quadrant is a training image averaged down 2 × 2; training with them is repeatable")
    func mosaics() throws {
        let width = 4, height = 4
        var target = [Float](repeating: -1, count: width * height)
        let sources: [[Float]] = [[Float](repeating: 0.25, count: 16), (0..<16).map { Float($0) },
                                  [Float](repeating: 1, count: 16), [Float](repeating: 0, count: 16)]
        for (quadrant, source) in sources.enumerated() {
            source.withUnsafeBufferPointer { s in
                target.withUnsafeMutableBufferPointer {
                    Trainer.placeQuadrant(from: s.baseAddress!, into: $0.baseAddress!, left: quadrant % 2 * 2, top: quadrant / 2 * 2, width: width, height: height)
                }
            }
        }
        // Quadrant 1 (top right) holds source 1's 2 × 2 means: (0+1+4+5)/4 = 2.5, then 4.5, 10.5, 12.5.
        #expect(target == [0.25, 0.25, 2.5, 4.5, 0.25, 0.25, 10.5, 12.5, 1, 1, 0, 0, 1, 1, 0, 0])
        func run(mosaic: Float) throws -> [Float] {
            let task = ColorizationTask(space: .lab)
            var configuration = TrainingConfiguration(task: .colorize(task), architecture: try Architecture("c4 p c4 u c2 sigmoid"))
            configuration.batchSize = 8
            configuration.mosaic = mosaic
            let trainer = try Trainer(configuration: configuration, training: TrainingTask.colorize(task).examples(Self.images(32)),
                                      validation: TrainingTask.colorize(task).examples(Self.images(8)))
            _ = try trainer.trainEpoch(1)
            return trainer.network.parameters.array
        }
        #expect(try run(mosaic: 0.5) == run(mosaic: 0.5))
        #expect(try run(mosaic: 0.5) != run(mosaic: 0))
    }

    @Test("training is repeatable from its seed")
    func repeatable() throws {
        func run() throws -> [Float] {
            let task = ColorizationTask(space: .ycbcr, gammas: [0.5])
            var configuration = TrainingConfiguration(task: .colorize(task), architecture: try Architecture("c4 p c4 u c2 sigmoid"))
            configuration.batchSize = 8
            configuration.gammaAugmentation = 0.5...2
            let trainer = try Trainer(configuration: configuration, training: TrainingTask.colorize(task).examples(Self.images(32)),
                                      validation: TrainingTask.colorize(task).examples(Self.images(8)))
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

@Suite("CIEDE2000 and SSIM")
struct ColourDifferenceTests {
    /// The 34 test pairs of Sharma, Wu & Dalal, "The CIEDE2000 color-difference formula:
    /// implementation notes, supplementary test data, and mathematical observations",
    /// Color Research & Application 30(1), 2005, Table 1.
    static let pairs: [(Double, Double, Double, Double, Double, Double, Double)] = [
        (50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425),
        (50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615),
        (50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412),
        (50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000),
        (50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000),
        (50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000),
        (50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669),
        (50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669),
        (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792),
        (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792),
        (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195),
        (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195),
        (50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045),
        (50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045),
        (50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461),
        (50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065),
        (50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492),
        (50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977),
        (50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030),
        (50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535),
        (50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000),
        (50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000),
        (50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000),
        (50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000),
        (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
        (63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630),
        (61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731),
        (35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645),
        (22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373),
        (36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146),
        (90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441),
        (90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381),
        (6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377),
        (2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082),
    ]

    @Test("CIEDE2000 reproduces all 34 published test pairs to 4 decimals, both ways round")
    func sharma() {
        #expect(Self.pairs.count == 34)
        for (i, p) in Self.pairs.enumerated() {
            let forward = DeltaE2000.difference((p.0, p.1, p.2), (p.3, p.4, p.5))
            let backward = DeltaE2000.difference((p.3, p.4, p.5), (p.0, p.1, p.2))
            #expect(abs(forward - p.6) < 5e-5 && abs(backward - p.6) < 5e-5, "pair \(i + 1): \(forward), \(backward), published \(p.6)")
        }
    }

    @Test("SSIM: 1 for identical images, the luminance term for flat ones, lower with noise")
    func ssim() {
        var random = SplitMix(seed: 8)
        var a: [UInt8] = [], b: [UInt8] = []
        for i in 0..<(16 * 16 * 3) {
            let value = 100 + (i / 3) % 16
            let noise = Int(random.next() % 21) - 10
            a.append(UInt8(value))
            b.append(UInt8(value + noise))
        }
        a.withUnsafeBufferPointer { a in
            #expect(abs(SSIM.rgb(a, a, width: 16, height: 16) - 1) < 1e-12)
            let noisy = b.withUnsafeBufferPointer { SSIM.rgb(a, $0, width: 16, height: 16) }
            #expect(noisy < 0.8 && noisy > 0.05, "\(noisy)")
        }
        // Flat 100 against flat 110: no variance, so SSIM = (2·100·110 + C1) / (100² + 110² + C1).
        let flatA = [UInt8](repeating: 100, count: 12 * 12 * 3), flatB = [UInt8](repeating: 110, count: 12 * 12 * 3)
        let c1 = (0.01 * 255) * (0.01 * 255)
        let flat = flatA.withUnsafeBufferPointer { x in flatB.withUnsafeBufferPointer { SSIM.rgb(x, $0, width: 12, height: 12) } }
        #expect(abs(flat - (22_000 + c1) / (22_100 + c1)) < 1e-9)
    }

    @Test("the separable SSIM equals the windowed sums of its definition, on images larger and smaller than the window")
    func ssimSeparable() {
        /// Wang et al.'s formula evaluated window by window, as written.
        func direct(_ x: [UInt8], _ y: [UInt8], width: Int, height: Int) -> Double {
            let c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255)
            var sum = 0.0
            for c in 0..<3 {
                let w = min(11, width), h = min(11, height)
                let gauss = (0..<11).map { exp(-pow(Double($0 - 5), 2) / 4.5) }
                let wx = w == 11 ? gauss.map { $0 / gauss.reduce(0, +) } : Array(repeating: 1 / Double(w), count: w)
                let wy = h == 11 ? gauss.map { $0 / gauss.reduce(0, +) } : Array(repeating: 1 / Double(h), count: h)
                var total = 0.0, count = 0
                for top in 0...(height - h) {
                    for left in 0...(width - w) {
                        var mx = 0.0, my = 0.0, xx = 0.0, yy = 0.0, xy = 0.0
                        for j in 0..<h {
                            for i in 0..<w {
                                let at = ((top + j) * width + left + i) * 3 + c, weight = wx[i] * wy[j]
                                let a = Double(x[at]), b = Double(y[at])
                                mx += weight * a; my += weight * b; xx += weight * a * a; yy += weight * b * b; xy += weight * a * b
                            }
                        }
                        total += ((2 * mx * my + c1) * (2 * (xy - mx * my) + c2)) / ((mx * mx + my * my + c1) * (xx - mx * mx + yy - my * my + c2))
                        count += 1
                    }
                }
                sum += total / Double(count)
            }
            return sum / 3
        }
        var random = SplitMix(seed: 3)
        for (width, height) in [(23, 17), (7, 30), (9, 5)] {
            let x = (0..<(width * height * 3)).map { _ in UInt8(random.next() % 256) }
            let y = x.map { UInt8(min(255, max(0, Int($0) + Int(random.next() % 61) - 30))) }
            let fast = x.withUnsafeBufferPointer { a in y.withUnsafeBufferPointer { SSIM.rgb(a, $0, width: width, height: height) } }
            #expect(abs(fast - direct(x, y, width: width, height: height)) < 1e-12, "\(width)×\(height)")
        }
    }
}

@Suite("Training runs", .serialized)
struct TrainingRunTests {
    static func split() -> Split {
        Split(training: ColorizerTests.images(48), validation: ColorizerTests.images(16, seed: 2), test: ColorizerTests.images(8, seed: 3))
    }

    static func settings(epochs: Int) -> RunRecord.Settings {
        RunRecord.Settings(cifar: "unused", space: .ycbcr, arch: "c6:bn p c6 u c2 sigmoid", gammas: [0.5], epochs: epochs,
                           batch: 8, learningRate: 2e-3, loss: .mse, seed: 4, flips: true, augmentGamma: [0.5, 2], limit: nil)
    }

    @Test("a run stopped and resumed ends bit for bit as one that never stopped")
    func resumeIsExact() throws {
        let straight = "/tmp/chroma-run-straight-\(getpid())", interrupted = "/tmp/chroma-run-resumed-\(getpid())"
        defer { for path in [straight, interrupted] { try? FileManager.default.removeItem(atPath: path) } }
        let whole = try TrainingRun(folder: straight, settings: Self.settings(epochs: 3), split: Self.split())
        #expect(try whole.run())

        let first = try TrainingRun(folder: interrupted, settings: Self.settings(epochs: 3), split: Self.split())
        var batches = 0
        // Stop partway through epoch 2: the checkpoint keeps epoch 1.
        #expect(try first.run(shouldStop: { batches += 1; return batches > 9 }) == false)
        #expect(first.finishedEpochs == 1)
        let second = try TrainingRun(resuming: interrupted, split: Self.split())
        #expect(second.finishedEpochs == 1)
        #expect(try second.run())
        #expect(second.trainer.network.parameters.array == whole.trainer.network.parameters.array)
        #expect(second.trainer.network.state.array == whole.trainer.network.state.array)
        #expect(second.record.epochs.map(\.trainLoss) == whole.record.epochs.map(\.trainLoss))
        #expect(second.record.epochs.map(\.validationLoss) == whole.record.epochs.map(\.validationLoss))
        let best = try ModelFile.load(from: interrupted + "/model.chroma")
        #expect(try ModelMetadata(of: best).task == second.task)
        for file in ["run.json", "loss.svg", "loss.png", "samples-epoch-001.png", "samples-epoch-003.png", "checkpoint.chroma"] {
            #expect(FileManager.default.fileExists(atPath: interrupted + "/" + file), "\(file)")
        }
        let grid = try ImageFile.read(interrupted + "/samples-epoch-003.png")
        #expect(grid.width == 3 * 24 + 16 && grid.height == 8 * (24 + 4) + 4, "8 rows of original | gray | colorized")
    }
}

import Foundation

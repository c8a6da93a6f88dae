import Foundation
import Testing
@testable import NeuralNet

/// `Loss.psnr`: its value against per-sample PSNR computed directly, its
/// gradient against finite differences, and its parsing.
@Suite("The psnr loss")
struct PSNRLossTests {
    static let sample = Shape(channels: 2, height: 3, width: 4)

    static func images(samples: Int, seed: UInt64) -> (prediction: [Float], target: [Float]) {
        var random = SeededRandom(seed: seed)
        let target = (0..<samples * sample.count).map { _ in random.uniform() }
        // Each sample its own error size, so the per-sample logs differ from the log of the pooled error.
        let prediction = target.indices.map { i in
            target[i] + Float(i / sample.count + 1) * 0.05 * (random.uniform() - 0.5)
        }
        return (prediction, target)
    }

    @Test("value: minus the mean per-sample PSNR (peak 1, floor 1e-5)")
    func value() {
        let samples = 3
        let (prediction, target) = Self.images(samples: samples, seed: 7)
        let loss = Loss.psnr.evaluate(prediction: prediction, target: target, count: prediction.count, sample: Self.sample)
        var psnr = 0.0
        for s in 0..<samples {
            let range = s * Self.sample.count..<(s + 1) * Self.sample.count
            let mse = range.reduce(0.0) { $0 + pow(Double(prediction[$1] - target[$1]), 2) } / Double(range.count)
            psnr += 10 * log10(1 / (mse + 1e-5))
        }
        psnr /= Double(samples)
        #expect(abs(Double(loss) + psnr) < 1e-3)
        let pooled = zip(prediction, target).reduce(0.0) { $0 + pow(Double($1.0 - $1.1), 2) } / Double(prediction.count)
        #expect(abs(-10 * log10(pooled) - psnr) > 0.5, "the test data must tell per-sample from pooled")
        #expect(abs(Loss.psnr.evaluate(prediction: target, target: target, count: target.count, sample: Self.sample) + 50) < 1e-3)
    }

    @Test("gradient matches finite differences")
    func gradient() {
        let images = Self.images(samples: 2, seed: 9)
        let (analytic, failures) = lossGradientCheck(.psnr, prediction: images.prediction, target: images.target,
                                                     sample: Self.sample, epsilon: 1e-3) { analytic, numeric in
            abs(analytic - numeric) <= 2e-2 * max(abs(numeric), 0.1)
        }
        #expect(failures.isEmpty, "\(failures.count) of \(images.prediction.count) disagree: \(failures.prefix(5))")
        #expect(analytic.contains { abs($0) > 0.1 })
    }

    @Test("parsing and naming")
    func parsing() {
        #expect(Loss("psnr") == .psnr && Loss("PSNR") == .psnr && Loss(Loss.psnr.description) == .psnr)
        #expect(Loss("psnr:2") == nil)
        #expect(Loss.psnr.needsShape)
    }
}

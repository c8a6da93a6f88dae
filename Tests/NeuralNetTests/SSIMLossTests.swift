import Foundation
import Testing
@testable import NeuralNet

/// `Loss.mseSSIM`: its SSIM against a direct transcription of Wang et al.'s
/// definition, its gradient against finite differences, and its parsing.
@Suite("The mse+ssim loss")
struct SSIMLossTests {
    /// Mean SSIM of one plane, window position by window position, in Double.
    static func directSSIM(_ x: [Float], _ y: [Float], height: Int, width: Int) -> Double {
        let wx = StructuralSimilarity.window(min(11, width)), wy = StructuralSimilarity.window(min(11, height))
        var total = 0.0, count = 0
        for top in 0...(height - wy.count) {
            for left in 0...(width - wx.count) {
                var mx = 0.0, my = 0.0
                for j in wy.indices { for i in wx.indices {
                    let q = (top + j) * width + left + i, w = wy[j] * wx[i]
                    mx += w * Double(x[q]); my += w * Double(y[q])
                } }
                var vx = 0.0, vy = 0.0, cov = 0.0
                for j in wy.indices { for i in wx.indices {
                    let q = (top + j) * width + left + i, w = wy[j] * wx[i]
                    vx += w * (Double(x[q]) - mx) * (Double(x[q]) - mx)
                    vy += w * (Double(y[q]) - my) * (Double(y[q]) - my)
                    cov += w * (Double(x[q]) - mx) * (Double(y[q]) - my)
                } }
                let c1 = 0.0001, c2 = 0.0009
                total += (2 * mx * my + c1) * (2 * cov + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
                count += 1
            }
        }
        return total / Double(count)
    }

    static func images(_ count: Int, seed: UInt64) -> (prediction: [Float], target: [Float]) {
        var random = SeededRandom(seed: seed)
        let target = (0..<count).map { _ in random.uniform() }
        let prediction = target.map { min(1, max(0, $0 + 0.2 * (random.uniform() - 0.5))) }
        return (prediction, target)
    }

    @Test("value: MSE plus weight · (1 − mean SSIM), SSIM as defined", arguments: [(14, 13), (6, 9)])
    func value(height: Int, width: Int) {
        let sample = Shape(channels: 2, height: height, width: width), batch = 2
        let (prediction, target) = Self.images(batch * sample.count, seed: 3)
        let loss = Loss.mseSSIM(weight: 0.5).evaluate(prediction: prediction, target: target, count: prediction.count, sample: sample)
        let mse = zip(prediction, target).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(prediction.count)
        var ssim = 0.0
        for plane in 0..<(batch * 2) {
            let range = plane * sample.plane..<(plane + 1) * sample.plane
            ssim += Self.directSSIM(Array(prediction[range]), Array(target[range]), height: height, width: width)
        }
        ssim /= Double(batch * 2)
        #expect(ssim > 0.1 && ssim < 0.99)
        #expect(abs(Double(loss) - (mse + 0.5 * (1 - ssim))) < 1e-5)
        #expect(Loss.mseSSIM(weight: 1).evaluate(prediction: target, target: target, count: target.count, sample: sample) < 1e-6)
    }

    @Test("gradient against central finite differences", arguments: [(13, 12), (5, 7)])
    func gradient(height: Int, width: Int) {
        let sample = Shape(channels: 1, height: height, width: width), batch = 2
        let images = Self.images(batch * sample.count, seed: 5)
        let (analytic, failures) = lossGradientCheck(.mseSSIM(weight: 0.3), prediction: images.prediction, target: images.target,
                                                     sample: sample, epsilon: 1e-3) { analytic, numeric in
            abs(analytic - numeric) <= 2e-3 * max(abs(numeric), 0.01) + 2e-5
        }
        #expect(failures.isEmpty, "\(failures.count) of \(images.prediction.count) disagree: \(failures.prefix(5))")
        #expect(analytic.contains { abs($0) > 1e-3 })
    }

    @Test("parsing and naming")
    func parsing() {
        #expect(Loss("mse+ssim") == .mseSSIM(weight: Loss.defaultSSIMWeight))
        #expect(Loss("MSE+SSIM:0.05") == .mseSSIM(weight: 0.05))
        #expect(Loss(Loss.mseSSIM(weight: 0.05).description) == .mseSSIM(weight: 0.05))
        for bad in ["mse+ssim:0", "mse+ssim:-1", "mse+ssim:x", "mse+ssim:1:2", "ssim", "mse:2", "huber:", "mse+ssim:nan"] {
            #expect(Loss(bad) == nil, "\(bad)")
        }
        #expect(Loss.mseSSIM(weight: 1).needsShape && !Loss.mse.needsShape)
    }
}

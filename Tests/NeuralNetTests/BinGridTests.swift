import Foundation
import Testing
@testable import NeuralNet

/// `BinGrid` and `Loss.bins`: the encoding against its definition (bilinear
/// weights of the four surrounding bin centres), the gradient against finite
/// differences, the annealed mean, and parsing.
@Suite("The bins loss")
struct BinGridTests {
    static let grid = BinGrid(side: 4, range: 0.2...0.8)
    static let plane = 3

    /// The encoded target of a pair, computed from the documentation, not the code.
    static func encoded(_ a: Float, _ b: Float, grid: BinGrid) -> [Double] {
        let step = Double(grid.upper - grid.lower) / Double(grid.side - 1)
        func axis(_ v: Float) -> [Double] {
            let v = min(max(Double(v), Double(grid.lower)), Double(grid.upper))
            return (0..<grid.side).map { max(0, 1 - abs(v - (Double(grid.lower) + Double($0) * step)) / step) }
        }
        let first = axis(a), second = axis(b)
        return (0..<grid.count).map { first[$0 / grid.side] * second[$0 % grid.side] }
    }

    static func data(samples: Int, seed: UInt64) -> (logits: [Float], targets: [Float]) {
        var random = SeededRandom(seed: seed)
        let logits = (0..<samples * grid.count * plane).map { _ in 2 * random.normal() }
        // Some targets outside the range, to be clamped; one exactly on a bin centre.
        var targets = (0..<samples * 2 * plane).map { _ in random.uniform() }
        targets[0] = 0.4
        return (logits, targets)
    }

    @Test("value: cross-entropy against the bilinearly encoded targets")
    func value() {
        let samples = 2
        let (logits, targets) = Self.data(samples: samples, seed: 3)
        let grid = Self.grid, plane = Self.plane
        let loss = Loss.bins(grid).evaluate(prediction: logits, target: targets, count: logits.count,
                                            sample: Shape(channels: grid.count, height: 1, width: plane))
        var expected = 0.0
        for s in 0..<samples {
            for p in 0..<plane {
                let z = (0..<grid.count).map { Double(logits[(s * grid.count + $0) * plane + p]) }
                let logSum = log(z.map { exp($0) }.reduce(0, +))
                let q = Self.encoded(targets[(2 * s) * plane + p], targets[(2 * s + 1) * plane + p], grid: grid)
                #expect(abs(q.reduce(0, +) - 1) < 1e-9)
                expected += zip(q, z).reduce(0) { $0 - $1.0 * ($1.1 - logSum) }
            }
        }
        expected /= Double(samples * plane)
        #expect(abs(Double(loss) - expected) < 1e-4, "\(loss) vs \(expected)")
    }

    @Test("gradient matches finite differences")
    func gradient() {
        let data = Self.data(samples: 2, seed: 5)
        let shape = Shape(channels: Self.grid.count, height: 1, width: Self.plane)
        let (_, failures) = lossGradientCheck(.bins(Self.grid), prediction: data.logits, target: data.targets,
                                              sample: shape, epsilon: 1e-2) { analytic, numeric in abs(analytic - numeric) <= 2e-3 }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test("the mean of an encoded target is the target; lower temperatures lean to the likeliest bin")
    func annealedMean() {
        let grid = Self.grid
        let pairs: [(Float, Float)] = [(0.2, 0.8), (0.33, 0.61), (0.5, 0.5), (0.79, 0.21)]
        var logits = [Float](repeating: 0, count: pairs.count * grid.count)
        for (s, pair) in pairs.enumerated() {
            for (k, weight) in Self.encoded(pair.0, pair.1, grid: grid).enumerated() {
                logits[s * grid.count + k] = Float(log(weight + 1e-12))
            }
        }
        var mean = [Float](repeating: 0, count: pairs.count * 2)
        grid.annealedMean(logits: logits, samples: pairs.count, plane: 1, temperature: 1, into: &mean)
        for (s, pair) in pairs.enumerated() {
            #expect(abs(mean[2 * s] - pair.0) < 1e-5 && abs(mean[2 * s + 1] - pair.1) < 1e-5, "\(pair) → \(mean[2 * s]), \(mean[2 * s + 1])")
        }
        // Two modes, 0.6 against 0.4 in probability: the mean sits between them, colder means move to the likelier.
        var twoModes = [Float](repeating: -30, count: grid.count)
        twoModes[0] = log(0.6); twoModes[grid.count - 1] = log(0.4)
        var warm: [Float] = [0, 0], cold: [Float] = [0, 0]
        grid.annealedMean(logits: twoModes, samples: 1, plane: 1, temperature: 1, into: &warm)
        grid.annealedMean(logits: twoModes, samples: 1, plane: 1, temperature: 0.1, into: &cold)
        #expect(abs(warm[0] - (0.6 * 0.2 + 0.4 * 0.8)) < 1e-5)
        #expect(cold[0] < warm[0] && abs(cold[0] - 0.2) < 0.02)
    }

    @Test("a loss at its minimum has no gradient")
    func minimum() {
        let grid = Self.grid
        let targets: [Float] = [0.3, 0.7]
        let logits = Self.encoded(targets[0], targets[1], grid: grid).map { Float(log($0 + 1e-30)) }
        var gradient = [Float](repeating: 1, count: grid.count)
        _ = Loss.bins(grid).evaluate(prediction: logits, target: targets, count: logits.count,
                                     sample: Shape(channels: grid.count, height: 1, width: 1), gradient: &gradient)
        #expect(gradient.allSatisfy { abs($0) < 1e-6 })
    }

    @Test("parsing: bins:N for N 2…64, over the default range")
    func parsing() {
        #expect(Loss("bins:12") == .bins(BinGrid(side: 12)))
        #expect(Loss("bins:12")?.description == "bins:12")
        #expect(BinGrid(side: 12).lower == 0.25 && BinGrid(side: 12).upper == 0.75)
        for bad in ["bins", "bins:1", "bins:2.5", "bins:65", "bins:-3", "bins:x"] { #expect(Loss(bad) == nil, "\(bad)") }
    }
}

import Testing
@testable import NeuralNet

/// Winograd's F(2 × 2, 3 × 3) path of 3 × 3 convolutions with enough channels:
/// the textbook sum forward, finite differences backward, on two threads with
/// several samples to a group, and the layers it does not apply to.
@Suite("Winograd convolutions")
struct WinogradTests {
    static let channels = 40  // Cin · Cout / (Cin + Cout) = 20: the smallest layer that takes the path

    static func geometry(height: Int, width: Int, channels: Int = channels) -> PatchGeometry {
        PatchGeometry(channels: channels, bigHeight: height, bigWidth: width, smallHeight: height, smallWidth: width,
                      kernel: 3, stride: 1, pad: 1)
    }

    @Test("which layers take the path: 3 × 3, stride 1, even planes of at least 4 × 4, enough channels")
    func applies() throws {
        let conv = Convolution(outChannels: Self.channels, kernel: 3, stride: 1, padding: .same, heInitialisation: true)
        #expect(conv.winograd(Self.geometry(height: 4, width: 6)) != nil)
        #expect(conv.winograd(Self.geometry(height: 5, width: 6)) == nil, "odd height")
        #expect(conv.winograd(Self.geometry(height: 2, width: 8)) == nil, "too small")
        #expect(conv.winograd(Self.geometry(height: 4, width: 6, channels: 39)) == nil, "too few channels")
        let five = Convolution(outChannels: Self.channels, kernel: 5, stride: 1, padding: .same, heInitialisation: true)
        #expect(five.winograd(Self.geometry(height: 4, width: 6)) == nil, "5 × 5")
    }

    /// A network of one linear 40 → 40 convolution with random weights and bias, on two threads.
    static func network() throws -> Network {
        let network = Network(architecture: try Architecture("c\(channels)"), inputChannels: channels, seed: 5)
        network.threads = 2
        var random = SeededRandom(seed: 3)
        for i in 0..<network.parameterCount { network.parameters[i] = random.normal() * 0.2 }
        return network
    }

    @Test("forward: the textbook sum, samples and borders kept apart", arguments: [(4, 6, 5), (8, 4, 3), (6, 10, 2)])
    func forward(height: Int, width: Int, batch: Int) throws {
        let network = try Self.network(), c = Self.channels
        let shape = Shape(channels: c, height: height, width: width)
        var random = SeededRandom(seed: 13)
        let x = (0..<(batch * shape.count)).map { _ in random.normal() }
        let y = Array(try network.forward(x, batch: batch, shape: shape, training: false))
        let weights = c * c * 9
        var worst: Double = 0
        for j in 0..<batch {
            for o in 0..<c {
                for row in 0..<height {
                    for column in 0..<width {
                        var sum = Double(network.parameters[weights + o])
                        for i in 0..<c {
                            for ky in 0..<3 {
                                for kx in 0..<3 {
                                    let (sy, sx) = (row + ky - 1, column + kx - 1)
                                    guard (0..<height).contains(sy), (0..<width).contains(sx) else { continue }
                                    sum += Double(network.parameters[(o * c + i) * 9 + ky * 3 + kx])
                                        * Double(x[j * shape.count + (i * height + sy) * width + sx])
                                }
                            }
                        }
                        worst = max(worst, abs(sum - Double(y[((j * c + o) * height + row) * width + column])))
                    }
                }
            }
        }
        #expect(worst < 2e-4, "largest difference \(worst)")
        // Predicting gives the same floats on one thread as on two (a sample's products do not
        // depend on the others), and frozen for inference (the weights transformed once) too.
        network.threads = 1
        #expect(Array(try network.forward(x, batch: batch, shape: shape, training: false)) == y)
        network.threads = 2
        network.freezeForInference()
        #expect(Array(try network.forward(x, batch: batch, shape: shape, training: false)) == y)
    }

    @Test("backward: input, weight and bias gradients against finite differences")
    func backward() throws {
        let network = try Self.network(), c = Self.channels
        network.computesInputGradient = true
        let shape = Shape(channels: c, height: 4, width: 6), batch = 3
        var random = SeededRandom(seed: 11)
        var x = (0..<(batch * shape.count)).map { _ in random.normal() }
        let r = (0..<(batch * shape.count)).map { _ in random.normal() }
        func loss() throws -> Double {
            let y = try network.forward(x, batch: batch, shape: shape, training: true)
            return zip(y, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        _ = try loss()
        _ = network.outputGradient.update(fromContentsOf: r)
        network.backward()
        let analyticParameters = network.gradients.array, analyticInput = Array(network.inputGradient!)
        // L is linear in each parameter and input, so central differences are exact up to rounding.
        let epsilon: Float = 1e-2
        var failures: [String] = [], checked = 0
        func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
            checked += 1
            if abs(Double(analytic) - numeric) > 1e-2 * max(1, abs(numeric)) { failures.append("\(what): \(analytic) vs \(numeric)") }
        }
        // Every 7th weight (all nine taps and many channel pairs), every bias, every 5th input (corners included).
        let weights = c * c * 9
        for i in Swift.stride(from: 0, to: weights, by: 7).map({ $0 }) + Array(weights..<network.parameterCount) {
            let numeric = try centralDifference(around: network.parameters[i], epsilon: epsilon,
                                                set: { network.parameters[i] = $0 }, loss: loss)
            compare(analyticParameters[i], numeric, "parameter \(i)")
        }
        for i in Swift.stride(from: 0, to: x.count, by: 5) {
            compare(analyticInput[i], try centralDifference(around: x[i], epsilon: epsilon, set: { x[i] = $0 }, loss: loss),
                    "input \(i)")
        }
        #expect(failures.isEmpty, "\(failures.count) of \(checked) disagree: \(failures.prefix(5))")
        #expect(checked > 1000)
    }
}

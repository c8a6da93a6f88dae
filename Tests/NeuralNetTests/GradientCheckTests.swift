import Testing
@testable import NeuralNet

/// Every layer's backward pass against central finite differences of
/// L = Σ r·y for a fixed random r, with respect to inputs and parameters.
@Suite("Backward passes agree with finite differences")
struct GradientCheckTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let spec: String
        let input: Shape
        let batch: Int
        /// Layers with kinks (ReLU, max-pool) may sit on one for a few perturbations.
        var kinked = false
        var testDescription: String { "\(spec) on \(batch)×\(input)" }
    }

    static let cases: [Case] = [
        Case(spec: "c3 linear", input: Shape(channels: 2, height: 5, width: 6), batch: 2),
        Case(spec: "c4:k5:s2 linear", input: Shape(channels: 2, height: 7, width: 9), batch: 2),
        Case(spec: "c3:k3:s2:valid linear", input: Shape(channels: 3, height: 7, width: 8), batch: 3),
        // Several samples to a thread: they share padding rows in one padded matrix.
        Case(spec: "c3 linear", input: Shape(channels: 2, height: 4, width: 5), batch: 5),
        Case(spec: "c3:k5 linear", input: Shape(channels: 2, height: 5, width: 6), batch: 5),
        Case(spec: "c2:k1 linear", input: Shape(channels: 3, height: 4, width: 4), batch: 2),
        Case(spec: "c2:k4:s3 linear", input: Shape(channels: 1, height: 10, width: 11), batch: 2),
        Case(spec: "t3 linear", input: Shape(channels: 2, height: 4, width: 5), batch: 2),
        Case(spec: "t2:k2:s2 linear", input: Shape(channels: 3, height: 3, width: 3), batch: 2),
        Case(spec: "t2:k3:s1:valid linear", input: Shape(channels: 2, height: 4, width: 3), batch: 2),
        Case(spec: "t2:k4:s2 linear", input: Shape(channels: 2, height: 3, width: 4), batch: 2),
        Case(spec: "c3:tanh p c2", input: Shape(channels: 2, height: 6, width: 7), batch: 2, kinked: true),
        Case(spec: "c3:tanh u c2", input: Shape(channels: 2, height: 3, width: 4), batch: 2),
        Case(spec: "c3:tanh u:bilinear c2", input: Shape(channels: 2, height: 3, width: 5), batch: 2),
        Case(spec: "c4 c2", input: Shape(channels: 2, height: 5, width: 5), batch: 2, kinked: true),
        Case(spec: "c4:leaky c2", input: Shape(channels: 2, height: 5, width: 5), batch: 2, kinked: true),
        Case(spec: "c4:sigmoid c2 sigmoid", input: Shape(channels: 2, height: 5, width: 5), batch: 2),
        Case(spec: "c4:tanh c2 tanh", input: Shape(channels: 2, height: 5, width: 5), batch: 2),
        Case(spec: "c4:bn:tanh c2", input: Shape(channels: 2, height: 4, width: 5), batch: 3),
        Case(spec: "c4:bn:leaky c2:bn", input: Shape(channels: 1, height: 6, width: 6), batch: 4, kinked: true),
        // Twenty channels on two threads: batch norm's sums run eight channels side by side, then one by one.
        Case(spec: "c20:bn:tanh c2", input: Shape(channels: 2, height: 4, width: 5), batch: 3),
        // One-pixel-high and one-pixel-wide planes: both edges repeat the same pixel.
        Case(spec: "c2:tanh u:bilinear c2", input: Shape(channels: 1, height: 1, width: 3), batch: 2),
        Case(spec: "c2:tanh u:bilinear c2", input: Shape(channels: 1, height: 3, width: 1), batch: 2),
        Case(spec: "c2:tanh u c2", input: Shape(channels: 1, height: 1, width: 3), batch: 2),
        Case(spec: "c2:tanh u c2", input: Shape(channels: 1, height: 3, width: 1), batch: 2),
        // An odd last row and column: pooling drops them, and backward leaves them at zero.
        Case(spec: "c3:tanh p c2", input: Shape(channels: 2, height: 7, width: 5), batch: 3, kinked: true),
        Case(spec: "c3:tanh skip c2:tanh concat c2", input: Shape(channels: 2, height: 4, width: 5), batch: 2),
        Case(spec: "skip c3:tanh concat c2", input: Shape(channels: 2, height: 4, width: 4), batch: 2),
        Case(spec: "skip c3:tanh c2 add", input: Shape(channels: 2, height: 4, width: 5), batch: 2),
        Case(spec: "c2:tanh skip skip p c3:tanh u:bilinear concat c2:tanh add c2 sigmoid", input: Shape(channels: 1, height: 4, width: 4), batch: 2, kinked: true),
        Case(spec: "c3:tanh skip p c4:tanh skip p c2:tanh u:bilinear concat c3:tanh u concat c2 sigmoid",
             input: Shape(channels: 1, height: 4, width: 4), batch: 2, kinked: true),
        Case(spec: "c3:tanh skip p c4:tanh u:bilinear concat c2:sigmoid u:bilinear", input: Shape(channels: 1, height: 4, width: 6), batch: 2, kinked: true),
    ]

    @Test("gradients with respect to inputs and parameters", arguments: cases)
    func check(_ testCase: Case) throws {
        let network = Network(architecture: try Architecture(testCase.spec), inputChannels: testCase.input.channels, seed: 7)
        network.computesInputGradient = true
        network.threads = 2
        var random = SeededRandom(seed: 11)
        var x = (0..<(testCase.batch * testCase.input.count)).map { _ in random.normal() }
        let outputCount = try testCase.batch * network.outputShape(for: testCase.input).count
        let r = (0..<outputCount).map { _ in random.normal() }

        func loss() throws -> Double {
            let y = try network.forward(x, batch: testCase.batch, shape: testCase.input, training: true)
            return zip(y, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        _ = try loss()
        _ = network.outputGradient.update(fromContentsOf: r)
        network.backward()
        let analyticParameters = network.gradients.array
        let analyticInput = Array(network.inputGradient!)

        // Smaller steps near kinks, at the price of more float noise.
        let epsilon: Float = testCase.kinked ? 1e-3 : 1e-2
        var checked = 0, failures: [String] = []
        func compare(_ analytic: Float, _ numeric: Double, _ what: String) {
            checked += 1
            let tolerance = 1e-2 * max(1, abs(numeric))
            if abs(Double(analytic) - numeric) > tolerance { failures.append("\(what): analytic \(analytic), numeric \(numeric)") }
        }
        for i in 0..<network.parameterCount {
            let numeric = try centralDifference(around: network.parameters[i], epsilon: epsilon,
                                                set: { network.parameters[i] = $0 }, loss: loss)
            compare(analyticParameters[i], numeric, "parameter \(i)")
        }
        for i in x.indices {
            compare(analyticInput[i], try centralDifference(around: x[i], epsilon: epsilon, set: { x[i] = $0 }, loss: loss),
                    "input \(i)")
        }
        let allowed = testCase.kinked ? checked / 50 : 0
        #expect(failures.count <= allowed, "\(failures.count) of \(checked) disagree: \(failures.prefix(5))")
        #expect(checked > 20)
    }
}

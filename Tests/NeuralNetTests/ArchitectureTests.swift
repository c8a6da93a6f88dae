import Testing
@testable import NeuralNet

@Suite("Architecture specs")
struct ArchitectureTests {
    @Test("the reference architecture parses as the assignment describes it")
    func reference() throws {
        let architecture = Architecture.reference(outputs: 2)
        #expect(architecture.text == "c8 p c12 p c16 u c12 u c2 sigmoid")
        #expect(architecture.outputChannels == 2)
        guard case .convolution(_, _, _, _, _, let activation) = architecture.operations[8] else { Issue.record(); return }
        #expect(activation == .linear, "the last convolution is linear before the output activation")
        #expect(architecture.operations[0] == .convolution(channels: 8, kernel: 3, stride: 1, padding: .same, batchNorm: false, activation: .relu))
    }

    @Test("options: kernel, stride, padding, batch norm, activation, transposed, bilinear")
    func options() throws {
        let architecture = try Architecture("c16:k5:s2:valid:bn:leaky t8:k4 u:bilinear c3:tanh")
        #expect(architecture.operations == [
            .convolution(channels: 16, kernel: 5, stride: 2, padding: .valid, batchNorm: true, activation: .leaky),
            .transposedConvolution(channels: 8, kernel: 4, stride: 2, padding: .same, batchNorm: false, activation: .relu),
            .upsample(.bilinear),
            .convolution(channels: 3, kernel: 3, stride: 1, padding: .same, batchNorm: false, activation: .tanh),
        ])
    }

    @Test("bad specs point at the offending token", arguments: [
        ("c8 p c1x2 u c2", "c1x2", 5),
        ("c8 q c2", "q", 3),
        ("c8:k99 c2", "c8:k99", 0),
        ("c8 sigmoid c2", "sigmoid", 3),
        ("c8 u:cubic c2", "u:cubic", 3),
        ("c8:wide c2", "c8:wide", 0),
        ("c8 concat c2", "concat", 3),
        ("c8 skip p skip c4 concat c2", "skip", 3),
        ("c8 skip:x concat c2", "skip:x", 3),
        ("c8 add c2", "add", 3),
        ("skip c8 add:x c2", "add:x", 8),
    ])
    func errors(_ example: (String, String, Int)) {
        do {
            _ = try Architecture(example.0)
            Issue.record("\(example.0) parsed")
        } catch let error as ArchitectureError {
            #expect(error.token == example.1 && error.column == example.2)
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines[2].firstIndex(of: "^").map { lines[2].distance(from: lines[2].startIndex, to: $0) } == example.2 + 2)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: ArchitectureError.self) { try Architecture("   ") }
        #expect(throws: ArchitectureError.self) { try Architecture("p u") }
    }

    @Test("skip connections join the innermost open skip and add its channels")
    func skipConnections() throws {
        let architecture = try Architecture("c4 skip p c8 skip p c16 u concat c8 u concat c2 sigmoid")
        #expect(architecture.operations.filter { $0 == .skip }.count == 2)
        let network = Network(architecture: architecture, inputChannels: 3)
        let shapes = try network.shapes(for: Shape(channels: 3, height: 8, width: 8))
        #expect(shapes.map(\.description).contains("24×4×4"), "16 upsampled channels + 8 remembered at 4×4")
        #expect(shapes.map(\.description).contains("12×8×8"), "8 + 4 at 8×8")
        #expect(try network.outputShape(for: Shape(channels: 3, height: 8, width: 8)) == Shape(channels: 2, height: 8, width: 8))
        // 3×3 convolutions' weights see the joined channels.
        #expect(network.parameterCount == (3 * 9 + 1) * 4 + (4 * 9 + 1) * 8 + (8 * 9 + 1) * 16 + (24 * 9 + 1) * 8 + (12 * 9 + 1) * 2)
        let mismatched = Network(architecture: try Architecture("c4 skip p c8 concat c2"), inputChannels: 1)
        #expect(throws: NetworkError.self) { try mismatched.shapes(for: Shape(channels: 1, height: 8, width: 8)) }
    }

    @Test("a residual connection adds the remembered activation and needs its shape")
    func residualConnections() throws {
        let architecture = try Architecture("skip skip c8 c8 concat c3 add")
        #expect(architecture.operations.last == .add)
        let network = Network(architecture: architecture, inputChannels: 3, seed: 3)
        #expect(try network.outputShape(for: Shape(channels: 3, height: 5, width: 5)) == Shape(channels: 3, height: 5, width: 5))
        #expect(network.parameterCount == (3 * 9 + 1) * 8 + (8 * 9 + 1) * 8 + (11 * 9 + 1) * 3, "adding costs no parameters")
        // With the correction's weights zeroed, the network is the identity.
        network.parameters.zero()
        let input = (0..<(2 * 75)).map { Float($0) / 150 }
        #expect(try network.predict(input, count: 2, shape: Shape(channels: 3, height: 5, width: 5)) == input)
        let mismatched = Network(architecture: try Architecture("skip c4 add"), inputChannels: 3)
        #expect(throws: NetworkError.self) { try mismatched.shapes(for: Shape(channels: 3, height: 8, width: 8)) }
        let pooled = Network(architecture: try Architecture("skip c3 p add"), inputChannels: 3)
        #expect(throws: NetworkError.self) { try pooled.shapes(for: Shape(channels: 3, height: 8, width: 8)) }
    }

    @Test("summary rows, totals and latent size")
    func summary() throws {
        let network = Network(architecture: .reference(outputs: 2), inputChannels: 1)
        let summary = try ModelSummary(network: network, input: Shape(channels: 1, height: 32, width: 32))
        #expect(summary.totalParameters == 4_658)
        #expect(summary.latentSize == 1_024)
        #expect(summary.rows.map(\.output) == ["8×32×32", "8×16×16", "12×16×16", "12×8×8", "16×8×8", "16×16×16", "12×16×16", "12×32×32", "2×32×32", "2×32×32"])
        #expect(summary.rows.map(\.parameters) == [80, 0, 876, 0, 1744, 0, 1740, 0, 218, 0])
        let wide = try ModelSummary(network: Network(architecture: try Architecture("c32 c32 p c64 c64 p c128 u c64 u c32 c2"), inputChannels: 4),
                                    input: Shape(channels: 4, height: 32, width: 32))
        #expect(wide.latentSize == 128 * 8 * 8)
        #expect(summary.table.contains("Total params: 4,658"))
    }
}

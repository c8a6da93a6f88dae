/// A Keras-style table of a network for one input shape: each spec operation,
/// its output shape and parameter count, the total, and the latent size.
public struct ModelSummary: Sendable {
    /// One spec operation: its name (e.g. "conv 3×3, relu"), output shape ("8×32×32") and trainable parameters.
    public struct Row: Sendable {
        public let layer: String
        public let output: String
        public let parameters: Int
    }

    public let input: Shape
    public let rows: [Row]
    public let totalParameters: Int
    /// The encoder's output: what enters the first upsampling (or transposed
    /// convolution); without one, the smallest representation in the network.
    public let latentShape: Shape
    public var latentSize: Int { latentShape.count }
    /// Multiply-adds of one sample's forward pass, in its (transposed) convolutions.
    public let multiplyAdds: Int
    /// Of those, the first layer's: its backward pass needs no input gradient.
    public let firstLayerMultiplyAdds: Int
    /// Floating-point operations of one training step per sample: forward,
    /// weight gradients and input gradients, 2 per multiply-add.
    public var trainingFlops: Int { 2 * (3 * multiplyAdds - firstLayerMultiplyAdds) }

    public init(network: Network, input: Shape) throws {
        self.input = input
        let shapes = try network.shapes(for: input)
        var rows: [Row] = [], outputs: [Shape] = []
        for (index, operation) in network.architecture.operations.enumerated() {
            let layers = network.operationOfLayer.indices.filter { network.operationOfLayer[$0] == index }
            let output = layers.last.map { shapes[$0 + 1] } ?? (outputs.last ?? input)
            let parameters = layers.reduce(0) { $0 + network.layers[$1].parameterCount(inputChannels: network.layerInputChannels[$1]) }
            rows.append(Row(layer: Self.name(operation), output: output.description, parameters: parameters))
            outputs.append(output)
        }
        self.rows = rows
        var macs: [Int] = []
        for (i, layer) in network.layers.enumerated() {
            let (x, y) = (shapes[i], shapes[i + 1])
            if let conv = layer as? Convolution {
                macs.append(y.count * x.channels * conv.kernel * conv.kernel)
            } else if let conv = layer as? TransposedConvolution {
                macs.append(x.count * conv.outChannels * conv.kernel * conv.kernel)
            }
        }
        multiplyAdds = macs.reduce(0, +)
        firstLayerMultiplyAdds = macs.first ?? 0
        totalParameters = network.parameterCount
        let firstDecoder = network.architecture.operations.firstIndex {
            switch $0 {
            case .upsample, .transposedConvolution: true
            default: false
            }
        }
        if let firstDecoder, firstDecoder > 0 {
            latentShape = outputs[firstDecoder - 1]
        } else {
            latentShape = outputs.min { $0.count < $1.count } ?? input
        }
    }

    static func name(_ operation: Architecture.Operation) -> String {
        switch operation {
        case let .convolution(_, kernel, stride, padding, batchNorm, activation):
            "conv \(kernel)×\(kernel)" + (stride == 1 ? "" : " /\(stride)") + (padding == .valid ? " valid" : "")
                + (batchNorm ? " + bn" : "") + ", \(activation.rawValue)"
        case let .transposedConvolution(_, kernel, stride, padding, batchNorm, activation):
            "transposed \(kernel)×\(kernel) /\(stride)" + (padding == .valid ? " valid" : "") + (batchNorm ? " + bn" : "") + ", \(activation.rawValue)"
        case .maxPool: "max-pool 2×2"
        case .upsample(let mode): "upsample ×2, \(mode.rawValue)"
        case .activation(let activation): activation.rawValue
        case .skip: "skip (remember)"
        case .concat: "concatenate skip"
        case .add: "add skip"
        }
    }

    /// The summary as a fixed-width text table.
    public var table: String {
        let header = ("Layer (type)", "Output shape", "Param #")
        let widths = (max(header.0.count, rows.map(\.layer.count).max() ?? 0) + 2,
                      max(header.1.count, rows.map(\.output.count).max() ?? 0) + 2)
        func line(_ a: String, _ b: String, _ c: String) -> String {
            a.padding(toLength: widths.0, withPad: " ", startingAt: 0) + b.padding(toLength: widths.1, withPad: " ", startingAt: 0) + c
        }
        let rule = String(repeating: "─", count: widths.0 + widths.1 + 10)
        var lines = ["Input: \(input)", rule, line(header.0, header.1, header.2), rule]
        lines += rows.map { line($0.layer, $0.output, Self.grouped($0.parameters)) }
        lines += [rule, "Total params: \(Self.grouped(totalParameters))",
                  "Latent size: \(Self.grouped(latentSize)) (\(latentShape))",
                  "Multiply-adds per sample: \(Self.grouped(multiplyAdds))"]
        return lines.joined(separator: "\n")
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }
}

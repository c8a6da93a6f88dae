import ArgumentParser
import Colorizer
import ColorSpace
import Foundation
import ImageIO
import NeuralNet

/// `chroma model summary`: a Keras-style table of an architecture or a model file.
struct ModelSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print each layer's output shape and parameters, the total, and the latent size.",
        discussion: """
            The argument is an architecture spec, a model file, or lab or ycbcr for a bundled model, e.g.
              chroma model summary "c8 p c12 p c16 u c12 u c2" --input 1x32x32
              chroma model summary runs/lab/model.chroma
              chroma model summary lab

            Spec tokens: cN (3×3 convolution, N channels, ReLU), tN (transposed convolution, ×2), \
            p (2×2 max-pool), u (×2 upsample), skip … concat (a U-Net skip connection), \
            skip … add (a residual connection); \
            options after a colon: kK (kernel), sS (stride), \
            valid, bn (batch norm), relu|leaky|sigmoid|tanh|linear, u:bilinear. The last \
            convolution is linear; a final activation token is the output activation.
            """)

    @Argument(help: "An architecture spec, the path of a model file, or lab or ycbcr (a bundled model).")
    var specOrModel: String

    @Option(help: "Input shape as CxHxW, e.g. 1x32x32 (default: the model's channels, or 1, at 32x32).")
    var input: InputShape?

    struct InputShape: ExpressibleByArgument {
        let shape: Shape
        init?(argument: String) {
            let parts = argument.lowercased().split(separator: "x").compactMap { Int($0) }
            guard parts.count == 3, parts.allSatisfy({ $0 > 0 }) else { return nil }
            shape = Shape(channels: parts[0], height: parts[1], width: parts[2])
        }
    }

    /// Whether the argument names a file rather than spelling an architecture:
    /// a path (a slash, or a model file's extension) or something that exists.
    var namesAFile: Bool {
        specOrModel.contains("/") || specOrModel.hasSuffix(".chroma") || ImageFile.kind(of: specOrModel) != nil
    }

    func run() throws {
        let network: Network
        var metadata: [String: String] = [:]
        if let space = ChromaSpace(rawValue: specOrModel), ImageFile.kind(of: specOrModel) == nil {
            let model = try reporting(BundledModels.origin(of: space)) { try BundledModels.load(space) }
            (network, metadata) = (model.network, model.metadata)
            print("Model: \(BundledModels.origin(of: space))")
        } else if namesAFile {
            let model = try reporting(specOrModel) { try ModelFile.load(from: specOrModel) }
            (network, metadata) = (model.network, model.metadata)
        } else {
            let architecture = try reporting("architecture", exitCode: 64) { try Architecture(specOrModel) }
            network = Network(architecture: architecture, inputChannels: input?.shape.channels ?? 1)
        }
        let shape = input?.shape ?? Shape(channels: network.inputChannels, height: 32, width: 32)
        let summary = try reporting(specOrModel) {
            try ModelSummary(network: Network(architecture: network.architecture, inputChannels: shape.channels), input: shape)
        }
        print("Architecture: \(network.architecture)")
        // Every entry as the file holds it, known to this version or not; long lists
        // (a bins model's 144 bin frequencies) are summarised, not dumped.
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let values = value.split(separator: ",")
            print("\(key): " + (values.count > 12 ? "\(values.count) values (\(values.prefix(3).joined(separator: ",")), …)" : value))
        }
        print(summary.table)
    }
}

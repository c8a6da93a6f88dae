import ArgumentParser
import Foundation
import NeuralNet

/// `chroma model summary`: a Keras-style table of an architecture or a model file.
struct ModelSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print each layer's output shape and parameters, the total, and the latent size.",
        discussion: """
            The argument is an architecture spec or a model file, e.g.
              chroma model summary "c8 p c12 p c16 u c12 u c2" --input 1x32x32
              chroma model summary runs/lab/model.chroma

            Spec tokens: cN (3×3 convolution, N channels, ReLU), tN (transposed convolution, ×2), \
            p (2×2 max-pool), u (×2 upsample), skip … concat (a U-Net skip connection), \
            skip … add (a residual connection); \
            options after a colon: kK (kernel), sS (stride), \
            valid, bn (batch norm), relu|leaky|sigmoid|tanh|linear, u:bilinear. The last \
            convolution is linear; a final activation token is the output activation.
            """)

    @Argument(help: "An architecture spec, or the path of a model file.")
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

    func run() throws {
        let network: Network
        var metadata: [String: String] = [:]
        if FileManager.default.fileExists(atPath: specOrModel) {
            do {
                let model = try ModelFile.load(from: specOrModel)
                network = model.network
                metadata = model.metadata
            } catch {
                Diagnostics.error(specOrModel, error)
                throw ExitCode.failure
            }
        } else {
            let architecture: Architecture
            do {
                architecture = try Architecture(specOrModel)
            } catch {
                Diagnostics.error("architecture", error)
                throw ExitCode(64)
            }
            network = Network(architecture: architecture, inputChannels: input?.shape.channels ?? 1)
        }
        let shape = input?.shape ?? Shape(channels: network.inputChannels, height: 32, width: 32)
        do {
            let summary = try ModelSummary(network: Network(architecture: network.architecture, inputChannels: shape.channels), input: shape)
            print("Architecture: \(network.architecture)")
            for key in metadata.keys.sorted() { print("\(key): \(metadata[key]!)") }
            print(summary.table)
        } catch {
            Diagnostics.error(specOrModel, error)
            throw ExitCode.failure
        }
    }
}

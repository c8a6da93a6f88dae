import ColorSpace
import Datasets
import Foundation
import ImageIO
import NeuralNet

/// How close an autoencoder's outputs come to the clean images: MSE on the
/// 0…1 scale, and PSNR and SSIM of the 8-bit results (docs/metrics.md's definitions).
public struct AutoencoderReport: Sendable {
    /// One output's figures over all images.
    public struct Scores: Sendable, Equatable, Encodable {
        /// Mean squared error over all samples, images scaled to 0…1.
        public var mse: Double
        /// Mean over images of PSNR (dB, capped at 48.13).
        public var psnr: Double
        /// Mean over images of SSIM (docs/metrics.md's window, 0…1, higher is better).
        public var ssim: Double
    }

    public var images: Int
    public var result: Scores
    /// The identity baseline for denoising: the noisy input itself, scored the same way.
    public var baseline: Scores?

    /// `{"images": …, "model": …, "mse": …, "psnr": …, "ssim": …, "task": …[, "baseline": {…}]}`, keys sorted.
    public func json(model: String, task: String) throws -> String {
        struct Document: Encodable {
            let images: Int
            let model: String
            let task: String
            let mse, psnr, ssim: Double
            let baseline: Scores?
        }
        return try JSONText.encode(Document(images: images, model: model, task: task, mse: result.mse, psnr: result.psnr,
                                            ssim: result.ssim, baseline: baseline))
    }
}

extension Evaluator {
    /// The network's inputs and outputs (both normalised) for every image of
    /// `set`; noise, if the task adds any, is `TrainingTask.evaluationNoise`.
    public static func run(_ network: Network, task: TrainingTask, set: ImageSet) throws -> (examples: TrainingExamples, inputs: [Float], outputs: [Float]) {
        let examples = task.examples(set)
        var inputs = [Float](repeating: 0, count: set.count * task.inputChannels * examples.plane)
        examples.sources.withUnsafeBufferPointer { sources in
            inputs.withUnsafeMutableBufferPointer {
                task.makeInputs(sources: sources.baseAddress!, count: set.count, plane: examples.plane, into: $0.baseAddress!) {
                    TrainingTask.evaluationNoise(image: $0)
                }
            }
        }
        let shape = Shape(channels: task.inputChannels, height: set.height, width: set.width)
        return (examples, inputs, try network.predict(inputs, count: set.count, shape: shape))
    }

    /// The mean of the squared differences of two equally long arrays (outputs against targets).
    public static func meanSquaredError(_ values: [Float], _ targets: [Float]) -> Double {
        precondition(values.count == targets.count, "\(values.count) values for \(targets.count) targets")
        var squares = 0.0
        for (v, t) in zip(values, targets) { squares += Double((v - t) * (v - t)) }
        return squares / Double(max(values.count, 1))
    }

    /// Planar R, G, B values in 0…1 (`count × 3 × plane`) as 8-bit images.
    public static func images(unitRGB values: [Float], like set: ImageSet) -> ImageSet {
        ImageSet(width: set.width, height: set.height, pixels: values.map { UInt8(min(max($0 * 255, 0), 255).rounded()) })
    }

    /// Scores a reconstruction or denoising model on `set`.
    public static func autoencoder(_ network: Network, task: TrainingTask, set: ImageSet) throws -> AutoencoderReport {
        precondition(task.kind == .reconstruct || task.kind == .denoise, "not an autoencoder task")
        let (examples, inputs, outputs) = try run(network, task: task, set: set)
        let truth = set.stacked()
        func scores(_ values: [Float]) -> AutoencoderReport.Scores {
            let result = images(unitRGB: values, like: set).stacked()
            let size = set.imageSize
            var psnr = 0.0, ssim = 0.0
            result.samples.withUnsafeBufferPointer { r in
                truth.samples.withUnsafeBufferPointer { t in
                    for i in 0..<set.count {
                        let a = UnsafeBufferPointer(rebasing: r[i * size..<(i + 1) * size])
                        let b = UnsafeBufferPointer(rebasing: t[i * size..<(i + 1) * size])
                        psnr += Metrics.psnr(a, b)
                        ssim += SSIM.rgb(a, b, width: set.width, height: set.height)
                    }
                }
            }
            let n = Double(set.count)
            return .init(mse: meanSquaredError(values, examples.targets), psnr: psnr / n, ssim: ssim / n)
        }
        return AutoencoderReport(images: set.count, result: scores(outputs),
                                 baseline: task.kind == .denoise ? scores(inputs) : nil)
    }

    /// Scores a model that predicts R, G, B from luminance with the colorization
    /// metrics, against the same gray baseline as the chroma colorizers.
    public static func colorizationRGB(_ network: Network, space: ChromaSpace, set: ImageSet) throws -> EvaluationReport {
        let (_, _, outputs) = try run(network, task: .colorizeRGB(space: space), set: set)
        let colorized = images(unitRGB: outputs, like: set).stacked()
        let gray = space.grayImage(of: set.stacked())
        return score(colorized: colorized, gray: gray, truth: set)
    }
}

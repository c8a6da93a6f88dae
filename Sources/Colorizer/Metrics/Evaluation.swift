import ColorSpace
import Datasets
import ImageIO
import NeuralNet

/// A colorizer's scores on a set of images, and the gray baseline's.
public struct EvaluationReport: Sendable, Codable {
    public struct Scores: Sendable, Codable {
        public var psnr: Double
        public var medianPsnr: Double
        public var colourfulness: Double
    }

    public var images: Int
    public var result: Scores
    public var baseline: Scores
    /// Share of images whose PSNR beats the gray baseline's.
    public var beatsGray: Double
    public var truthColourfulness: Double
}

public enum Evaluator {
    /// Colorizes every image of `set` from its luminance and scores it against the original.
    public static func evaluate(_ network: Network, task: ColorizationTask, set: ImageSet) throws -> EvaluationReport {
        let prepared = task.prepare(set)
        var inputs = [Float](repeating: 0, count: set.count * task.inputChannels * prepared.plane)
        prepared.luminance.withUnsafeBufferPointer { l in
            inputs.withUnsafeMutableBufferPointer { task.inputs(luminance: l.baseAddress!, count: set.count, plane: prepared.plane, into: $0.baseAddress!) }
        }
        let shape = Shape(channels: task.inputChannels, height: set.height, width: set.width)
        let chroma = try network.predict(inputs, count: set.count, shape: shape)
        let colorized = chroma.withUnsafeBufferPointer {
            task.rgb(luminance: prepared.luminance, normalisedChroma: $0.baseAddress!, count: set.count, width: set.width, height: set.height)
        }
        let gray = task.space.image(from: task.space.neutral(luminance: Plane(width: set.width, height: set.height * set.count, values: prepared.luminance)))
        let truth = set.stacked()
        let size = set.imageSize
        var psnr: [Double] = [], basePsnr: [Double] = []
        var colour = 0.0, baseColour = 0.0, truthColour = 0.0
        colorized.samples.withUnsafeBufferPointer { result in
            gray.samples.withUnsafeBufferPointer { gray in
                truth.samples.withUnsafeBufferPointer { truth in
                    for i in 0..<set.count {
                        let r = UnsafeBufferPointer(rebasing: result[i * size..<(i + 1) * size])
                        let g = UnsafeBufferPointer(rebasing: gray[i * size..<(i + 1) * size])
                        let t = UnsafeBufferPointer(rebasing: truth[i * size..<(i + 1) * size])
                        psnr.append(Metrics.psnr(r, t))
                        basePsnr.append(Metrics.psnr(g, t))
                        colour += Metrics.colourfulness(r)
                        baseColour += Metrics.colourfulness(g)
                        truthColour += Metrics.colourfulness(t)
                    }
                }
            }
        }
        let n = Double(set.count)
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        return EvaluationReport(
            images: set.count,
            result: .init(psnr: psnr.reduce(0, +) / n, medianPsnr: median(psnr), colourfulness: colour / n),
            baseline: .init(psnr: basePsnr.reduce(0, +) / n, medianPsnr: median(basePsnr), colourfulness: baseColour / n),
            beatsGray: Double(zip(psnr, basePsnr).filter { $0 > $1 }.count) / n,
            truthColourfulness: truthColour / n)
    }
}

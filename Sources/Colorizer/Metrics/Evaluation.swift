import ColorSpace
import Datasets
import ImageIO
import NeuralNet
import Foundation

/// A colorizer's scores on a set of images, and the gray baseline's (docs/metrics.md's definitions).
public struct EvaluationReport: Sendable {
    /// One set of colorized images' figures (the model's, or the gray baseline's).
    public struct Scores: Sendable, Codable {
        /// Mean over images of PSNR (dB, capped at 48.13).
        public var psnr: Double
        /// Median over images of PSNR (dB).
        public var medianPsnr: Double
        /// Mean over images of SSIM (0…1).
        public var ssim: Double
        /// Mean over images of the mean CIEDE2000 over pixels.
        public var deltaE2000: Double
        /// Mean over images of Hasler and Süsstrunk's colourfulness (0 for gray; CIFAR-10's originals: 33.7).
        public var colourfulness: Double
    }

    public var images: Int
    public var result: Scores
    public var baseline: Scores
    /// Share of images whose PSNR beats the gray baseline's, 0…1.
    public var beatsGray: Double
    /// Mean colourfulness of the original images, the figure a colorizer aims at.
    public var truthColourfulness: Double

    /// `{"model": …, "images": …, "psnr": …, …, "baseline": {…}}`, keys sorted.
    public func json(model: String) throws -> String {
        struct Document: Encodable {
            let model: String
            let images: Int
            let psnr, medianPsnr, ssim, deltaE2000, colourfulness: Double
            let beatsGray, truthColourfulness: Double
            let baseline: Scores
        }
        return try JSONText.encode(Document(
            model: model, images: images, psnr: result.psnr, medianPsnr: result.medianPsnr, ssim: result.ssim,
            deltaE2000: result.deltaE2000, colourfulness: result.colourfulness, beatsGray: beatsGray,
            truthColourfulness: truthColourfulness, baseline: baseline))
    }
}

/// Runs a trained network over an image set and scores it: colorizers
/// against the gray baseline, autoencoders against the clean images.
public enum Evaluator {
    /// Images the network runs at once when scoring: a binned model's logits are
    /// 144 floats a pixel, 590 KB an image, so a whole test set's would be 6 GB.
    static let slice = 500

    /// Runs the network over `set` a slice of images at a time and hands each slice's
    /// outputs (`slice × outputChannels × plane`) to `body` with the slice's image range.
    /// - Returns: the images' luminance and chroma.
    /// Reports work done so far, `done` of `total` steps (for a progress display).
    public typealias Progress = (_ done: Int, _ total: Int) -> Void

    static func forEachOutputSlice(_ network: Network, task: ColorizationTask, set: ImageSet, progress: Progress = { _, _ in },
                                   _ body: (Range<Int>, UnsafePointer<Float>) -> Void) throws -> PreparedImages {
        let prepared = task.prepare(set)
        let plane = prepared.plane, channels = task.inputChannels
        let shape = Shape(channels: channels, height: set.height, width: set.width)
        for start in stride(from: 0, to: set.count, by: slice) {
            let images = start..<min(start + slice, set.count)
            var inputs = [Float](repeating: 0, count: images.count * channels * plane)
            prepared.luminance.withUnsafeBufferPointer { l in
                inputs.withUnsafeMutableBufferPointer {
                    task.inputs(luminance: l.baseAddress! + start * plane, count: images.count, plane: plane, into: $0.baseAddress!)
                }
            }
            let outputs = try network.predict(inputs, count: images.count, shape: shape, mirrorAveraged: task.averagesMirror)
            outputs.withUnsafeBufferPointer { body(images, $0.baseAddress!) }
            progress(images.upperBound, set.count)
        }
        return prepared
    }

    /// The network's normalised chroma for every image of `set` (`count × 2 × plane`) and the images' luminance.
    public static func predictions(_ network: Network, task: ColorizationTask, set: ImageSet,
                                   progress: Progress = { _, _ in }) throws -> (chroma: [Float], prepared: PreparedImages) {
        let plane = set.width * set.height
        var chroma = [Float](repeating: 0, count: set.count * 2 * plane)
        let prepared = try forEachOutputSlice(network, task: task, set: set, progress: progress) { images, outputs in
            let decoded = task.chroma(fromOutputs: outputs, count: images.count, plane: plane)
            chroma.replaceSubrange(images.lowerBound * 2 * plane..<images.upperBound * 2 * plane, with: decoded)
        }
        return (chroma, prepared)
    }

    /// One setting a calibration tries: for binned models the annealed mean's
    /// temperature and prior weight, and the saturation applied after them.
    public struct Calibration: Sendable, Equatable {
        public var temperature: Float
        public var priorWeight: Float
        public var saturation: Float
        public init(temperature: Float = 1, priorWeight: Float = 0, saturation: Float = 1) {
            self.temperature = temperature
            self.priorWeight = priorWeight
            self.saturation = saturation
        }
    }

    /// How often each of a binned task's bins occurs in the chroma of `set`.
    public static func binFrequencies(_ task: ColorizationTask, set: ImageSet) -> [Float]? {
        guard let bins = task.bins else { return nil }
        let prepared = task.prepare(set)
        return prepared.chroma.withUnsafeBufferPointer {
            bins.frequencies(of: $0.baseAddress!, samples: set.count, plane: prepared.plane).map { Float($0) }
        }
    }

    /// Mean PSNR and colourfulness of `set` colorized with each calibration: the
    /// trade-off between fidelity and colour a deployed model's settings are chosen from.
    public static func calibrationSweep(_ network: Network, task: ColorizationTask, set: ImageSet,
                                        calibrations: [Calibration]) throws -> [(calibration: Calibration, psnr: Double, colourfulness: Double)] {
        let plane = set.width * set.height
        let tunedTasks = calibrations.map { calibration in
            var tuned = task
            tuned.temperature = calibration.temperature
            tuned.priorWeight = calibration.priorWeight
            return tuned
        }
        var chromas = calibrations.map { _ in [Float](repeating: 0, count: set.count * 2 * plane) }
        let prepared = try forEachOutputSlice(network, task: task, set: set) { images, outputs in
            for (c, tuned) in tunedTasks.enumerated() {
                let decoded = tuned.chroma(fromOutputs: outputs, count: images.count, plane: plane)
                chromas[c].replaceSubrange(images.lowerBound * 2 * plane..<images.upperBound * 2 * plane, with: decoded)
            }
        }
        let truth = set.stacked(), size = set.imageSize
        return zip(calibrations, chromas).map { calibration, chroma in
            let colorized = chroma.withUnsafeBufferPointer {
                task.rgb(luminance: prepared.luminance, normalisedChroma: $0.baseAddress!, count: set.count, width: set.width,
                         height: set.height, saturation: calibration.saturation)
            }
            var psnr = 0.0, colour = 0.0
            colorized.samples.withUnsafeBufferPointer { result in
                truth.samples.withUnsafeBufferPointer { truth in
                    for i in 0..<set.count {
                        let r = UnsafeBufferPointer(rebasing: result[i * size..<(i + 1) * size])
                        psnr += Metrics.psnr(r, UnsafeBufferPointer(rebasing: truth[i * size..<(i + 1) * size]))
                        colour += Metrics.colourfulness(r)
                    }
                }
            }
            return (calibration, psnr / Double(set.count), colour / Double(set.count))
        }
    }

    /// Colorizes every image of `set` from its luminance and scores it against the original.
    /// - Parameters:
    ///   - network: the trained colorizer's network.
    ///   - task: its inputs and outputs (`ModelMetadata.colorization()`).
    ///   - set: the images, in colour.
    ///   - saturation: multiplies the predicted chroma's distance from neutral.
    ///   - progress: told of each step: the images predicted, then the images scored (2 × count steps in all).
    public static func evaluate(_ network: Network, task: ColorizationTask, set: ImageSet, saturation: Float = 1,
                                progress: Progress = { _, _ in }) throws -> EvaluationReport {
        let (chroma, prepared) = try predictions(network, task: task, set: set) { done, _ in progress(done, 2 * set.count) }
        let colorized = chroma.withUnsafeBufferPointer {
            task.rgb(luminance: prepared.luminance, normalisedChroma: $0.baseAddress!, count: set.count, width: set.width,
                     height: set.height, saturation: saturation)
        }
        let gray = task.space.image(from: task.space.neutral(luminance: Plane(width: set.width, height: set.height * set.count, values: prepared.luminance)))
        return score(colorized: colorized, gray: gray, truth: set) { done, _ in progress(set.count + done, 2 * set.count) }
    }

    /// Scores colorized images (stacked in one tall image, in `truth`'s order)
    /// and the gray baseline against the originals; `progress` is told of each image scored.
    public static func score(colorized: Image<UInt8>, gray: Image<UInt8>, truth set: ImageSet,
                             progress: Progress = { _, _ in }) -> EvaluationReport {
        let truth = set.stacked()
        let size = set.imageSize, plane = set.width * set.height
        let truthLab = ChromaSpace.lab.planes(from: truth), resultLab = ChromaSpace.lab.planes(from: colorized)
        let grayLab = ChromaSpace.lab.planes(from: gray)
        func meanDeltaE(_ lab: ColorPlanes, _ image: Int) -> Double {
            DeltaE2000.mean(lab, truthLab, pixels: image * plane..<(image + 1) * plane)
        }
        var psnr: [Double] = [], basePsnr: [Double] = []
        var colour = 0.0, baseColour = 0.0, truthColour = 0.0, ssim = 0.0, baseSSIM = 0.0, deltaE = 0.0, baseDeltaE = 0.0
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
                        ssim += SSIM.rgb(r, t, width: set.width, height: set.height)
                        baseSSIM += SSIM.rgb(g, t, width: set.width, height: set.height)
                        deltaE += meanDeltaE(resultLab, i)
                        baseDeltaE += meanDeltaE(grayLab, i)
                        if i % 100 == 99 || i == set.count - 1 { progress(i + 1, set.count) }
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
            result: .init(psnr: psnr.reduce(0, +) / n, medianPsnr: median(psnr), ssim: ssim / n,
                          deltaE2000: deltaE / n, colourfulness: colour / n),
            baseline: .init(psnr: basePsnr.reduce(0, +) / n, medianPsnr: median(basePsnr), ssim: baseSSIM / n,
                            deltaE2000: baseDeltaE / n, colourfulness: baseColour / n),
            beatsGray: Double(zip(psnr, basePsnr).filter { $0 > $1 }.count) / n,
            truthColourfulness: truthColour / n)
    }
}

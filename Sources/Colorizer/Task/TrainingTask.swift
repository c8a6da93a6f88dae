import ColorSpace
import Datasets
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// What a network learns to do: the colorizer's task, or one of the
/// assignment's autoencoder exercises, all trained by the same `Trainer`.
///
/// Every task works on values normalised to 0…1 and records itself in a
/// model file's metadata, so a model file says what it expects and returns.
public enum TrainingTask: Sendable, Equatable {
    /// Luminance (+ gamma copies) in, the two chroma channels out.
    case colorize(ColorizationTask)
    /// Luminance of `space` in, R, G, B out: the assignment's exercise 3.1,
    /// before its hint to predict chrominance alone.
    case colorizeRGB(space: ChromaSpace)
    /// R, G, B in, the same out.
    case reconstruct
    /// R, G, B with Gaussian noise of standard deviation `noiseStd` (on the
    /// 0…1 scale, clamped to 0…1) in; the clean R, G, B out.
    case denoise(noiseStd: Float)

    /// The names `chroma train --task` accepts.
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case colorize, colorizeRGB = "colorize-rgb", reconstruct, denoise
    }

    public var kind: Kind {
        switch self {
        case .colorize: .colorize
        case .colorizeRGB: .colorizeRGB
        case .reconstruct: .reconstruct
        case .denoise: .denoise
        }
    }

    public var inputChannels: Int {
        switch self {
        case .colorize(let task): task.inputChannels
        case .colorizeRGB: 1
        case .reconstruct, .denoise: 3
        }
    }

    public var outputChannels: Int {
        switch self {
        case .colorize(let task): task.outputChannels
        case .colorizeRGB, .reconstruct, .denoise: 3
        }
    }

    /// The channels a prepared example stores before `makeInputs` adds what
    /// varies per batch (gamma copies, noise).
    var sourceChannels: Int { kind == .colorize ? 1 : inputChannels }

    // MARK: Examples

    /// Sources and targets of every image of `set`, normalised to 0…1.
    public func examples(_ set: ImageSet) -> TrainingExamples {
        switch self {
        case .colorize(let task):
            let prepared = task.prepare(set)
            let sources = prepared.luminance.map(task.networkLuminance)
            return TrainingExamples(width: set.width, height: set.height, count: set.count,
                                    sourceChannels: 1, sources: sources, targetChannels: 2, targets: prepared.chroma)
        case .colorizeRGB(let space):
            let luminance = space.luminancePlane(of: set.stacked()).values
            let task = ColorizationTask(space: space)
            let sources = luminance.map(task.networkLuminance)
            return TrainingExamples(width: set.width, height: set.height, count: set.count,
                                    sourceChannels: 1, sources: sources, targetChannels: 3, targets: Self.unitRGB(set))
        case .reconstruct, .denoise:
            // One array serves as both: copy-on-write never copies it.
            let rgb = Self.unitRGB(set)
            return TrainingExamples(width: set.width, height: set.height, count: set.count,
                                    sourceChannels: 3, sources: rgb, targetChannels: 3, targets: rgb)
        }
    }

    /// `count × 3 × plane` samples of `set` divided by 255.
    static func unitRGB(_ set: ImageSet) -> [Float] {
        set.pixels.map { Float($0) * (1 / 255) }
    }

    /// Network inputs from `count` examples' sources (`count × sourceChannels × plane`):
    /// gamma copies for colorization, fresh noise for denoising.
    /// - Parameter sources: `count × sourceChannels × plane` floats (`TrainingExamples.sources`).
    /// - Parameter count: the number of examples.
    /// - Parameter plane: the pixels of one image.
    /// - Parameter out: receives `count × inputChannels × plane` floats.
    /// - Parameter noise: draws the noise; evaluation passes a generator
    ///   seeded per image so that scores do not depend on the batch size.
    public func makeInputs(sources: UnsafePointer<Float>, count: Int, plane: Int, into out: UnsafeMutablePointer<Float>,
                           noise: (_ example: Int) -> SeededRandom) {
        switch self {
        case .colorize(let task):
            let gammas = task.gammas, channels = inputChannels
            for i in 0..<count {
                let source = sources + i * plane, target = out + i * channels * plane
                target.update(from: source, count: plane)
                GammaStack.channels(of: source, count: plane, gammas: gammas, into: target + plane)
            }
        case .colorizeRGB, .reconstruct:
            out.update(from: sources, count: count * inputChannels * plane)
        case .denoise(let std):
            let values = 3 * plane
            for i in 0..<count {
                var random = noise(i)
                for p in 0..<values {
                    out[i * values + p] = min(max(sources[i * values + p] + std * random.normal(), 0), 1)
                }
            }
        }
    }

    /// The noise evaluation adds to image `image` of a set: the same for every
    /// run, batch size and model, so that scores compare.
    public static func evaluationNoise(image: Int) -> SeededRandom {
        SeededRandom(seed: 0xD15E_A5E5 &+ UInt64(image))
    }

    /// The colorization task, when this is one.
    public var colorization: ColorizationTask? {
        if case .colorize(let task) = self { return task }
        return nil
    }
}

/// Inputs-to-be and targets of a set of images, normalised to 0…1.
public struct TrainingExamples: Sendable {
    public let width: Int
    public let height: Int
    public let count: Int
    public let sourceChannels: Int
    /// `count × sourceChannels × plane`.
    public let sources: [Float]
    public let targetChannels: Int
    /// `count × targetChannels × plane`.
    public let targets: [Float]
    public var plane: Int { width * height }
}

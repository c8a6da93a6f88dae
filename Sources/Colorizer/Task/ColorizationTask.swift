import ColorSpace
import Datasets
import ImageIO
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// What goes into the network and what comes out, for colorization.
///
/// Input channels: the luminance of `space` normalised to 0…1 (L\*/100 or
/// Y/255), then the luminance raised to each of `gammas`. Output channels:
/// the two chroma channels normalised to 0…1 (a\*, b\*: (v + 128)/256;
/// Cb, Cr: v/255), or, for a model trained with `--loss bins:N`, logits over
/// an N × N grid of chroma bins whose annealed mean gives those two channels.
/// A model file records all of this in its metadata (`ModelMetadata`).
public struct ColorizationTask: Sendable, Equatable {
    public var space: ChromaSpace
    public var gammas: [Float]
    /// The bins the network predicts a distribution over; nil when it predicts the chroma itself.
    public var bins: BinGrid?
    /// For a binned model: the softmax temperature of the annealed mean, in (0, 1]
    /// (1: the distribution's mean; lower: bolder colours where the model is sure).
    public var temperature: Float
    /// For a binned model: how often each bin occurs in the training images' chroma,
    /// which `priorWeight` divides the predicted distribution by.
    public var binFrequencies: [Float]?
    /// For a binned model: the power α of the prior the distribution is divided by
    /// before its annealed mean, 0…1 (0: none). Squared error and cross-entropy
    /// both favour the common near-gray colours; dividing by their frequency gives
    /// the rarer, stronger ones their due where the model sees evidence for them.
    public var priorWeight: Float
    /// Whether predictions average the network's output for the image with its output for
    /// the mirror image, mirrored back (twice the inference work). The models learnt from
    /// flipped images too, so both are fair guesses; their mean is a better one, like a
    /// two-model ensemble for free. `chroma model calibrate --mirror-average` sets it.
    public var averagesMirror: Bool

    /// Bins never seen still get this frequency, so that dividing by it stays finite.
    public static let frequencyFloor: Float = 1e-4

    public init(space: ChromaSpace, gammas: [Float] = [], bins: BinGrid? = nil, temperature: Float = 1,
                binFrequencies: [Float]? = nil, priorWeight: Float = 0, averagesMirror: Bool = false) {
        precondition(binFrequencies == nil || binFrequencies!.count == bins?.count, "one frequency per bin")
        self.space = space
        self.gammas = gammas
        self.bins = bins
        self.temperature = temperature
        self.binFrequencies = binFrequencies
        self.priorWeight = priorWeight
        self.averagesMirror = averagesMirror
    }

    public var inputChannels: Int { 1 + gammas.count }
    /// The two chroma channels.
    public static let chromaChannels = 2
    /// What the network outputs: the two chroma channels, or one logit per bin.
    public var outputChannels: Int { bins?.count ?? Self.chromaChannels }

    /// The task with a binned model's decoding changed where a value is given.
    /// - Throws: when the model does not predict bins, or (for a prior weight) has no bin frequencies.
    public func adjusted(temperature: Float? = nil, priorWeight: Float? = nil) throws -> ColorizationTask {
        var task = self
        if let temperature {
            guard bins != nil else { throw ColorizerError.settingNeedsBinnedModel(setting: "a temperature", needs: "") }
            precondition(temperature > 0 && temperature <= 1, "the temperature must be in (0, 1]")
            task.temperature = temperature
        }
        if let priorWeight {
            guard binFrequencies != nil else {
                throw ColorizerError.settingNeedsBinnedModel(setting: "a prior weight", needs: " and calibrated (chroma model calibrate)")
            }
            precondition((0...1).contains(priorWeight), "the prior weight must be in 0…1")
            task.priorWeight = priorWeight
        }
        return task
    }

    /// What the annealed mean subtracts from each bin's logit: α · log frequency.
    var bias: [Float]? {
        guard let binFrequencies, priorWeight > 0 else { return nil }
        return binFrequencies.map { priorWeight * logf(max($0, Self.frequencyFloor)) }
    }

    /// Normalised chroma (`count × 2 × plane`) from the network's outputs
    /// (`count × outputChannels × plane`): the outputs themselves, or the
    /// annealed mean of the bins at `temperature`.
    public func chroma(fromOutputs outputs: UnsafePointer<Float>, count: Int, plane: Int) -> [Float] {
        guard let bins else { return Array(UnsafeBufferPointer(start: outputs, count: count * 2 * plane)) }
        var chroma = [Float](repeating: 0, count: count * 2 * plane)
        chroma.withUnsafeMutableBufferPointer {
            bins.annealedMean(logits: outputs, samples: count, plane: plane, temperature: temperature, bias: bias,
                              into: $0.baseAddress!)
        }
        return chroma
    }

    // MARK: Normalisation

    /// Luminance in the space's units (Lab L* 0…100, YCbCr Y 0…255) mapped to 0…1.
    public func normalisedLuminance(_ value: Float) -> Float {
        (value - space.luminanceRange.lowerBound) / (space.luminanceRange.upperBound - space.luminanceRange.lowerBound)
    }

    /// `normalisedLuminance` clipped to 0…1: what the network is fed.
    public func networkLuminance(_ value: Float) -> Float {
        min(max(normalisedLuminance(value), 0), 1)
    }

    /// A chroma value (Lab a*, b* −128…128; YCbCr Cb, Cr 0…255) mapped to 0…1, the network's target scale.
    public func normalisedChroma(_ value: Float) -> Float {
        (value - space.chromaRange.lowerBound) / (space.chromaRange.upperBound - space.chromaRange.lowerBound)
    }

    /// The inverse of `normalisedChroma`: 0…1 back to the space's chroma units.
    public func chroma(fromNormalised value: Float) -> Float {
        value * (space.chromaRange.upperBound - space.chromaRange.lowerBound) + space.chromaRange.lowerBound
    }

    /// A normalised chroma value in the space's units, its distance from
    /// neutral scaled by `saturation` (0 gray, 1 as predicted).
    public func chroma(fromNormalised value: Float, saturation: Float) -> Float {
        space.neutralChroma + saturation * (chroma(fromNormalised: value) - space.neutralChroma)
    }

    // MARK: Tensors

    /// Network inputs for luminance values (in the space's own range), one
    /// plane of `plane` values per sample: `count × inputChannels × plane`.
    public func inputs(luminance: UnsafePointer<Float>, count: Int, plane: Int, into out: UnsafeMutablePointer<Float>) {
        let channels = inputChannels
        for i in 0..<count {
            let source = luminance + i * plane, target = out + i * channels * plane
            for p in 0..<plane { target[p] = networkLuminance(source[p]) }
            GammaStack.channels(of: target, count: plane, gammas: gammas, into: target + plane)
        }
    }

    /// The luminance and normalised chroma of every image of `set`, each
    /// `count × plane` (luminance) and `count × 2 × plane` (chroma).
    public func prepare(_ set: ImageSet) -> PreparedImages {
        let planes = space.planes(from: set.stacked())
        let plane = set.width * set.height
        var chroma = [Float](repeating: 0, count: set.count * 2 * plane)
        for i in 0..<set.count {
            for p in 0..<plane {
                chroma[(2 * i) * plane + p] = normalisedChroma(planes.chroma1.values[i * plane + p])
                chroma[(2 * i + 1) * plane + p] = normalisedChroma(planes.chroma2.values[i * plane + p])
            }
        }
        return PreparedImages(width: set.width, height: set.height, count: set.count,
                              luminance: planes.luminance.values, chroma: chroma)
    }

    /// RGB images from luminance (space range) and normalised chroma, for
    /// `count` samples of `width × height`, as one tall image.
    public func rgb(luminance: [Float], normalisedChroma: UnsafePointer<Float>, count: Int, width: Int, height: Int,
                    saturation: Float = 1) -> Image<UInt8> {
        let plane = width * height
        var a = [Float](repeating: 0, count: count * plane), b = a
        for i in 0..<count {
            for p in 0..<plane {
                a[i * plane + p] = chroma(fromNormalised: normalisedChroma[(2 * i) * plane + p], saturation: saturation)
                b[i * plane + p] = chroma(fromNormalised: normalisedChroma[(2 * i + 1) * plane + p], saturation: saturation)
            }
        }
        let tall = { Plane(width: width, height: height * count, values: $0) }
        return space.image(from: ColorPlanes(space: space, luminance: tall(luminance), chroma1: tall(a), chroma2: tall(b)))
    }
}

/// Luminance and normalised chroma of a set of images.
public struct PreparedImages: Sendable {
    public let width: Int
    public let height: Int
    public let count: Int
    /// `count × plane`, in the space's own range.
    public let luminance: [Float]
    /// `count × 2 × plane`, normalised to 0…1.
    public let chroma: [Float]
    public var plane: Int { width * height }
}

/// Why a model file cannot serve as the colorizer asked for.
public enum ColorizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model was trained for another task (reconstruction, denoising, R, G, B colorization).
    case notAColorizer
    /// The metadata names no task, or one this version does not know (the name, if any).
    case unknownTask(String?)
    /// A model's metadata `key` holds `value`, where `expected` describes what it must hold.
    case badMetadata(key: String, value: String, expected: String)
    /// A prediction setting (`setting`: "a temperature", "a prior weight") the model
    /// cannot take; `needs` says what model can.
    case settingNeedsBinnedModel(setting: String, needs: String)
    /// The model's network takes and gives other channel counts than its task feeds and reads.
    case networkChannels(inputs: Int, outputs: Int, taskInputs: Int, taskOutputs: Int)
    /// An architecture ends in `outputs` channels where the task needs `taskNeeds`.
    case architectureOutputs(Int, task: String, taskNeeds: Int)
    /// A bins loss without a bins task, or the reverse (`lossHasBins` says which).
    case lossDoesNotFitTask(lossHasBins: Bool)
    /// Gamma augmentation asked of a task whose input is RGB.
    case augmentationNeedsLuminance(task: String)
    /// A run's recorded setting `key` holds `value`, which this version cannot use.
    case badSettings(key: String, value: String)
    /// Too few images for one batch and one validation image.
    case tooFewImages(training: Int, validation: Int, batch: Int)
    /// `folder` holds no run.json to resume from.
    case noRunToResume(folder: String)
    /// `folder`'s checkpoint was written by another run.
    case checkpointFromAnotherRun(folder: String)
    /// A split that leaves no test images (a study scores on them).
    case noTestImages
    /// A study's run folder holds a run with other settings.
    case folderHoldsAnotherRun
    /// The network would need `bytes` for a photo's grid, over `limit` (`PhotoColorizer.maxNetworkBytes`).
    case gridTooLarge(width: Int, height: Int, bytes: Int, limit: Int)
    /// None of the photos given has colour to compare with.
    case noColourPhotos(count: Int)

    public var description: String {
        switch self {
        case .notAColorizer: "the model is not a colorizer (its metadata names no colorize task)"
        case .unknownTask(let name): "the model's metadata names " + (name.map { "an unknown task '\($0)'" } ?? "no task")
        case .badMetadata(let key, let value, let expected): "the model's \(key) must be \(expected), not \(value.isEmpty ? "empty" : value)"
        case .settingNeedsBinnedModel(let setting, let needs): "\(setting) needs a model trained with --loss bins:N\(needs)"
        case .networkChannels(let inputs, let outputs, let taskInputs, let taskOutputs):
            "the model's network takes \(inputs) inputs and gives \(outputs) outputs; its task needs \(taskInputs) and \(taskOutputs)"
        case .architectureOutputs(let outputs, let task, let needs): "the architecture outputs \(outputs) channels; the \(task) task needs \(needs)"
        case .lossDoesNotFitTask(let lossHasBins):
            lossHasBins ? "a bins loss needs the colorize task with the same bins" : "a task that predicts bins needs the bins loss"
        case .augmentationNeedsLuminance(let task): "gamma augmentation needs a luminance input; the \(task) task has RGB"
        case .badSettings(let key, let value): "bad settings: \(key) \(value)"
        case .tooFewImages(let training, let validation, let batch):
            "\(training) training and \(validation) validation images: training needs at least one batch (\(batch)) and one validation image"
        case .noRunToResume(let folder): "\(folder) holds no run.json to resume from"
        case .checkpointFromAnotherRun(let folder): "\(folder)/checkpoint.chroma does not belong to this run"
        case .noTestImages: "the split leaves no test images"
        case .folderHoldsAnotherRun: "holds a run with other settings; choose another --output"
        case .gridTooLarge(let width, let height, let bytes, let limit):
            "limit exceeded: the network would need \((bytes + (1 << 20) - 1) >> 20) MiB for this photo's \(width)×\(height) grid, "
                + "over the limit of \(limit >> 20) MiB (use a smaller --tiles, or raise it with --max-network-mb)"
        case .noColourPhotos(let count): "none of the \(count) photo\(count == 1 ? "" : "s") has colour (every pixel R = G = B)"
        }
    }
}

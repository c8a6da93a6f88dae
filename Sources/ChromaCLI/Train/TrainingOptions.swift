import ArgumentParser
import Colorizer
import ColorSpace
import Datasets
import Foundation
import ImageIO
import NeuralNet

/// What to learn, from which images, and how: the options `train` and `study` share.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Folder with CIFAR-10's binary batches.")
    var cifar: String?

    @Option(help: "A folder of photos (PNG, JPEG, TIFF, WebP) to train on: each photo's centred square and --crops random squares of it, reduced to 32×32. Alone: instead of CIFAR (divided by --split); with --cifar: added to CIFAR's training images (validation stays CIFAR's).")
    var images: String?

    @Option(help: "--images: random square crops per photo, 0…256, each ½ to 1 of its shorter side, besides its centred square.")
    var crops = RunRecord.Settings.defaultCrops

    @Option(help: "Training/validation/test percentages over all images, e.g. 80/10/10 (default for CIFAR-10: its own division).",
            transform: TrainingOptions.parseSplit)
    var split: [Int]?

    @Option(help: "What to learn: colorize (luminance → chroma), colorize-rgb (luminance → R,G,B), reconstruct (R,G,B → R,G,B) or denoise (noisy R,G,B → clean).")
    var task: TrainingTask.Kind = .colorize

    @Option(name: .customLong("noise-std"), help: "denoise: standard deviation of the Gaussian noise added to inputs scaled to 0…1 (then clamped).")
    var noiseStd: Float?

    @Option(help: "Colour space of the luminance (and chroma) for the colorize tasks: lab or ycbcr.")
    var space: ChromaSpace = .lab

    @Option(help: "colorize: extra input channels, the luminance raised to each gamma, e.g. 0.1,0.5,1.5,3.0.", transform: Convert.parseGammas)
    var gammas: [Float] = []

    @Option(help: "Passes over the training images (default 10; train --resume: a new total).")
    var epochs: Int?

    @Option(help: "Images per step.")
    var batch = 32

    @Option(help: "Adam's learning rate.")
    var lr: Float = 1e-3

    @Option(help: "Loss: mse, l1, huber, huber:DELTA, mse+ssim:WEIGHT (squared error plus WEIGHT · (1 − SSIM), default weight 0.01), psnr (minus the mean per-image PSNR), or bins:N (colorize: cross-entropy over an N×N grid of chroma bins, N 2…64; the architecture then outputs N² channels of logits, without an output activation).")
    var loss: Loss = .mse

    @Option(help: "Seed for initialisation, shuffling, augmentation and noise.")
    var seed: UInt64 = 1

    @Option(name: .customLong("augment-gamma"), help: "Random input gamma range for augmentation, e.g. 0.5,2 (luminance tasks).", transform: Convert.parseGammas)
    var augmentGamma: [Float] = []

    @Option(help: "Learning-rate schedule: constant, or cosine (from --lr down to 1 % of it by the last epoch).")
    var schedule: RunRecord.Settings.Schedule = .constant

    @Flag(help: "Do not mirror training images at random.")
    var noFlips = false

    @Option(help: "Share of each training batch, 0…1, replaced by 2×2 mosaics of four training images at half size (scenes at the scale photos show them).")
    var mosaic: Float = 0

    @Option(help: "Use only the first N training images (for quick experiments).")
    var limit: Int?

    func validate() throws {
        guard (epochs ?? 1) > 0, batch > 0, lr > 0 else { throw ValidationError("--epochs, --batch and --lr must be positive") }
        if case .bins = loss, task != .colorize { throw ValidationError("--loss bins:N belongs to --task colorize") }
        guard augmentGamma.isEmpty || augmentGamma.count == 2 else { throw ValidationError("--augment-gamma takes two numbers, LO,HI") }
        guard (0...1).contains(mosaic) else { throw ValidationError("--mosaic must be 0…1, not \(mosaic)") }
        // Each crop is 3 KB held in memory for the whole run: 400 photos at 256 crops are 316 MB.
        guard (0...256).contains(crops) else { throw ValidationError("--crops must be 0…256, not \(crops)") }
        if crops != RunRecord.Settings.defaultCrops && images == nil { throw ValidationError("--crops belongs to --images") }
        switch task {
        case .denoise:
            guard let noiseStd, noiseStd > 0, noiseStd <= 1 else { throw ValidationError("--task denoise needs --noise-std in (0, 1]") }
        default:
            guard noiseStd == nil else { throw ValidationError("--noise-std belongs to --task denoise") }
        }
        if task != .colorize && !gammas.isEmpty { throw ValidationError("--gammas belongs to --task colorize") }
        if (task == .reconstruct || task == .denoise) && !augmentGamma.isEmpty {
            throw ValidationError("--augment-gamma needs a luminance input (--task colorize or colorize-rgb)")
        }
    }

    /// The architecture a task trains when none is given: the classic exercise's 9-layer CAE.
    var defaultArchitecture: String {
        Architecture.reference(outputs: task == .colorize ? 2 : 3).text
    }

    func settings(arch: String) -> RunRecord.Settings {
        // Data folders are stored absolute, so that --resume works from any working directory.
        var settings = RunRecord.Settings(cifar: cifar.map(Paths.normalized) ?? "", space: space, arch: arch, gammas: gammas,
                           epochs: epochs ?? 10, batch: batch, learningRate: lr, loss: loss, seed: seed,
                           flips: !noFlips, augmentGamma: augmentGamma.count == 2 ? augmentGamma : nil, limit: limit,
                           images: images.map(Paths.normalized), split: split, schedule: schedule,
                           task: task == .colorize ? nil : task, noiseStd: noiseStd)
        settings.mosaic = mosaic > 0 ? mosaic : nil
        settings.crops = images != nil && crops != RunRecord.Settings.defaultCrops ? crops : nil
        return settings
    }

    static func parseSplit(_ text: String) throws -> [Int] {
        let parts = text.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 3, parts.allSatisfy({ $0 >= 0 }), parts[0] > 0, parts[1] > 0 else {
            throw ValidationError("--split takes three percentages such as 80/10/10")
        }
        return parts
    }

    /// The images a run's settings name, divided as they say.
    static func loadSplit(_ settings: RunRecord.Settings) throws -> Split {
        let photos = try settings.images.map { folder in
            let loaded = try ImageFolder.load(folder, randomCrops: settings.crops ?? RunRecord.Settings.defaultCrops,
                                              seed: settings.seed, skippingColourless: true)
            for failure in loaded.failures { Diagnostics.error(failure.file, failure.reason) }
            if !loaded.colourless.isEmpty {
                Diagnostics.note("\(folder): left out \(loaded.colourless.count) photo\(loaded.colourless.count == 1 ? "" : "s") with no colour")
            }
            return loaded
        }
        if let photos, settings.cifar.isEmpty {
            let p = settings.split ?? [80, 10, 10]
            return photos.split(percentages: (p[0], p[1], p[2]), seed: settings.seed)
        }
        let data = try CIFARFolder.load(folder: settings.cifar)
        var split = if let p = settings.split {
            Split.proportional(data.training.appending(data.test), percentages: (p[0], p[1], p[2]), seed: settings.seed)
        } else {
            try Split.standard(training: data.training, test: data.test, source: settings.cifar)
        }
        if let limit = settings.limit {
            split = Split(training: split.training.subset(0..<min(limit, split.training.count)), validation: split.validation, test: split.test)
        }
        if let photos {  // every photo's squares join the training images; validation and test stay CIFAR's
            split = Split(training: split.training.appending(photos.images), validation: split.validation, test: split.test)
        }
        return split
    }
}

extension TrainingTask.Kind: ExpressibleByArgument {}
extension RunRecord.Settings.Schedule: ExpressibleByArgument {}

extension Loss: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

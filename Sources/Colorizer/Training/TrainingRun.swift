import ColorSpace
import Datasets
import Foundation
import ImageIO
import NeuralNet

/// Everything a run folder's `run.json` records: the settings and each epoch's figures.
public struct RunRecord: Codable, Sendable, Equatable {
    /// The command-line settings a run was started with, as `--resume` reads them back.
    /// run.json spells them as the command line does (`"space": "lab"`, `"loss": "bins:12"`).
    public struct Settings: Codable, Sendable, Equatable {
        /// CIFAR-10's folder, absolute; empty when `images` is given.
        public var cifar: String
        public var space: ChromaSpace
        /// The architecture spec.
        public var arch: String
        public var gammas: [Float]
        public var epochs: Int
        public var batch: Int
        public var learningRate: Float
        public var loss: Loss
        public var seed: UInt64
        public var flips: Bool
        /// The range of random input gammas, `[low, high]`; nil: none.
        public var augmentGamma: [Float]?
        /// Only the first this many training images.
        public var limit: Int?
        /// A folder of photos: used instead of CIFAR when `cifar` is empty, added to CIFAR's training images when not.
        public var images: String?
        /// Random crops per photo of `images`, besides its centred square; nil: `defaultCrops`.
        public var crops: Int?
        /// The crops per photo when a run names none (and in runs from before `crops` was recorded).
        public static let defaultCrops = 4
        /// Percentages for training, validation and test, e.g. [80, 10, 10]; nil: CIFAR-10's own division.
        public var split: [Int]?
        /// Nil (in older runs) is `.constant`.
        public var schedule: Schedule?
        /// Nil is `.colorize`.
        public var task: TrainingTask.Kind?
        /// The denoising task's noise (standard deviation on the 0…1 scale).
        public var noiseStd: Float?
        /// The share of each batch replaced by 2 × 2 mosaics (`TrainingConfiguration.mosaic`); absent: none.
        public var mosaic: Float?

        /// How the learning rate moves over a run (`LearningRateSchedule`, without its length).
        public enum Schedule: String, Codable, Sendable, CaseIterable {
            /// The same rate throughout.
            case constant
            /// Down a half cosine to 1 % of the rate by the last epoch.
            case cosine
        }

        public init(cifar: String, space: ChromaSpace, arch: String, gammas: [Float], epochs: Int, batch: Int,
                    learningRate: Float, loss: Loss, seed: UInt64, flips: Bool, augmentGamma: [Float]?, limit: Int?,
                    images: String? = nil, split: [Int]? = nil, schedule: Schedule? = nil, task: TrainingTask.Kind? = nil,
                    noiseStd: Float? = nil, mosaic: Float? = nil) {
            self.cifar = cifar; self.space = space; self.arch = arch; self.gammas = gammas; self.epochs = epochs
            self.batch = batch; self.learningRate = learningRate; self.loss = loss; self.seed = seed
            self.flips = flips; self.augmentGamma = augmentGamma; self.limit = limit; self.images = images; self.split = split
            self.schedule = schedule; self.task = task; self.noiseStd = noiseStd; self.mosaic = mosaic
        }

        /// The task these settings describe.
        public func trainingTask() throws -> TrainingTask {
            var bins: BinGrid?
            if case .bins(let grid) = loss { bins = grid }
            let kind = task ?? .colorize
            guard bins == nil || kind == .colorize else { throw ColorizerError.lossDoesNotFitTask(lossHasBins: true) }
            switch kind {
            case .colorize: return .colorize(ColorizationTask(space: space, gammas: gammas, bins: bins))
            case .colorizeRGB: return .colorizeRGB(space: space)
            case .reconstruct: return .reconstruct
            case .denoise:
                guard let noiseStd, noiseStd > 0 else { throw ColorizerError.badSettings(key: "noise-std", value: noiseStd.map { "\($0)" } ?? "missing") }
                return .denoise(noiseStd: noiseStd)
            }
        }

        /// The schedule over this run's epochs.
        public var learningRateSchedule: LearningRateSchedule {
            switch schedule ?? .constant {
            case .constant: .constant
            case .cosine: .cosine(epochs: epochs)
            }
        }
    }

    /// One finished epoch's figures.
    public struct Epoch: Codable, Sendable, Equatable {
        public var epoch: Int
        public var trainLoss: Float
        public var validationLoss: Float
        public var seconds: Double
        public var imagesPerSecond: Double
    }

    public var settings: Settings
    public var epochs: [Epoch] = []
    public var bestEpoch: Int?
    public var bestValidationLoss: Float?
}

/// A training run in a folder: `model.chroma` (the best model by validation
/// loss), `checkpoint.chroma` (the latest epoch, with the optimiser's state)
/// and `run.json`. A run stopped at any point resumes from its last finished
/// epoch and ends exactly as if it had never stopped.
public final class TrainingRun {
    public let folder: String
    public private(set) var record: RunRecord
    public let trainer: Trainer
    public let task: TrainingTask
    let validationImages: ImageSet

    public var modelPath: String { folder + "/model.chroma" }
    public var checkpointPath: String { folder + "/checkpoint.chroma" }
    public var recordPath: String { folder + "/run.json" }

    /// A new run (the folder may exist, but must not hold a run already).
    public init(folder: String, settings: RunRecord.Settings, split: Split) throws {
        guard split.validation.count > 0, split.training.count >= settings.batch else {
            throw ColorizerError.tooFewImages(training: split.training.count, validation: split.validation.count, batch: settings.batch)
        }
        self.folder = folder
        record = RunRecord(settings: settings)
        validationImages = split.validation
        task = try settings.trainingTask()
        var configuration = TrainingConfiguration(task: task, architecture: try Architecture(settings.arch))
        configuration.batchSize = settings.batch
        configuration.learningRate = settings.learningRate
        configuration.loss = settings.loss
        configuration.seed = settings.seed
        configuration.flips = settings.flips
        configuration.mosaic = settings.mosaic ?? 0
        if let range = settings.augmentGamma, range.count == 2 { configuration.gammaAugmentation = range[0]...range[1] }
        configuration.schedule = settings.learningRateSchedule
        trainer = try Trainer(configuration: configuration, training: task.examples(split.training),
                              validation: task.examples(split.validation))
    }

    /// The settings a run folder recorded.
    public static func recordedSettings(in folder: String) throws -> RunRecord {
        guard let data = FileManager.default.contents(atPath: folder + "/run.json") else {
            throw ColorizerError.noRunToResume(folder: folder)
        }
        return try JSONDecoder().decode(RunRecord.self, from: data)
    }

    /// Picks up a run where its checkpoint left it.
    /// - Parameter folder: the run's folder, holding run.json and checkpoint.chroma.
    /// - Parameter split: the images, divided as the run's settings say.
    /// - Parameter epochs: a new total of epochs, or nil for the recorded one.
    /// - Parameter data: where the data is now (`cifar`, `images`), when it has moved since the run began.
    public convenience init(resuming folder: String, split: Split, epochs: Int? = nil, data: RunRecord.Settings? = nil) throws {
        var record = try Self.recordedSettings(in: folder)
        if let epochs { record.settings.epochs = epochs }
        if let data {
            record.settings.cifar = data.cifar
            record.settings.images = data.images
        }
        try self.init(folder: folder, settings: record.settings, split: split)
        let checkpoint = try ModelFile.load(from: folder + "/checkpoint.chroma")
        guard checkpoint.network.architecture == trainer.network.architecture,
              checkpoint.network.parameterCount == trainer.network.parameterCount,
              let position = try ModelMetadata(of: checkpoint).checkpoint else {
            throw ColorizerError.checkpointFromAnotherRun(folder: folder)
        }
        trainer.network.parameters.copy(from: checkpoint.network.parameters.array)
        trainer.network.state.copy(from: checkpoint.network.state.array)
        try trainer.optimizer.restore(stateVector: checkpoint.extra, steps: position.adamSteps)
        let epoch = position.epoch
        self.record.epochs = Array(record.epochs.prefix { $0.epoch <= epoch })
        self.record.bestEpoch = record.bestEpoch.flatMap { $0 <= epoch ? $0 : nil }
        self.record.bestValidationLoss = self.record.bestEpoch == nil ? nil : record.bestValidationLoss
    }

    /// The last finished epoch (0 before the first).
    public var finishedEpochs: Int { record.epochs.last?.epoch ?? 0 }

    /// Trains the remaining epochs. Returns false when `shouldStop` interrupted
    /// it; the checkpoint then holds the last finished epoch.
    @discardableResult
    public func run(shouldStop: () -> Bool = { false },
                    progress: (_ epoch: Int, _ done: Int, _ total: Int, _ loss: Float, _ seconds: Double) -> Void = { _, _, _, _, _ in },
                    finished: (RunRecord.Epoch, _ best: Bool) -> Void = { _, _ in }) throws -> Bool {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if finishedEpochs == 0 { try save() }
        guard finishedEpochs < record.settings.epochs else { return true }
        for epoch in (finishedEpochs + 1)...record.settings.epochs {
            let start = Date()
            guard let trainLoss = try trainer.trainEpoch(epoch, shouldStop: shouldStop, progress: { done, total, loss in
                progress(epoch, done, total, loss, Date().timeIntervalSince(start))
            }) else { return false }
            let validationLoss = try trainer.loss()
            let seconds = Date().timeIntervalSince(start)
            let figures = RunRecord.Epoch(epoch: epoch, trainLoss: trainLoss, validationLoss: validationLoss, seconds: seconds,
                                          imagesPerSecond: Double(trainer.training.count) / seconds)
            record.epochs.append(figures)
            try writeReports(epoch: epoch)
            let best = validationLoss < (record.bestValidationLoss ?? .infinity)
            if best {
                record.bestEpoch = epoch
                record.bestValidationLoss = validationLoss
                try ModelFile(network: trainer.network, metadata: ModelMetadata(task: task)).save(to: modelPath)
            }
            try save()
            finished(figures, best)
        }
        return true
    }

    /// The validation images every sample grid shows: the first eight.
    var sampleImages: ImageSet { validationImages.subset(0..<min(8, validationImages.count)) }

    /// loss.svg, loss.png and samples-epoch-N.png.
    func writeReports(epoch: Int) throws {
        try Data(LossPlot.svg(record.epochs).utf8).write(to: URL(fileURLWithPath: folder + "/loss.svg"), options: .atomic)
        try Data(LossPlot.png(record.epochs)).write(to: URL(fileURLWithPath: folder + "/loss.png"), options: .atomic)
        let grid = try SampleGrid.image(network: trainer.network, task: task, images: sampleImages)
        try Data(ImageEncoder.encodePNG(grid)).write(to: URL(fileURLWithPath: folder + String(format: "/samples-epoch-%03d.png", epoch)), options: .atomic)
    }

    /// Writes the checkpoint, then run.json, each atomically.
    func save() throws {
        let metadata = ModelMetadata(task: task, checkpoint: .init(epoch: finishedEpochs, adamSteps: trainer.optimizer.steps))
        try ModelFile(network: trainer.network, metadata: metadata, extra: trainer.optimizer.stateVector).save(to: checkpointPath)
        try Data(JSONText.encode(record, pretty: true).utf8).write(to: URL(fileURLWithPath: recordPath), options: .atomic)
    }
}

import Datasets
import Foundation
import ImageIO
import NeuralNet

/// A trained colorizer's deployed settings, chosen on validation images
/// (`chroma model calibrate`).
///
/// A network trained on squared error predicts the mean of the colours a scene
/// could have, duller than any of them; scaling its chroma away from neutral
/// costs little PSNR at first and brings colour back. A binned network's
/// distribution is instead divided by the bins' prior to a power and decoded at
/// a lower temperature. Calibration tries a grid of such settings, scores each
/// on validation images, and keeps one by `Rule`. The validation images are
/// CIFAR's, or real photos colorized at full size exactly as `chroma colorize`
/// does it: a model is only as sure of itself on photos as photos allow, and
/// its settings are best chosen where it is used.
public struct ModelCalibration {
    /// A photo that could not be read or colorized while calibrating on photos.
    public struct PhotoFailure: Error {
        public let file: String
        public let error: any Error
    }

    /// How the setting is chosen from the grid's scores.
    public enum Rule: Sendable, Equatable {
        /// The most colourful setting whose mean PSNR is within this many dB of the best.
        case withinPSNR(dB: Double)
        /// The best mean PSNR among settings at least this colourful (Hasler and
        /// Süsstrunk's colourfulness); the most colourful when none is.
        case atLeastColourful(Double)
    }

    /// One setting of the grid and its means over the validation images.
    public struct Row: Sendable, Equatable {
        public var setting: Evaluator.Calibration
        /// Mean PSNR in dB.
        public var psnr: Double
        /// Mean colourfulness.
        public var colourfulness: Double
    }

    /// The model calibrated, and what its metadata said.
    let model: ModelFile
    let metadata: ModelMetadata
    /// The task as trained, with the bins' frequencies counted and mirror averaging as asked.
    public let task: ColorizationTask
    /// Every setting tried, in the grid's order.
    public let rows: [Row]
    /// The setting `Rule` picked.
    public let chosen: Row

    /// The settings tried: for a squared-error model, saturations 1.0, 1.05, … 2.0;
    /// for a binned model, prior weights 0, 0.05, … 0.5, each at annealed-mean
    /// temperatures 1 (the distribution's mean), 0.8, 0.6 and 0.4 (saturation 1).
    public static func grid(for task: ColorizationTask) -> [Evaluator.Calibration] {
        task.bins == nil
            ? stride(from: 1.0, through: 2.0001, by: 0.05).map { .init(saturation: Float($0)) }
            : stride(from: 0.0, through: 0.5001, by: 0.05).flatMap { weight in
                [1.0, 0.8, 0.6, 0.4].map { Evaluator.Calibration(temperature: Float($0), priorWeight: Float(weight)) }
            }
    }

    /// Scores `model` at every setting of the grid on `validation` and picks one.
    /// - Parameters:
    ///   - model: the trained colorizer.
    ///   - training: the images whose chroma gives a binned model's bin frequencies.
    ///   - validation: the images it is scored on.
    ///   - averagesMirror: whether predictions (here and wherever the model is used) average the mirror image's.
    ///   - rule: how the setting is chosen.
    /// - Throws: `ColorizerError.notAColorizer` or a bad-metadata error for a model that is no colorizer.
    public init(model: ModelFile, training: ImageSet, validation: ImageSet, averagesMirror: Bool, rule: Rule) throws {
        let (metadata, task) = try Self.prepare(model, training: training, averagesMirror: averagesMirror)
        let rows = try Evaluator.calibrationSweep(model.network, task: task, set: validation, calibrations: Self.grid(for: task))
            .map { Row(setting: $0.calibration, psnr: $0.psnr, colourfulness: $0.colourfulness) }
        self.init(model: model, metadata: metadata, task: task, rows: rows, rule: rule)
    }

    /// Scores `model` at every setting of the grid on real colour photos and picks one.
    /// Each photo is decoded once and colorized at full size by a `PhotoColorizer` per
    /// setting (default grid); its PSNR and colourfulness against the original count
    /// once per photo, as `chroma evaluate --photos` counts them. Photos without
    /// colour are passed over.
    /// - Parameters:
    ///   - model: the trained colorizer.
    ///   - training: the images whose chroma gives a binned model's bin frequencies.
    ///   - photos: the photo files to score on (PNG, JPEG, TIFF or WebP), at least one in colour.
    ///   - averagesMirror: whether predictions average the mirror image's.
    ///   - rule: how the setting is chosen.
    ///   - options: the bounds on decoding each photo.
    ///   - progress: called before each photo with the number done and the total.
    /// - Throws: `PhotoFailure` naming the first photo that could not be used;
    ///   `ColorizerError.noColourPhotos` when none has colour.
    public init(model: ModelFile, training: ImageSet, photos: [String], averagesMirror: Bool, rule: Rule,
                options: DecodingOptions = .init(), progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws {
        let (metadata, task) = try Self.prepare(model, training: training, averagesMirror: averagesMirror)
        let settings = Self.grid(for: task)
        let colorizers = try settings.map {
            try PhotoColorizer(model: Self.deployable(model.network, metadata: metadata, task: task, setting: $0, summary: nil))
        }
        var psnr = [Double](repeating: 0, count: settings.count), colourfulness = psnr, scored = 0
        for (index, file) in photos.enumerated() {
            progress(index, photos.count)
            do {
                guard let (decoded, truth) = try PhotoEvaluation.colourPhoto(file, options: options) else { continue }
                for (setting, colorizer) in colorizers.enumerated() {
                    let colorized = try colorizer.colorize(decoded).pixels.eightBit.rgb()
                    colorized.samples.withUnsafeBufferPointer { result in
                        truth.samples.withUnsafeBufferPointer { truth in
                            psnr[setting] += Metrics.psnr(result, truth)
                            colourfulness[setting] += Metrics.colourfulness(result)
                        }
                    }
                }
                scored += 1
            } catch {
                throw PhotoFailure(file: file, error: error)
            }
        }
        guard scored > 0 else { throw ColorizerError.noColourPhotos(count: photos.count) }
        let rows = settings.indices.map {
            Row(setting: settings[$0], psnr: psnr[$0] / Double(scored), colourfulness: colourfulness[$0] / Double(scored))
        }
        self.init(model: model, metadata: metadata, task: task, rows: rows, rule: rule)
    }

    /// The model's metadata, and its task as trained with the bins' frequencies counted in `training`.
    private static func prepare(_ model: ModelFile, training: ImageSet, averagesMirror: Bool) throws -> (ModelMetadata, ColorizationTask) {
        let metadata = try ModelMetadata(of: model)
        var task = try metadata.colorization()
        task.averagesMirror = averagesMirror
        task.binFrequencies = Evaluator.binFrequencies(task, set: training)
        return (metadata, task)
    }

    private init(model: ModelFile, metadata: ModelMetadata, task: ColorizationTask, rows: [Row], rule: Rule) {
        self.model = model
        self.metadata = metadata
        self.task = task
        self.rows = rows
        let chosen: Row
        switch rule {
        case .withinPSNR(let tolerance):
            let best = rows.map(\.psnr).max()!
            chosen = rows.filter { $0.psnr >= best - tolerance }.max { $0.colourfulness < $1.colourfulness }!
        case .atLeastColourful(let colourfulness):
            chosen = rows.filter { $0.colourfulness >= colourfulness }.max { $0.psnr < $1.psnr }
                ?? rows.max { $0.colourfulness < $1.colourfulness }!
        }
        self.chosen = chosen
    }

    /// The best mean PSNR of the grid, in dB.
    public var bestPSNR: Double { rows.map(\.psnr).max()! }

    /// A row's setting in words: "saturation 1.05", or "prior weight 0.20  temperature 0.4".
    public func describe(_ row: Row) -> String {
        task.bins == nil ? String(format: "saturation %.2f", row.setting.saturation)
            : String(format: "prior weight %.2f  temperature %.1f", row.setting.priorWeight, row.setting.temperature)
    }

    /// What calibration measured for the chosen setting, as the model's metadata records it.
    public var summary: String {
        String(format: "validation: PSNR %.3f dB (best %.3f), colourfulness %.1f", chosen.psnr, bestPSNR, chosen.colourfulness)
    }

    /// The model deployable with the chosen setting: the network without optimiser state or
    /// training position, its metadata holding the setting and `summary`.
    public func calibratedModel() -> ModelFile {
        Self.deployable(model.network, metadata: metadata, task: task, setting: chosen.setting, summary: summary)
    }

    /// `network` as a model file deployed at `setting`.
    private static func deployable(_ network: Network, metadata: ModelMetadata, task: ColorizationTask,
                                   setting: Evaluator.Calibration, summary: String?) -> ModelFile {
        var metadata = metadata
        var task = task
        if task.bins != nil {
            task.temperature = setting.temperature
            task.priorWeight = setting.priorWeight
        }
        metadata.task = .colorize(task)
        metadata.saturation = setting.saturation
        metadata.calibration = summary
        metadata.checkpoint = nil  // a training position means nothing to a deployed model
        return ModelFile(network: network, metadata: metadata)
    }
}

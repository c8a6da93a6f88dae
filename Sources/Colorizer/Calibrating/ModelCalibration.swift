import Datasets
import Foundation
import NeuralNet

/// A trained colorizer's deployed settings, chosen on validation images
/// (`chroma model calibrate`).
///
/// A network trained on squared error predicts the mean of the colours a scene
/// could have, duller than any of them; scaling its chroma away from neutral
/// costs little PSNR at first and brings colour back. A binned network's
/// distribution is instead divided by the bins' prior to a power and decoded at
/// a lower temperature. Calibration tries a grid of such settings, scores each
/// on the validation images, and keeps one by `Rule`.
public struct ModelCalibration {
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
    /// temperatures 0.6 and 0.4 (saturation 1).
    public static func grid(for task: ColorizationTask) -> [Evaluator.Calibration] {
        task.bins == nil
            ? stride(from: 1.0, through: 2.0001, by: 0.05).map { .init(saturation: Float($0)) }
            : stride(from: 0.0, through: 0.5001, by: 0.05).flatMap { weight in
                [0.6, 0.4].map { Evaluator.Calibration(temperature: Float($0), priorWeight: Float(weight)) }
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
        self.model = model
        metadata = try ModelMetadata(of: model)
        var task = try metadata.colorization()
        task.averagesMirror = averagesMirror
        task.binFrequencies = Evaluator.binFrequencies(task, set: training)
        self.task = task
        rows = try Evaluator.calibrationSweep(model.network, task: task, set: validation, calibrations: Self.grid(for: task))
            .map { Row(setting: $0.calibration, psnr: $0.psnr, colourfulness: $0.colourfulness) }
        switch rule {
        case .withinPSNR(let tolerance):
            let best = rows.map(\.psnr).max()!
            chosen = rows.filter { $0.psnr >= best - tolerance }.max { $0.colourfulness < $1.colourfulness }!
        case .atLeastColourful(let colourfulness):
            chosen = rows.filter { $0.colourfulness >= colourfulness }.max { $0.psnr < $1.psnr }
                ?? rows.max { $0.colourfulness < $1.colourfulness }!
        }
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
        var metadata = self.metadata
        var task = self.task
        if task.bins != nil {
            task.temperature = chosen.setting.temperature
            task.priorWeight = chosen.setting.priorWeight
        }
        metadata.task = .colorize(task)
        metadata.saturation = chosen.setting.saturation
        metadata.calibration = summary
        metadata.checkpoint = nil  // a training position means nothing to a deployed model
        return ModelFile(network: model.network, metadata: metadata)
    }
}

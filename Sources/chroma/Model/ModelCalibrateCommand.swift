import ArgumentParser
import Colorizer
import Datasets
import Foundation
import NeuralNet

/// `chroma model calibrate`: choose a model's saturation (or temperature) on the validation images.
struct ModelCalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Choose a colorizer's saturation (or temperature) on CIFAR-10's validation images and write a deployable model.",
        discussion: """
            A network trained to minimise squared error predicts the mean of the colours a
            scene could have, which is duller than any of them. Scaling the predicted chroma
            away from neutral costs little PSNR at first and brings back colour. This command
            colorizes the validation images (the last 5,000 of the training batches, never the
            test batch) at saturations 1.0, 1.05, … 2.0, prints mean PSNR and colourfulness for
            each, and picks the most saturated one whose mean PSNR is within --tolerance dB of
            the best. OUT receives the network with that saturation in its metadata (and
            without the optimiser state); colorize and evaluate use it by default.

            A model trained with --loss bins:N predicts a distribution over chroma bins
            instead; for it the command sweeps the temperature of the distribution's
            annealed mean (1.0, 0.95, … 0.2; lower is bolder) at saturation 1, and picks the
            lowest one within --tolerance dB of the best.
            """)

    @Argument(help: "A trained model file (e.g. RUN/model.chroma).")
    var model: String

    @Option(help: "Folder with CIFAR-10's binary batches.")
    var cifar: String

    @Option(help: "Largest loss of mean validation PSNR accepted for colour, in dB.")
    var tolerance: Double = 0.1

    @Option(help: "Where to write the calibrated model.")
    var out: String

    func validate() throws {
        guard tolerance >= 0 else { throw ValidationError("--tolerance must not be negative") }
    }

    func run() throws {
        let file: ModelFile, task: ColorizationTask
        do {
            file = try ModelFile.load(from: model)
            task = try ColorizationTask(metadata: file.metadata)
        } catch {
            Diagnostics.error(model, error)
            throw ExitCode.failure
        }
        let validation: ImageSet
        do {
            let data = try CIFAR10.load(folder: cifar)
            validation = Split.standard(training: data.training, test: data.test).validation
        } catch {
            Diagnostics.error(cifar, error)
            throw ExitCode.failure
        }
        let calibrations: [Evaluator.Calibration] = task.bins == nil
            ? stride(from: 1.0, through: 2.0001, by: 0.05).map { .init(saturation: Float($0)) }
            : stride(from: 1.0, through: 0.1999, by: -0.05).map { .init(temperature: Float($0)) }
        let sweep = try Evaluator.calibrationSweep(file.network, task: task, set: validation, calibrations: calibrations)
        let best = sweep.map(\.psnr).max()!
        let chosen = sweep.last { $0.psnr >= best - tolerance }!
        for row in sweep {
            let setting = task.bins == nil ? String(format: "saturation %.2f", row.calibration.saturation)
                                           : String(format: "temperature %.2f", row.calibration.temperature)
            print(String(format: "%@  PSNR %.3f dB  colourfulness %.1f%@", setting, row.psnr, row.colourfulness,
                         row.calibration == chosen.calibration ? "  ← chosen" : ""))
        }
        var metadata = file.metadata
        metadata["saturation"] = String(format: "%.2f", chosen.calibration.saturation)
        if task.bins != nil { metadata["temperature"] = String(format: "%.2f", chosen.calibration.temperature) }
        metadata["saturation-calibration"] = String(format: "validation: PSNR %.3f dB (best %.3f), colourfulness %.1f",
                                                    chosen.psnr, best, chosen.colourfulness)
        // A checkpoint's training position means nothing to a deployed model.
        metadata.removeValue(forKey: "adam-steps")
        metadata.removeValue(forKey: "epoch")
        do {
            try ModelFile(network: file.network, metadata: metadata).save(to: out)
        } catch {
            Diagnostics.error(out, error)
            throw ExitCode.failure
        }
    }
}

import ArgumentParser
import Colorizer
import ColorSpace
import Datasets
import Foundation
import ImageIO
import NeuralNet

/// `chroma train`: teach a network to predict chroma from luminance on CIFAR-10.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a colorizer, or an autoencoder that reconstructs or denoises, on CIFAR-10 or photos.",
        discussion: """
            Training uses the data batches minus their last 5,000 images, which are the \
            validation set. OUT receives model.chroma (the best model by validation loss), \
            checkpoint.chroma (the latest epoch) and run.json (settings and per-epoch figures). \
            Ctrl-C stops after the current batch; the epoch in progress is not saved, so \
            --resume OUT starts it again from its beginning, and the run ends exactly as an \
            uninterrupted run would. --resume takes the data folder from run.json; --cifar or \
            --images given with it names the data's new place. --resume OUT --epochs N \
            extends a run to N epochs in all (a longer experiment across several sittings); a \
            cosine schedule is then stretched over the N epochs, so the rate climbs back to where \
            that longer schedule has it and falls to 1 % again by epoch N.

            Examples:
              chroma train --cifar cifar-10-batches-bin --space lab --epochs 10 \\
                -o runs/lab
              chroma train --resume runs/lab
              chroma train --resume runs/lab --epochs 20
              chroma train --cifar cifar-10-batches-bin --task reconstruct \\
                -o runs/reconstruct
              chroma train --cifar cifar-10-batches-bin --task denoise --noise-std 0.158 \\
                -o runs/denoise
            """)

    @OptionGroup var options: TrainingOptions

    @Option(help: "Architecture spec (see 'chroma model summary --help'); default: the 9-layer CAE of the classic CIFAR-10 autoencoder exercise, c8 p c12 p c16 u c12 u c2 (c3 for the RGB tasks).")
    var arch: String?

    @Option(name: [.short, .customLong("output"), .customLong("out", withSingleDash: false)],
            help: "Run folder for a new run (--out is an older spelling).")
    var out: String?

    @Option(help: "Continue the run in this folder.")
    var resume: String?

    func validate() throws {
        guard (out == nil) != (resume == nil) else { throw ValidationError("give either --output for a new run or --resume for an old one") }
        if out != nil && options.cifar == nil && options.images == nil { throw ValidationError("a new run needs --cifar, --images, or both") }
        if let arch { do { _ = try Architecture(arch) } catch { throw ValidationError("\(error)") } }
        if let out, FileManager.default.fileExists(atPath: out + "/run.json") {
            throw ValidationError("\(out) already holds a run; use --resume \(out) or another folder")
        }
    }

    func run() throws {
        var settings: RunRecord.Settings
        if let resume {
            settings = try reporting(resume) { try TrainingRun.recordedSettings(in: resume).settings }
            // The data may have moved since: a folder given now wins over the recorded one.
            if let cifar = options.cifar {
                if settings.cifar.isEmpty && options.images == nil { settings.images = nil }  // a photo run moved onto CIFAR
                settings.cifar = Paths.normalized(cifar)
            }
            if let images = options.images { settings.images = Paths.normalized(images) }
        } else {
            settings = options.settings(arch: arch ?? options.defaultArchitecture)
        }
        let split = try reporting(settings.cifar.isEmpty ? settings.images ?? "" : settings.cifar) { try TrainingOptions.loadSplit(settings) }
        let run = try reporting(resume ?? out!) {
            try resume.map { try TrainingRun(resuming: Paths.trimmed($0), split: split, epochs: options.epochs, data: settings) }
                ?? TrainingRun(folder: Paths.trimmed(out!), settings: settings, split: split)
        }
        let total = run.record.settings.epochs
        let counted = { (count: Int, noun: String) in "\(count) \(noun) image\(count == 1 ? "" : "s")" }
        Diagnostics.note("chroma: \(counted(split.training.count, "training")), \(counted(split.validation.count, "validation"))")
        if let resume { Diagnostics.note("chroma: resuming \(resume) after epoch \(run.finishedEpochs) of \(total)") }

        guard try Self.execute(run, label: "epoch") else {
            Diagnostics.note("chroma: interrupted during epoch \(run.finishedEpochs + 1), which is not saved; checkpoint.chroma holds epoch \(run.finishedEpochs). "
                             + "Continue with: chroma train --resume \(run.folder) (epoch \(run.finishedEpochs + 1) starts again from its beginning)")
            throw ExitCode(130)
        }
        Diagnostics.note("chroma: done; the best model (epoch \(run.record.bestEpoch ?? 0)) is \(run.modelPath)")
    }

    /// Trains `run`'s remaining epochs with a progress bar and a line per epoch;
    /// false when Ctrl-C stopped it (after the current batch).
    static func execute(_ run: TrainingRun, label: String) throws -> Bool {
        let total = run.record.settings.epochs
        Interrupt.install()
        let bar = ProgressBar()
        let completed = try run.run(
            shouldStop: { Interrupt.requested },
            progress: { epoch, done, count, loss, seconds in
                bar.show(String(format: "%@ %d/%d", label, epoch, total), done: done, total: count,
                         detail: String(format: "%.0f images/s  loss %.5f", Double(done) / max(seconds, 1e-9), loss),
                         secondsLeft: seconds / Double(done) * Double(count - done))
            },
            finished: { figures, best in
                bar.clear()
                Diagnostics.note(String(format: "%@ %d/%d  train %.5f  validation %.5f  %.0f s  %.0f images/s%@",
                                        label, figures.epoch, total, figures.trainLoss, figures.validationLoss, figures.seconds,
                                        figures.imagesPerSecond, best ? "  best: saved model.chroma" : ""))
            })
        bar.clear()
        return completed
    }
}

import ArgumentParser
import Colorizer
import ColorSpace
import Datasets
import Foundation
import NeuralNet

/// `chroma train`: teach a network to predict chroma from luminance on CIFAR-10.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a colorizer on CIFAR-10.",
        discussion: """
            Training uses the data batches minus their last 5,000 images, which are the
            validation set. OUT receives model.chroma (the best model by validation loss),
            checkpoint.chroma (the latest epoch) and run.json (settings and per-epoch figures).
            Ctrl-C stops after the current batch; --resume OUT continues from the last
            finished epoch and ends exactly as an uninterrupted run would.

            Examples:
              chroma train --cifar cifar-10-batches-bin --space lab --epochs 10 --out runs/lab
              chroma train --resume runs/lab
            """)

    @Option(help: "Folder with CIFAR-10's binary batches.")
    var cifar: String?

    @Option(help: "Train on a folder of PNG/JPEG photos instead (each reduced to 32×32, plus random crops).")
    var images: String?

    @Option(help: "Training/validation/test percentages over all images, e.g. 80/10/10 (default for CIFAR-10: its own division).",
            transform: Train.parseSplit)
    var split: [Int]?

    @Option(help: "Colour space: lab or ycbcr.")
    var space: ChromaSpace = .lab

    @Option(help: "Architecture spec (see 'chroma model summary --help').")
    var arch: String = Architecture.reference(outputs: 2).text

    @Option(help: "Extra input channels: the luminance raised to each gamma, e.g. 0.1,0.5,1.5,3.0.", transform: Convert.parseGammas)
    var gammas: [Float] = []

    @Option(help: "Passes over the training images (with --resume: a new total).")
    var epochs: Int?

    @Option(help: "Images per step.")
    var batch = 32

    @Option(help: "Adam's learning rate.")
    var lr: Float = 1e-3

    @Option(help: "Loss: mse, l1, huber or huber:DELTA.")
    var loss: String = "mse"

    @Option(help: "Seed for initialisation, shuffling and augmentation.")
    var seed: UInt64 = 1

    @Option(name: .customLong("augment-gamma"), help: "Random input gamma range for augmentation, e.g. 0.5,2.", transform: Convert.parseGammas)
    var augmentGamma: [Float] = []

    @Option(help: "Learning-rate schedule: constant, or cosine (from --lr down to 1 % of it by the last epoch).")
    var schedule: Schedule = .constant

    @Flag(help: "Do not mirror training images at random.")
    var noFlips = false

    @Option(help: "Use only the first N training images (for quick experiments).")
    var limit: Int?

    @Option(help: "Run folder for a new run.")
    var out: String?

    @Option(help: "Continue the run in this folder.")
    var resume: String?

    enum Schedule: String, ExpressibleByArgument, CaseIterable {
        case constant, cosine
    }

    func validate() throws {
        guard (out == nil) != (resume == nil) else { throw ValidationError("give either --out for a new run or --resume for an old one") }
        if out != nil && (cifar == nil) == (images == nil) { throw ValidationError("a new run needs --cifar or --images (one of them)") }
        guard (epochs ?? 1) > 0, batch > 0, lr > 0 else { throw ValidationError("--epochs, --batch and --lr must be positive") }
        guard Loss(loss) != nil else { throw ValidationError("--loss must be mse, l1, huber or huber:DELTA") }
        guard augmentGamma.isEmpty || augmentGamma.count == 2 else { throw ValidationError("--augment-gamma takes two numbers, LO,HI") }
        do { _ = try Architecture(arch) } catch { throw ValidationError("\(error)") }
        if let out, FileManager.default.fileExists(atPath: out + "/run.json") {
            throw ValidationError("\(out) already holds a run; use --resume \(out) or another folder")
        }
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
        if let folder = settings.images {
            let loaded = try ImageFolder.load(folder, randomCrops: 4, seed: settings.seed)
            for failure in loaded.failures { Diagnostics.error(failure.file, failure.reason) }
            let p = settings.split ?? [80, 10, 10]
            return loaded.split(percentages: (p[0], p[1], p[2]), seed: settings.seed)
        }
        let data = try CIFAR10.load(folder: settings.cifar)
        var split = Split.standard(training: data.training, test: data.test)
        if let p = settings.split {
            split = Split.proportional(data.training.appending(data.test), percentages: (p[0], p[1], p[2]), seed: settings.seed)
        }
        if let limit = settings.limit {
            split = Split(training: split.training.subset(0..<min(limit, split.training.count)), validation: split.validation, test: split.test)
        }
        return split
    }

    func run() throws {
        let settings: RunRecord.Settings
        if let resume {
            do { settings = try TrainingRun.recordedSettings(in: resume).settings } catch {
                Diagnostics.error(resume, error)
                throw ExitCode.failure
            }
        } else {
            settings = RunRecord.Settings(cifar: cifar ?? "", space: space.rawValue, arch: arch, gammas: gammas,
                                          epochs: epochs ?? 10, batch: batch, learningRate: lr, loss: loss, seed: seed,
                                          flips: !noFlips, augmentGamma: augmentGamma.count == 2 ? augmentGamma : nil, limit: limit,
                                          images: images, split: split, schedule: schedule.rawValue)
        }
        let split: Split
        do {
            split = try Self.loadSplit(settings)
        } catch {
            Diagnostics.error(settings.images ?? settings.cifar, error)
            throw ExitCode.failure
        }
        let run: TrainingRun
        do {
            run = try resume.map { try TrainingRun(resuming: $0, split: split, epochs: epochs) }
                ?? TrainingRun(folder: out!, settings: settings, split: split)
        } catch {
            Diagnostics.error(resume ?? out!, error)
            throw ExitCode.failure
        }
        let total = run.record.settings.epochs
        if let resume { Diagnostics.note("chroma: resuming \(resume) after epoch \(run.finishedEpochs) of \(total)") }

        Interrupt.install()
        let bar = ProgressBar()
        let completed = try run.run(
            shouldStop: { Interrupt.requested },
            progress: { epoch, done, count, loss, seconds in
                bar.show(String(format: "epoch %d/%d", epoch, total), done: done, total: count,
                         detail: String(format: "%.0f images/s  loss %.5f", Double(done) / max(seconds, 1e-9), loss),
                         secondsLeft: seconds / Double(done) * Double(count - done))
            },
            finished: { figures, best in
                bar.clear()
                Diagnostics.note(String(format: "epoch %d/%d  train %.5f  validation %.5f  %.0f s  %.0f images/s%@",
                                        figures.epoch, total, figures.trainLoss, figures.validationLoss, figures.seconds,
                                        figures.imagesPerSecond, best ? "  best: saved model.chroma" : ""))
            })
        bar.clear()
        if !completed {
            Diagnostics.note("chroma: interrupted; checkpoint.chroma holds epoch \(run.finishedEpochs). Continue with: chroma train --resume \(run.folder)")
            throw ExitCode(130)
        }
        Diagnostics.note("chroma: done; the best model (epoch \(run.record.bestEpoch ?? 0)) is \(run.modelPath)")
    }
}

import ArgumentParser
import Colorizer
import Datasets
import Foundation
import ImageIO
import NeuralNet

/// `chroma model calibrate`: choose a model's saturation (or temperature) on the validation images.
struct ModelCalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Choose a colorizer's saturation (or temperature) on CIFAR-10's validation images and write a deployable model.",
        discussion: """
            A network trained to minimise squared error predicts the mean of the colours a \
            scene could have, which is duller than any of them. Scaling the predicted chroma \
            away from neutral costs little PSNR at first and brings back colour. This command \
            colorizes the validation images (the last 5,000 of the training batches, never the \
            test batch) at saturations 1.0, 1.05, … 2.0, prints mean PSNR and colourfulness for \
            each, and picks the most saturated one whose mean PSNR is within --tolerance dB of \
            the best. OUT receives the network with that saturation in its metadata (and \
            without the optimiser state); colorize and evaluate use it by default.

            A model trained with --loss bins:N predicts a distribution over chroma bins \
            instead. For it the command counts how often each bin occurs in the training \
            images, and tries dividing the distribution by that prior to the power α (0, 0.05, \
            … 0.5: rarer, stronger colours gain) with annealed-mean temperatures 1, 0.8, 0.6 and 0.4 \
            (lower leans to the likeliest colour), at saturation 1; of those within \
            --tolerance dB of the best mean PSNR it picks the most colourful.

            With --mirror-average every prediction (here, and wherever the output is used later) is \
            the mean of the network's output for the image and for its mirror image, mirrored \
            back: twice the inference work, for slightly better colours (measured in \
            docs/results/colorizer.md).

            With --photos DIR the settings are scored on the colour photos in DIR instead, each \
            reduced to its luminance and colorized at full size exactly as colorize does it \
            (default grid): a model is less sure of photos than of CIFAR's images, and its \
            settings are best chosen where it is used. --cifar still gives the training \
            images whose chroma counts a binned model's bin frequencies. Keep the photos you \
            calibrate on apart from those you judge the result on.

            With --colourfulness C it picks instead the setting with the best mean PSNR among \
            those whose mean colourfulness is at least C (the most colourful if none is).
            """)

    @Argument(help: "A trained model file (e.g. RUN/model.chroma).")
    var model: String

    @Option(help: "Folder with CIFAR-10's binary batches.")
    var cifar: String

    @Option(help: "Largest loss of mean validation PSNR accepted for colour, in dB.")
    var tolerance: Double = 0.1

    @Option(help: "Pick the best PSNR among settings at least this colourful instead (Hasler and Süsstrunk's colourfulness; CIFAR-10's originals ≈ 34).")
    var colourfulness: Double?

    @Flag(help: "Average each prediction with the mirror image's, mirrored back (twice the inference work).")
    var mirrorAverage = false

    @Option(help: "Score the settings on the colour photos in this folder (PNG, JPEG, TIFF, WebP; with subfolders) instead of CIFAR-10's validation images.")
    var photos: String?

    @OptionGroup var limits: DecodingLimitOptions  // untitled: listed after the ordinary options

    @Option(help: "Calibrate on the first N validation images (or photos) only (quicker, rougher).")
    var limit: Int?

    @Option(name: [.short, .customLong("output"), .customLong("out", withSingleDash: false)],
            help: "Where to write the calibrated model (--out is an older spelling).")
    var out: String

    @Flag(help: "Replace an existing file at --output (never the model being calibrated).")
    var overwrite = false

    func validate() throws {
        guard tolerance >= 0 else { throw ValidationError("--tolerance must not be negative") }
        if let colourfulness, colourfulness < 0 { throw ValidationError("--colourfulness must not be negative") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        // No command writes to one of its inputs: the trained model is one.
        if Paths.normalized(out) == Paths.normalized(model)
            || (ImageFile.identity(of: out) != nil && ImageFile.identity(of: out) == ImageFile.identity(of: model)) {
            throw ValidationError("--output \(out) is the model being calibrated; write the calibrated copy elsewhere")
        }
        if !overwrite && ImageFile.kind(of: out) != nil {
            throw ValidationError("\(out) exists; give --overwrite to replace it")
        }
    }

    func run() throws {
        let file = try reporting(model) { try ModelFile.load(from: model) }
        let split = try reporting(cifar) {
            let data = try CIFAR10.load(folder: cifar)
            return try Split.standard(training: data.training, test: data.test, source: cifar)
        }
        let rule: ModelCalibration.Rule = colourfulness.map { .atLeastColourful($0) } ?? .withinPSNR(dB: tolerance)
        let calibration: ModelCalibration
        if let photos {
            var files = try InputScan.photos(in: photos, recursive: true)
            if let limit { files = Array(files.prefix(limit)) }
            let bar = ProgressBar()
            defer { bar.clear() }
            calibration = try reporting(model) {
                do {
                    return try ModelCalibration(model: file, training: split.training, photos: files, averagesMirror: mirrorAverage,
                                                rule: rule, options: limits.decoding) { done, total in
                        bar.show("calibrate", done: done, total: total, detail: Paths.lastComponent(files[done]), secondsLeft: .nan)
                    }
                } catch let failure as ModelCalibration.PhotoFailure {
                    throw CommandFailure(subject: failure.file, reason: ImageIOError.reason(failure.error, about: failure.file))
                }
            }
        } else {
            let validation = limit.map { split.validation.subset(0..<min($0, split.validation.count)) } ?? split.validation
            calibration = try reporting(model) {
                try ModelCalibration(model: file, training: split.training, validation: validation, averagesMirror: mirrorAverage, rule: rule)
            }
        }
        for row in calibration.rows {
            print(String(format: "%@  PSNR %.3f dB  colourfulness %.1f%@", calibration.describe(row), row.psnr, row.colourfulness,
                         row == calibration.chosen ? "  ← chosen" : ""))
        }
        try reporting(out) { try calibration.calibratedModel().save(to: out) }
        Diagnostics.note("chroma: wrote \(out) (\(calibration.summary))")
    }
}

import ArgumentParser
import Colorizer
import ImageIO
import ColorSpace
import Datasets
import Foundation
import NeuralNet

/// `chroma evaluate`: score a model on CIFAR-10's test images against its baseline.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a model on the CIFAR-10 test split, or on a folder of real colour photos.",
        discussion: """
            Metrics (defined in docs/metrics.md). Colorizers (colorize, colorize-rgb): \
            PSNR (per image, capped at 48.13 dB), SSIM, CIEDE2000 and colourfulness, each a mean \
            over the 10,000 test images, for the model and for the gray baseline (the luminance \
            alone). Autoencoders (reconstruct, denoise): MSE on the 0…1 scale, PSNR and SSIM; \
            for denoising also the identity baseline (the noisy input itself, same seeded noise).

            With --photos DIR, colorizers are scored on real photographs as users get them: each \
            colour photo reduced to its luminance and colorized at full size exactly as \
            chroma colorize does it (same grids, --tiles, --single-grid and settings), then scored against the \
            original (PSNR, SSIM, ΔE2000, colourfulness), beside the gray baseline (L* kept, \
            a* = b* = 0) and with the number of photos better than gray on PSNR and on ΔE2000. \
            Photos without colour are skipped and counted. --json adds a row per photo.

            Examples:
              chroma evaluate --space lab --cifar cifar-10-batches-bin
              chroma evaluate --space ycbcr --photos my-colour-photos/ --json
              chroma evaluate --model runs/lab/model.chroma --json \\
                --cifar cifar-10-batches-bin
            """)

    @Option(help: "Model file to evaluate.")
    var model: String?

    @Option(help: "Evaluate the bundled model of this colour space (lab or ycbcr) instead.")
    var space: ChromaSpace?

    @OptionGroup var prediction: PredictionOptions

    @Option(help: "Folder with CIFAR-10's binary batches.")
    var cifar: String?

    @Option(help: "Score on the colour photos in this folder instead (colorizers only).")
    var photos: String?

    @Flag(help: "With --photos: descend into subfolders.")
    var recursive = false

    @Option(help: "With --photos: the model's grid, as for colorize (the photo's shorter side becomes N × 32 pixels there), 1…64.")
    var tiles: Int = PhotoColorizer.defaultTiles

    @OptionGroup var limits: DecodingLimitOptions  // untitled: listed after the ordinary options

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard (model == nil) != (space == nil) else { throw ValidationError("give either --model FILE or --space lab|ycbcr") }
        guard (cifar == nil) != (photos == nil) else { throw ValidationError("give either --cifar DIR or --photos DIR") }
        guard (1...64).contains(tiles) else { throw ValidationError("--tiles must be 1…64, not \(tiles)") }
    }

    func run() throws {
        if let photos { return try evaluatePhotos(photos) }
        let cifar = self.cifar!
        let model = self.model ?? space.map(BundledModels.origin(of:)) ?? ""
        let (file, metadata) = try reporting(model) {
            let file = try space.map { try BundledModels.load($0) } ?? ModelFile.load(from: model)
            return (file, try ModelMetadata(of: file))
        }
        let test = try reporting(cifar) { try CIFAR10.loadBatch(Paths.join(cifar, CIFAR10.testFile)) }
        let task = metadata.task
        let report: EvaluationReport
        switch task {
        case .colorize(let trained):
            let colorization = try reporting(model) {
                try trained.adjusted(temperature: prediction.temperature, priorWeight: prediction.priorWeight)
            }
            let saturation = prediction.saturation ?? metadata.defaultSaturation
            let bar = ProgressBar()
            report = try Evaluator.evaluate(file.network, task: colorization, set: test, saturation: saturation,
                                            progress: bar.reporter("evaluate"))
            bar.clear()
        case .colorizeRGB(let space):
            report = try Evaluator.colorizationRGB(file.network, space: space, set: test)
        case .reconstruct, .denoise:
            let report = try Evaluator.autoencoder(file.network, task: task, set: test)
            if json {
                print(try report.json(model: model, task: task.kind.rawValue))
            } else {
                for (name, scores) in [("model", report.result)] + (report.baseline.map { [("noisy", $0)] } ?? []) {
                    print(String(format: "%@  MSE %.5f  PSNR %.2f dB  SSIM %.3f", name, scores.mse, scores.psnr, scores.ssim))
                }
                print("\(report.images) images; task \(task.kind.rawValue)")
            }
            return
        }
        if json {
            print(try report.json(model: model))
        } else {
            for (name, scores) in [("model", report.result), ("gray", report.baseline)] {
                print(String(format: "%@  PSNR %.2f dB (median %.2f)  SSIM %.3f  ΔE2000 %.2f  colourfulness %.1f",
                             name.padding(toLength: 5, withPad: " ", startingAt: 0), scores.psnr, scores.medianPsnr,
                             scores.ssim, scores.deltaE2000, scores.colourfulness))
            }
            print(String(format: "%d images; the model beats gray on %.1f%%; originals' colourfulness %.1f",
                         report.images, 100 * report.beatsGray, report.truthColourfulness))
        }
    }

    /// `--photos`: the real-photo protocol (`PhotoEvaluation`), through the same colorizer `colorize` uses.
    func evaluatePhotos(_ folder: String) throws {
        let model = self.model ?? space.map(BundledModels.origin(of:)) ?? ""
        let colorizer = try reporting(model) {
            try PhotoColorizer(model: space.map { try BundledModels.load($0) } ?? ModelFile.load(from: model), tiles: tiles,
                               saturation: prediction.saturation, temperature: prediction.temperature, priorWeight: prediction.priorWeight,
                               usesFinerGrid: !prediction.singleGrid)
        }
        let files = try InputScan.photos(in: folder, recursive: recursive)
        var evaluation = PhotoEvaluation()
        let bar = ProgressBar()
        let start = Date()
        Interrupt.install()
        for (index, file) in files.enumerated() where !Interrupt.requested {
            let elapsed = Date().timeIntervalSince(start)
            bar.show("evaluate", done: index, total: files.count, detail: Paths.lastComponent(file),
                     secondsLeft: index == 0 ? .nan : elapsed / Double(index) * Double(files.count - index))
            evaluation.add(file: file, colorizer: colorizer, options: limits.decoding)
        }
        bar.clear()
        if Interrupt.requested { throw ExitCode(130) }
        for (file, reason) in evaluation.failures { Diagnostics.error(file, reason) }
        let summary = evaluation.summary
        if json {
            try StandardStreams.writeOutput(try evaluation.json(model: model) + "\n")
        } else {
            for (name, scores) in [("model", summary.model), ("gray", summary.gray)] {
                try StandardStreams.writeOutput(String(format: "%@  PSNR %.2f dB  SSIM %.3f  ΔE2000 %.2f  colourfulness %.1f\n",
                                                       name.padding(toLength: 5, withPad: " ", startingAt: 0), scores.psnr, scores.ssim,
                                                       scores.deltaE2000, scores.colourfulness))
            }
            try StandardStreams.writeOutput(String(
                format: "%d photos (%d without colour skipped, %d failed); better than gray on PSNR: %d, on ΔE2000: %d; originals' colourfulness %.1f\n",
                summary.photos, summary.skippedGray, summary.failed, summary.betterThanGrayPSNR, summary.betterThanGrayDeltaE2000,
                summary.originalColourfulness))
        }
        if summary.failed > 0 { throw ExitCode.failure }
    }
}

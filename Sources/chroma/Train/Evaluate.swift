import ArgumentParser
import Colorizer
import ColorSpace
import Datasets
import Foundation
import NeuralNet

/// `chroma evaluate`: score a model on CIFAR-10's test images against its baseline.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a model on the CIFAR-10 test split.",
        discussion: """
            Metrics as ../shared/DESIGN.md defines them. Colorizers (colorize, colorize-rgb): \
            PSNR (per image, capped at 48.13 dB), SSIM, CIEDE2000 and colourfulness, each a mean \
            over the 10,000 test images, for the model and for the gray baseline (the luminance \
            alone). Autoencoders (reconstruct, denoise): MSE on the 0…1 scale, PSNR and SSIM; \
            for denoising also the identity baseline (the noisy input itself, same seeded noise).

            Examples:
              chroma evaluate --space lab --cifar cifar-10-batches-bin
              chroma evaluate --model runs/lab/model.chroma --json \\
                --cifar cifar-10-batches-bin
            """)

    @Option(help: "Model file to evaluate.")
    var model: String?

    @Option(help: "Evaluate the bundled model of this colour space (lab or ycbcr) instead.")
    var space: ChromaSpace?

    @OptionGroup var prediction: PredictionOptions

    @Option(help: "Folder with CIFAR-10's binary batches.")
    var cifar: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard (model == nil) != (space == nil) else { throw ValidationError("give either --model FILE or --space lab|ycbcr") }
    }

    func run() throws {
        let file: ModelFile, task: TrainingTask, test: ImageSet
        var model = self.model ?? "bundled \(space?.rawValue ?? "") model"
        do {
            if let space { model = try BundledModels.path(for: space) }
            file = try ModelFile.load(from: model)
            task = try TrainingTask(metadata: file.metadata)
        } catch {
            Diagnostics.error(model, error)
            throw ExitCode.failure
        }
        do {
            test = try CIFAR10.loadBatch(cifar + "/" + CIFAR10.testFile)
        } catch {
            Diagnostics.error(cifar, error)
            throw ExitCode.failure
        }
        let report: EvaluationReport
        switch task {
        case .colorize(let trained):
            let colorization: ColorizationTask
            do {
                colorization = try trained.adjusted(temperature: prediction.temperature, priorWeight: prediction.priorWeight)
            } catch {
                Diagnostics.error(model, error)
                throw ExitCode.failure
            }
            let saturation = prediction.saturation ?? file.calibratedSaturation
            report = try Evaluator.evaluate(file.network, task: colorization, set: test, saturation: saturation)
        case .colorizeRGB(let space):
            report = try Evaluator.colorizationRGB(file.network, space: space, set: test)
        case .reconstruct, .denoise:
            let report = try Evaluator.autoencoder(file.network, task: task, set: test)
            if json {
                print(report.json(model: model, task: task.kind.rawValue))
            } else {
                for (name, scores) in [("model", report.result)] + (report.baseline.map { [("noisy", $0)] } ?? []) {
                    print(String(format: "%@  MSE %.5f  PSNR %.2f dB  SSIM %.3f", name, scores.mse, scores.psnr, scores.ssim))
                }
                print("\(report.images) images; task \(task.kind.rawValue)")
            }
            return
        }
        if json {
            print(report.json(model: model))
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
}

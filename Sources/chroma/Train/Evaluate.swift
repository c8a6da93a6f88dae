import ArgumentParser
import Colorizer
import Datasets
import Foundation
import NeuralNet

/// `chroma evaluate`: score a colorizer on CIFAR-10's test images against the gray baseline.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Score a colorizer on the CIFAR-10 test split.")

    @Option(help: "Model file to evaluate.")
    var model: String

    @Option(help: "Folder with CIFAR-10's binary batches.")
    var cifar: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let file: ModelFile, task: ColorizationTask, test: ImageSet
        do {
            file = try ModelFile.load(from: model)
            task = try ColorizationTask(metadata: file.metadata)
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
        let report = try Evaluator.evaluate(file.network, task: task, set: test)
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

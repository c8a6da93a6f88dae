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
        let file: ModelFile, test: ImageSet
        do {
            file = try ModelFile.load(from: model)
            test = try CIFAR10.loadBatch(cifar + "/" + CIFAR10.testFile)
        } catch {
            Diagnostics.error(model, error)
            throw ExitCode.failure
        }
        let task = try ColorizationTask(metadata: file.metadata)
        let report = try Evaluator.evaluate(file.network, task: task, set: test)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(String(format: "%d images  PSNR %.2f dB (median %.2f)  beats gray on %.1f%%  colourfulness %.1f (originals %.1f)",
                         report.images, report.result.psnr, report.result.medianPsnr, 100 * report.beatsGray,
                         report.result.colourfulness, report.truthColourfulness))
            print(String(format: "gray baseline: PSNR %.2f dB (median %.2f)  colourfulness %.1f",
                         report.baseline.psnr, report.baseline.medianPsnr, report.baseline.colourfulness))
        }
    }
}

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
            Training uses the data batches minus their last 5,000 images; those are the
            validation set, and the best model by validation loss is saved to OUT/model.chroma.
            Example:
              chroma train --cifar cifar-10-batches-bin --space lab --epochs 10 --out runs/lab
            """)

    @Option(help: "Folder with CIFAR-10's binary batches.")
    var cifar: String

    @Option(help: "Colour space: lab or ycbcr.")
    var space: ChromaSpace = .lab

    @Option(help: "Architecture spec (see 'chroma model summary --help').")
    var arch: String = Architecture.reference(outputs: 2).text

    @Option(help: "Extra input channels: the luminance raised to each gamma, e.g. 0.1,0.5,1.5,3.0.", transform: Convert.parseGammas)
    var gammas: [Float] = []

    @Option(help: "Passes over the training images.")
    var epochs = 10

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

    @Flag(help: "Do not mirror training images at random.")
    var noFlips = false

    @Option(help: "Use only this many training images (for quick experiments).")
    var limit: Int?

    @Option(help: "Run folder: model.chroma and run.json go here.")
    var out: String

    func validate() throws {
        guard epochs > 0, batch > 0, lr > 0 else { throw ValidationError("--epochs, --batch and --lr must be positive") }
        guard Loss(loss) != nil else { throw ValidationError("--loss must be mse, l1, huber or huber:DELTA") }
        guard augmentGamma.isEmpty || augmentGamma.count == 2 else { throw ValidationError("--augment-gamma takes two numbers, LO,HI") }
        do { _ = try Architecture(arch) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let data: (training: ImageSet, test: ImageSet)
        do { data = try CIFAR10.load(folder: cifar) } catch {
            Diagnostics.error(cifar, error)
            throw ExitCode.failure
        }
        var split = Split.standard(training: data.training, test: data.test)
        if let limit { split = Split(training: split.training.subset(0..<min(limit, split.training.count)), validation: split.validation, test: split.test) }
        let task = ColorizationTask(space: space, gammas: gammas)
        var configuration = TrainingConfiguration(task: task, architecture: try Architecture(arch))
        configuration.epochs = epochs
        configuration.batchSize = batch
        configuration.learningRate = lr
        configuration.seed = seed
        configuration.loss = Loss(loss)!
        configuration.flips = !noFlips
        configuration.gammaAugmentation = augmentGamma.count == 2 ? augmentGamma[0]...augmentGamma[1] : nil
        let trainer = try Trainer(configuration: configuration, training: task.prepare(split.training),
                                  validation: task.prepare(split.validation))
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var best = Float.infinity
        for epoch in 1...epochs {
            let start = Date()
            let trainLoss = try trainer.trainEpoch(epoch)
            let validationLoss = try trainer.loss()
            let seconds = Date().timeIntervalSince(start)
            var line = String(format: "epoch %d/%d  train %.5f  validation %.5f  %.0f s  %.0f images/s",
                              epoch, epochs, trainLoss, validationLoss, seconds, Double(split.training.count) / seconds)
            if validationLoss < best {
                best = validationLoss
                try ModelFile(network: trainer.network, metadata: task.metadata).save(to: out + "/model.chroma")
                line += "  (best, saved)"
            }
            Diagnostics.note(line)
        }
    }
}

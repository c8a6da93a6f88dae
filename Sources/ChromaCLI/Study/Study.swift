import ArgumentParser
import Colorizer
import Datasets
import Foundation
import ImageIO
import NeuralNet

/// `chroma study`: several architectures, one split and seed, one table.
struct Study: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train several architectures on the same data and seed and compare their test error with their latent size.",
        discussion: """
            Each --arch is trained as `chroma train` would train it, in OUT/runs/NN (an interrupted \
            study continues where it stopped when run again with the same options), then scored on \
            the test split with its best model. OUT receives study.md and study.csv (parameters, \
            latent size, test MSE on the 0…1 scale, PSNR, SSIM, training time) and latent-error.svg \
            and .png (latent size against test MSE, points numbered as in the table).

            Example:
              chroma study --cifar cifar-10-batches-bin --task reconstruct --epochs 10 \\
                --arch "c8 p c12 p c16 u c12 u c3 sigmoid" \\
                --arch "c8 p c12 p c4 u c12 u c3 sigmoid" -o runs/study
            """)

    @OptionGroup var options: TrainingOptions

    @Option(name: .customLong("arch"), help: "An architecture spec to train (repeat for each).")
    var architectures: [String] = []

    @Option(name: [.short, .customLong("output"), .customLong("out", withSingleDash: false)],
            help: "Folder for the runs and the tables (--out is an older spelling).")
    var out: String

    func validate() throws {
        guard !architectures.isEmpty else { throw ValidationError("give at least one --arch") }
        guard (options.cifar == nil) != (options.images == nil) else { throw ValidationError("give --cifar or --images (one of them)") }
        var outputs = options.task == .colorize ? 2 : 3
        if case .bins(let grid) = options.loss { outputs = grid.count }
        for (i, text) in architectures.enumerated() {
            let architecture: Architecture
            do { architecture = try Architecture(text) } catch { throw ValidationError("--arch #\(i + 1): \(error)") }
            guard architecture.outputChannels == outputs else {
                throw ValidationError("--arch #\(i + 1) outputs \(architecture.outputChannels) channels; --task \(options.task.rawValue) needs \(outputs)")
            }
        }
    }

    func run() throws {
        let template = options.settings(arch: "")
        let task = try template.trainingTask()
        let split = try reporting(template.images ?? template.cifar) {
            let split = try TrainingOptions.loadSplit(template)
            guard split.test.count > 0 else { throw ColorizerError.noTestImages }
            return split
        }
        var rows: [ArchitectureStudy.Row] = []
        for (index, arch) in architectures.enumerated() {
            let folder = out + String(format: "/runs/%02d", index + 1)
            let settings = options.settings(arch: arch)
            let run = try reporting(folder) {
                guard FileManager.default.fileExists(atPath: folder + "/run.json") else {
                    return try TrainingRun(folder: folder, settings: settings, split: split)
                }
                guard try TrainingRun.recordedSettings(in: folder).settings == settings else {
                    throw ColorizerError.folderHoldsAnotherRun
                }
                return try TrainingRun(resuming: folder, split: split)
            }
            Diagnostics.note("chroma: [\(index + 1)/\(architectures.count)] \(arch)")
            guard try Train.execute(run, label: "epoch") else {
                Diagnostics.note("chroma: interrupted; run the same command again to continue")
                throw ExitCode(130)
            }
            let model = try ModelFile.load(from: run.modelPath)
            let shape = Shape(channels: task.inputChannels, height: split.test.height, width: split.test.width)
            let summary = try ModelSummary(network: model.network, input: shape)
            let scores = try ArchitectureStudy.scores(model.network, task: task, test: split.test)
            rows.append(.init(arch: arch, parameters: summary.totalParameters, latentSize: summary.latentSize,
                              testMSE: scores.mse, testPSNR: scores.psnr, testSSIM: scores.ssim,
                              trainingSeconds: run.record.epochs.map(\.seconds).reduce(0, +)))
            Diagnostics.note(String(format: "chroma: [%d/%d] latent %d  test MSE %.5f  PSNR %.2f dB  SSIM %.3f", index + 1,
                                    architectures.count, summary.latentSize, scores.mse, scores.psnr, scores.ssim))
            try write(rows, task: task)
        }
        Diagnostics.note("chroma: wrote \(out)/study.md, study.csv, latent-error.svg and latent-error.png")
    }

    /// The tables and plots so far, each file replaced atomically.
    func write(_ rows: [ArchitectureStudy.Row], task: TrainingTask) throws {
        let title = "Latent size against test error: \(task.kind.rawValue), \(options.epochs ?? 10) epoch\((options.epochs ?? 10) == 1 ? "" : "s"), seed \(options.seed)"
        let files: [(String, Data)] = [
            ("study.md", Data(ArchitectureStudy.markdown(rows, title: title).utf8)),
            ("study.csv", Data(ArchitectureStudy.csv(rows).utf8)),
            ("latent-error.svg", Data(ArchitectureStudy.svg(rows, title: title).utf8)),
            ("latent-error.png", Data(try ArchitectureStudy.png(rows))),
        ]
        for (name, data) in files { try data.write(to: URL(fileURLWithPath: Paths.join(out, name)), options: .atomic) }
    }
}

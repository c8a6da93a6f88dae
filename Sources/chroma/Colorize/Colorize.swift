import ArgumentParser
import Colorizer
import ColorSpace
import Foundation
import ImageIO
import NeuralNet
import Threading

/// `chroma colorize`: colorize photos, folders and pipelines at full resolution.
struct Colorize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Colorize grayscale (or colour) photos with a trained model.",
        discussion: """
            Each photo's luminance is kept at full resolution; the model predicts chroma on a \
            grid whose shorter side is --tiles × 32 pixels, and the chroma is upsampled and \
            joined to it. A colour photo is reduced to its luminance first. Alpha is kept.

            Outputs mirror the inputs' names under -o (with --suffix added); each is written \
            to a temporary file and renamed into place, so an interrupted run leaves no \
            partial file, and an input is never overwritten. A failed photo is reported and \
            the batch goes on; the exit code is 1 when any photo failed.

            Examples:
              chroma colorize old.jpg -o colorized/
              chroma colorize albums/ -o out/ --recursive --space ycbcr --jobs 2
              cat old.jpg | chroma colorize - > new.jpg
              chroma colorize archive/ -o out/ --recursive --skip-existing \\
                --shard $SLURM_ARRAY_TASK_ID/16
            """)

    @Argument(help: "Photos, folders of photos, or - (standard input to standard output).")
    var inputs: [String]

    @Option(name: [.short, .customLong("output")], help: "Output folder (created if missing).")
    var output: String?

    @Flag(help: "Descend into subfolders of input folders.")
    var recursive = false

    @Option(parsing: .unconditional, help: "Added to each output's name before the extension, e.g. -color.")
    var suffix: String = ""

    @Option(help: "Colour space of the bundled model to use: lab or ycbcr.")
    var space: ChromaSpace = .lab

    @Option(help: "A trained model file to use instead of the bundled one.")
    var model: String?

    @OptionGroup var prediction: PredictionOptions

    @Option(help: "The model's grid: the photo's shorter side becomes N × 32 pixels there, 1…64.")
    var tiles: Int = PhotoColorizer.defaultTiles

    @Option(help: "Photos colorized at once (default: the number of cores, or CHROMA_THREADS).")
    var jobs: Int?

    @Option(help: "Process only the K-th of N deterministic slices of the sorted inputs, K = 1…N.")
    var shard: Shard?

    @Flag(help: "Skip photos whose output already exists (to finish an interrupted run).")
    var skipExisting = false

    @Flag(help: "Print one JSON object per photo to standard output.")
    var json = false

    @Flag(help: "Report each photo on standard error.")
    var verbose = false

    @OptionGroup var outputOptions: OutputOptions

    struct Shard: ExpressibleByArgument {
        let index: Int
        let count: Int
        init?(argument: String) {
            let parts = argument.split(separator: "/").map { Int($0) }
            guard parts.count == 2, let k = parts[0], let n = parts[1], n >= 1, (1...n).contains(k) else { return nil }
            index = k
            count = n
        }
    }

    func validate() throws {
        let usesStdin = inputs.contains(ImageFile.standardStream)
        if usesStdin && inputs.count > 1 { throw ValidationError("- (standard input) cannot be mixed with other inputs") }
        if !usesStdin && output == nil { throw ValidationError("give an output folder with -o DIR") }
        if let output, FileManager.default.fileExists(atPath: output) && !ImageFile.isDirectory(output) {
            throw ValidationError("the output \(output) exists and is not a folder")
        }
        guard (1...64).contains(tiles) else { throw ValidationError("--tiles must be 1…64, not \(tiles)") }
        guard (jobs ?? 1) >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if skipExisting && outputOptions.overwrite { throw ValidationError("--skip-existing and --overwrite contradict each other") }
        if suffix.contains("/") { throw ValidationError("--suffix must not contain /") }
        if json && usesStdin { throw ValidationError("--json needs outputs in files (standard output carries the image)") }
    }

    func run() throws {
        let modelBytes: [UInt8]
        let colorizer: PhotoColorizer  // also proves the model usable before any photo is read
        do {
            modelBytes = try ImageFile.readBytes(try model ?? BundledModels.path(for: space))
            colorizer = try makeColorizer(modelBytes, threads: Threads.available)
        } catch {
            Diagnostics.error(model ?? "bundled \(space.rawValue) model", error)
            throw ExitCode.failure
        }
        if inputs == [ImageFile.standardStream] {
            try colorizeStream(with: colorizer)
            return
        }
        let output = self.output!
        var jobs: [Job]
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            jobs = try plan(output: output)
        } catch {
            Diagnostics.error(output, error)
            throw ExitCode.failure
        }
        if let shard { jobs = jobs.enumerated().filter { $0.offset % shard.count == shard.index - 1 }.map(\.element) }
        let batch = Batch(command: self, jobs: jobs, modelBytes: modelBytes)
        Interrupt.install()
        batch.run()
        let summary = batch.summary
        if !summary.isEmpty && (verbose || batch.failed > 0 || batch.bar.enabled) { Diagnostics.note(summary) }
        if Interrupt.requested { throw ExitCode(130) }
        if batch.failed > 0 { throw ExitCode.failure }
    }

    /// `-`: standard input to standard output, in the input's format unless --format says otherwise.
    func colorizeStream(with colorizer: PhotoColorizer) throws {
        do {
            let bytes = try ImageFile.readBytes(ImageFile.standardStream, maxBytes: outputOptions.decoding.maxFileBytes)
            let format = outputOptions.format ?? ImageFormat.sniff(bytes) ?? .png
            let result = try colorizer.colorize(try ImageDecoder.decode(bytes, options: outputOptions.decoding))
            try ImageFile.write(try ImageEncoder.encode(result, as: format, options: outputOptions.encoding),
                                to: ImageFile.standardStream, overwrite: true)
        } catch {
            Diagnostics.error("<stdin>", error)
            throw ExitCode.failure
        }
    }

    func makeColorizer(_ modelBytes: [UInt8], threads: Int) throws -> PhotoColorizer {
        let colorizer = try PhotoColorizer(model: ModelFile(decoding: modelBytes), tiles: tiles, saturation: prediction.saturation,
                                           temperature: prediction.temperature, priorWeight: prediction.priorWeight)
        colorizer.threads = threads
        return colorizer
    }

    /// Every input photo, sorted, with where its output goes.
    func plan(output: String) throws -> [Job] {
        var jobs: [Job] = []
        for input in inputs {
            if ImageFile.isDirectory(input) {
                for relative in try InputFiles.scan(input, recursive: recursive) {
                    jobs.append(Job(input: input + "/" + relative, output: output + "/" + outputName(for: relative)))
                }
            } else {
                jobs.append(Job(input: input, output: output + "/" + outputName(for: Paths.lastComponent(input))))
            }
        }
        return jobs.sorted { $0.input < $1.input }
    }

    /// The input's name with the suffix, and an extension for the output format
    /// (the input's own when it already names that format).
    func outputName(for relative: String) -> String {
        let inputExtension = Paths.pathExtension(relative)
        let format = outputOptions.format ?? ImageFormat(pathExtension: inputExtension) ?? .png
        guard ImageFormat(pathExtension: inputExtension) == format else { return InputFiles.renamed(relative, format: format, suffix: suffix) }
        return Paths.deletingExtension(relative) + suffix + "." + inputExtension
    }
}

/// One run over many photos: workers take the next photo until none is left.
final class Batch: @unchecked Sendable {
    let command: Colorize
    let jobs: [Job]
    let modelBytes: [UInt8]
    let bar = ProgressBar()
    private let lock = NSLock()
    private var next = 0
    private(set) var done = 0, failed = 0, skipped = 0
    private var megapixels = 0.0
    private let start = Date()
    private var claimed = Set<String>()

    init(command: Colorize, jobs: [Job], modelBytes: [UInt8]) {
        self.command = command
        self.jobs = jobs
        self.modelBytes = modelBytes
    }

    func run() {
        let workers = max(1, min(command.jobs ?? Threads.available, jobs.count))
        let threadsEach = max(1, Threads.available / workers)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            guard let colorizer = try? command.makeColorizer(modelBytes, threads: threadsEach) else { return }
            while let job = take() {
                let began = Date()
                var size: (Int, Int)? = nil
                var outcome: Outcome
                do {
                    outcome = try colorize(job, with: colorizer, size: &size)
                } catch {
                    outcome = .failed(Self.reason(error, job: job))
                }
                finish(job, outcome, size: size, seconds: Date().timeIntervalSince(began))
            }
        }
        bar.clear()
    }

    enum Outcome {
        case written, skipped
        case failed(String)
    }

    private func take() -> Job? {
        lock.lock(); defer { lock.unlock() }
        guard next < jobs.count, !Interrupt.requested else { return nil }
        next += 1
        return jobs[next - 1]
    }

    private func colorize(_ job: Job, with colorizer: PhotoColorizer, size: inout (Int, Int)?) throws -> Outcome {
        if job.input == job.output || InputFiles.sameFile(job.input, job.output) {
            throw ImageIOError.fileSystem(path: job.output, reason: "would overwrite the input; use --suffix or another output folder")
        }
        lock.lock()
        let duplicate = !claimed.insert(job.output).inserted
        lock.unlock()
        if duplicate { throw ImageIOError.fileSystem(path: job.output, reason: "is also the output of another input; rename one of them") }
        if command.skipExisting && FileManager.default.fileExists(atPath: job.output) { return .skipped }
        if !command.outputOptions.overwrite && FileManager.default.fileExists(atPath: job.output) {
            throw ImageIOError.fileSystem(path: job.output, reason: "exists; use --overwrite to replace it or --skip-existing to keep it")
        }
        let image = try ImageFile.read(job.input, options: command.outputOptions.decoding)
        size = (image.width, image.height)
        let result = try colorizer.colorize(image)
        let format = ImageFormat(pathExtension: Paths.pathExtension(job.output)) ?? .png
        let encoded = try ImageEncoder.encode(result, as: format, options: command.outputOptions.encoding)
        let folder = Paths.parent(job.output)
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        try ImageFile.write(encoded, to: job.output, overwrite: command.outputOptions.overwrite)
        return .written
    }

    static func reason(_ error: Error, job: Job) -> String {
        if case let .fileSystem(path, text)? = error as? ImageIOError {
            return path == job.input ? text : "\(path): \(text)"
        }
        return "\(error)"
    }

    private func finish(_ job: Job, _ outcome: Outcome, size: (Int, Int)?, seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        done += 1
        var error: String? = nil
        switch outcome {
        case .written:
            if let size { megapixels += Double(size.0 * size.1) / 1e6 }
            if command.verbose { bar.clear(); Diagnostics.note("chroma: \(job.input) → \(job.output) (\(String(format: "%.2f", seconds)) s)") }
        case .skipped:
            skipped += 1
            if command.verbose { bar.clear(); Diagnostics.note("chroma: \(job.output) exists; skipped") }
        case .failed(let reason):
            failed += 1
            error = reason
            bar.clear()
            Diagnostics.note("chroma: \(job.input): \(reason)")
        }
        if command.json {
            var fields = ["\"input\": \(Self.quoted(job.input))", "\"output\": \(Self.quoted(job.output))"]
            fields.append("\"width\": \(size.map { String($0.0) } ?? "null")")
            fields.append("\"height\": \(size.map { String($0.1) } ?? "null")")
            fields.append(String(format: "\"seconds\": %.3f", seconds))
            if case .skipped = outcome { fields.append("\"skipped\": true") }
            fields.append("\"error\": \(error.map(Self.quoted) ?? "null")")
            FileHandle.standardOutput.write(Data(("{" + fields.joined(separator: ", ") + "}\n").utf8))
        }
        let elapsed = Date().timeIntervalSince(start)
        bar.show("colorize", done: done, total: jobs.count,
                 detail: String(format: "%.1f MP/s", megapixels / max(elapsed, 1e-9)) + (failed > 0 ? "  \(failed) failed" : ""),
                 secondsLeft: elapsed / Double(done) * Double(jobs.count - done))
    }

    var summary: String {
        let written = done - failed - skipped
        var parts = ["\(written) colorized"]
        if skipped > 0 { parts.append("\(skipped) skipped (already there)") }
        if failed > 0 { parts.append("\(failed) failed") }
        if done < jobs.count { parts.append("\(jobs.count - done) not started (interrupted)") }
        return "chroma: " + parts.joined(separator: ", ") + " of \(jobs.count) photos"
            + String(format: " in %.1f s", Date().timeIntervalSince(start))
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

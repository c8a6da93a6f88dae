import Batching
import Colorizer
import Foundation
import ImageIO
import Threading

/// One run over many photos: workers take the next photo until none is left.
final class Batch: @unchecked Sendable {
    /// What `chroma colorize`'s options ask of a batch.
    struct Settings {
        /// Photos colorized at once; nil: one per core.
        var workers: Int?
        /// Leave photos whose output exists (`--skip-existing`).
        var skipExisting: Bool
        /// A line per photo on standard error.
        var verbose: Bool
        /// A JSON object per photo on standard output.
        var json: Bool
        /// Format, encoding, metadata and replacing.
        var output: OutputOptions
    }

    let jobs: [Job]
    let scan: InputScan
    let settings: Settings
    /// The colorizer the command made first (proving the model usable): the first worker's,
    /// so that a run over one photo loads and lays out the model once, not twice.
    private let firstColorizer: PhotoColorizer
    /// A colorizer for each further worker, using this many threads.
    let makeColorizer: (_ threads: Int) throws -> PhotoColorizer
    /// This shard's outcomes, for its manifest (with --shard).
    let recorder: ShardManifest.Recorder?
    let bar = ProgressBar()
    private let lock = NSLock()
    private var next = 0
    private(set) var done = 0, failed = 0, skipped = 0
    /// Set when the batch cannot go on (standard output for --json failed): the reason.
    private(set) var stoppedBy: String?
    private var megapixels = 0.0
    private let start = Date()
    private var claimed = Set<String>()

    init(jobs: [Job], scan: InputScan, recorder: ShardManifest.Recorder?, settings: Settings,
         first: PhotoColorizer, makeColorizer: @escaping (_ threads: Int) throws -> PhotoColorizer) {
        self.jobs = jobs
        firstColorizer = first
        self.scan = scan
        self.recorder = recorder
        self.settings = settings
        self.makeColorizer = makeColorizer
    }

    func run() {
        let workers = max(1, min(settings.workers ?? Threads.available, jobs.count))
        let threadsEach = max(1, Threads.available / workers)
        firstColorizer.threads = threadsEach
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            guard let colorizer = worker == 0 ? firstColorizer : try? makeColorizer(threadsEach) else { return }
            while let job = take() {
                let began = Date()
                var size: (Int, Int)? = nil
                var outcome: Outcome
                do {
                    outcome = try colorize(job, with: colorizer, size: &size)
                } catch {
                    outcome = .failed(ImageIOError.reason(error, about: job.input))
                }
                finish(job, outcome, size: size, seconds: Date().timeIntervalSince(began))
            }
        }
        bar.clear()
        if let stoppedBy { Diagnostics.note("chroma: <stdout>: \(stoppedBy); stopped") }
    }

    enum Outcome: Equatable {
        case written, skipped
        /// A multi-page TIFF: only its first image was colorized.
        case writtenFirstPage(of: Int)
        case failed(String)
    }

    private func take() -> Job? {
        lock.lock(); defer { lock.unlock() }
        guard next < jobs.count, !Interrupt.requested, stoppedBy == nil else { return nil }
        next += 1
        return jobs[next - 1]
    }

    private func colorize(_ job: Job, with colorizer: PhotoColorizer, size: inout (Int, Int)?) throws -> Outcome {
        let toStandardOutput = job.output == ImageFile.standardStream
        if !toStandardOutput && scan.isInput(job.output) {
            throw ImageIOError.fileSystem(path: job.output, reason: InputFiles.isAnInput)
        }
        lock.lock()
        let duplicate = !toStandardOutput && !claimed.insert(Paths.normalized(job.output)).inserted
        lock.unlock()
        if duplicate { throw ImageIOError.fileSystem(path: job.output, reason: "is also the output of another input; rename one of them") }
        if !toStandardOutput {
            if settings.skipExisting && ImageFile.exists(job.output) { return .skipped }
            if !settings.output.overwrite && ImageFile.exists(job.output) {
                throw ImageIOError.fileSystem(path: job.output, reason: "exists; use --overwrite to replace it or --skip-existing to keep it")
            }
        }
        if !toStandardOutput, case let folder = Paths.parent(job.output), !folder.isEmpty {
            try ImageFile.makeDirectories(folder)
        }
        let options = settings.output
        let colorized = try colorizer.colorize(file: job.input, to: job.output, format: options.format, decoding: options.decoding,
                                               encoding: options.encoding(like:), stripsMetadata: options.strip,
                                               overwrite: options.overwrite)
        size = (colorized.width, colorized.height)
        if colorized.pages > 1 { return .writtenFirstPage(of: colorized.pages) }
        return .written
    }

    private func finish(_ job: Job, _ outcome: Outcome, size: (Int, Int)?, seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        done += 1
        var error: String? = nil
        let input = FileNames.display(job.input), output = FileNames.display(job.output)
        switch outcome {
        case .written, .writtenFirstPage:
            if let size { megapixels += Double(size.0 * size.1) / 1e6 }
            if settings.verbose { bar.clear(); Diagnostics.note("chroma: \(input) → \(output) (\(String(format: "%.2f", seconds)) s)") }
            if case .writtenFirstPage(let pages) = outcome {
                bar.clear()
                Diagnostics.note("chroma: \(input): has \(pages) pages; only the first was colorized")
            }
        case .skipped:
            skipped += 1
            if settings.verbose { bar.clear(); Diagnostics.note("chroma: \(output) exists; skipped") }
        case .failed(let reason):
            failed += 1
            error = reason
            bar.clear()
            Diagnostics.note("chroma: \(input): \(reason)")
        }
        if let recorder {
            let outcome: ShardManifest.Entry.Outcome = switch outcome {
            case .written, .writtenFirstPage: .written
            case .skipped: .skipped
            case .failed: .failed
            }
            recorder.record(.init(input: job.input, outcome: outcome, output: outcome == .failed ? nil : job.output,
                                  bytes: outcome == .failed ? nil : ImageFile.size(of: job.output), error: error))
        }
        if settings.json && stoppedBy == nil {
            let line = JobLine(input: input, output: output, width: size?.0, height: size?.1, seconds: (seconds * 1000).rounded() / 1000,
                               skipped: outcome == .skipped ? true : nil, error: error)
            do {
                try StandardStreams.writeOutput(try JSONText.encode(line) + "\n")
            } catch let ImageIOError.fileSystem(_, reason) {
                stoppedBy = reason
            } catch {
                stoppedBy = "\(error)"
            }
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
        if done < jobs.count { parts.append("\(jobs.count - done) not started (\(stoppedBy == nil ? "interrupted" : "stopped"))") }
        return "chroma: " + parts.joined(separator: ", ") + " of \(jobs.count) photo\(jobs.count == 1 ? "" : "s")"
            + String(format: " in %.1f s", Date().timeIntervalSince(start))
    }

    /// `--json`'s line for one photo; width, height and error are null when unknown or none.
    struct JobLine: Encodable {
        let input: String
        let output: String
        let width: Int?
        let height: Int?
        let seconds: Double
        /// Present (true) only for a photo left because its output exists.
        let skipped: Bool?
        let error: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(input, forKey: .input)
            try container.encode(output, forKey: .output)
            try container.encode(width, forKey: .width)
            try container.encode(height, forKey: .height)
            try container.encode(seconds, forKey: .seconds)
            try container.encodeIfPresent(skipped, forKey: .skipped)
            try container.encode(error, forKey: .error)
        }

        enum CodingKeys: String, CodingKey { case input, output, width, height, seconds, skipped, error }
    }
}

import ArgumentParser
import Colorizer
import ColorSpace
import Datasets
import Foundation
import ImageIO
import NeuralNet

/// `chroma compare`: two (or more) colorizers side by side, in pictures and in numbers.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare colorizers (by default the bundled Lab and YCbCr models) on photos or on CIFAR-10.",
        discussion: """
            REPORT_DIR receives sheet.png (a row per photo: original, grayscale input, each model's \
            result and its ΔE2000 heat map against the original), metrics.md, metrics.csv and \
            metrics.json (PSNR, SSIM, mean ΔE2000 and colourfulness per photo and in total, with \
            the gray baseline), index.html (a page that needs no network) and photos/ (every \
            picture at full size). Photos without colour are colorized but not scored. A photo \
            that fails is listed as failed and the report goes on (exit code 1). \
            With --cifar the metrics are means over CIFAR-10's 10,000 test images and the sheet \
            shows a seeded sample. The report is built in a temporary folder and renamed into \
            place; an existing REPORT_DIR is replaced only with --overwrite.

            Examples:
              chroma compare samples/ -o report
              chroma compare --cifar cifar-10-batches-bin -o report-cifar
              chroma compare old.jpg --model runs/a/model.chroma \\
                --model runs/b/model.chroma -o report
              chroma compare old.jpg --space ycbcr --saturation 0.5 \\
                --saturation 1 --saturation 1.5 -o strengths
            """)

    @Argument(help: "Photos or folders of photos.")
    var inputs: [String] = []

    @Option(name: [.short, .customLong("output")], help: "The report folder.")
    var output: String

    @Option(name: .customLong("model"), help: "A model file to compare (repeat for each; default: the bundled lab and ycbcr models).")
    var models: [String] = []

    @Option(help: "Without --model: only the bundled model of this space (lab or ycbcr).")
    var space: ChromaSpace?

    @Option(name: .customLong("saturation"), help: ArgumentHelp(
        "Show each model at this saturation, 0…4 (repeat for several; default: each model's calibrated value).",
        discussion: "How strongly to colour a photo is what a model knows least: side by side, you choose."))
    var saturations: [Float] = []

    @Option(help: "Compare on CIFAR-10's test split in this folder instead of photos.")
    var cifar: String?

    @Flag(help: "Descend into subfolders of input folders.")
    var recursive = false

    @Option(help: "The models' grid: the photo's shorter side becomes N × 32 pixels there, 1…64.")
    var tiles: Int = PhotoColorizer.defaultTiles

    @Option(help: "--cifar: test images shown on the sheet, 1…10000.")
    var sample: Int = 64

    @Option(help: "--cifar: seed that picks the sheet's images.")
    var seed: UInt64 = 1

    @Option(help: "Width of one cell of the sheet in pixels (large photos are shown downscaled), 64…1024.")
    var cell: Int = 200

    @Flag(help: "Replace an existing report folder.")
    var overwrite = false

    @OptionGroup var limits: DecodingLimitOptions  // untitled: listed after the ordinary options

    func validate() throws {
        guard inputs.isEmpty != (cifar == nil) else { throw ValidationError("give photos or folders, or --cifar DIR (one of them)") }
        guard !inputs.contains(ImageFile.standardStream) else { throw ValidationError("compare reads files, not standard input") }
        guard (1...64).contains(tiles) else { throw ValidationError("--tiles must be 1…64, not \(tiles)") }
        guard (1...10_000).contains(sample) else { throw ValidationError("--sample must be 1…10000") }
        guard (64...1024).contains(cell) else { throw ValidationError("--cell must be 64…1024") }
        guard space == nil || models.isEmpty else { throw ValidationError("--space picks a bundled model; with --model it has nothing to pick") }
        guard saturations.allSatisfy({ (0...4).contains($0) }) else { throw ValidationError("--saturation must be 0…4") }
        guard Set(saturations).count == saturations.count else { throw ValidationError("each --saturation once") }
        let trimmed = output.hasSuffix("/") ? String(output.dropLast()) : output
        guard !trimmed.isEmpty, Paths.lastComponent(trimmed) != "." else { throw ValidationError("name a report folder with -o DIR") }
        if FileManager.default.fileExists(atPath: output) {
            guard ImageFile.isDirectory(output) else { throw ValidationError("the output \(output) exists and is not a folder") }
            guard overwrite else { throw ValidationError("the report folder \(output) exists; use --overwrite to replace it") }
            guard ImageFile.exists(Paths.join(output, "metrics.json")) && ImageFile.exists(Paths.join(output, "index.html")) else {
                throw ValidationError("the folder \(output) is not a chroma report (no metrics.json and index.html), so it is never replaced; choose another -o")
            }
        }
        let report = Paths.normalized(trimmed)
        for input in inputs + [cifar].compactMap({ $0 }) {
            let path = Paths.normalized(input)
            if path == report || path.hasPrefix(report + "/") {
                throw ValidationError("the report folder \(output) holds the input \(input); replacing it would lose the input, so choose another -o")
            }
        }
    }

    /// Removes the temporary folders (`.NAME.tmp-PID`, `.NAME.tmp-PID.old`) of
    /// earlier runs that were killed before they could tidy up: those whose process is gone.
    static func removeLeftovers(of target: String) {
        let parent = Paths.parent(target).isEmpty ? "." : Paths.parent(target)
        let prefix = "." + Paths.lastComponent(target) + ".tmp-"
        guard let entries = try? ImageFile.listDirectory(parent) else { return }
        for (name, kind) in entries where kind == .directory && name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count).prefix(while: \.isNumber)
            guard let pid = Int32(digits), pid != getpid(), kill(pid, 0) != 0 && errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: Paths.join(parent, name))
        }
    }

    /// The models to compare: those --model names, or the bundled ones (of --space), each at
    /// every --saturation given.
    func loadContenders() throws -> [Comparison.Contender] {
        let bundled = space.map { [$0] } ?? ChromaSpace.allCases
        let sources: [(file: String, bundled: ChromaSpace?)] = models.isEmpty
            ? bundled.map { (BundledModels.origin(of: $0), $0) } : models.map { ($0, nil) }
        let loaded = try sources.map { file, bundled in
            try reporting(file) { (file, try bundled.map { try BundledModels.load($0) } ?? ModelFile.load(from: file), bundled) }
        }
        do {
            let contenders = try Comparison.Contender.named(loaded)
            return saturations.isEmpty ? contenders : contenders.flatMap { model in saturations.map { model.at(saturation: $0) } }
        } catch let error as Comparison.ContenderError {
            throw CommandFailure(subject: error.file, reason: error.reason)
        }
    }

    func run() throws {
        let contenders = try loadContenders()
        let target = Paths.trimmed(output)
        let parent = Paths.parent(target).isEmpty ? "." : Paths.parent(target)
        let temporary = parent + "/." + Paths.lastComponent(target) + ".tmp-\(getpid())"
        Self.removeLeftovers(of: target)
        try? FileManager.default.removeItem(atPath: temporary)
        defer { try? FileManager.default.removeItem(atPath: temporary) }  // gone once renamed into place
        let report = try reporting(target) {
            try ImageFile.makeDirectories(temporary + "/photos")
            let (report, sheet) = try cifar.map { try compareCIFAR($0, contenders: contenders) }
                ?? comparePhotos(contenders: contenders, folder: temporary)
            try write(report, sheet: sheet, to: temporary)
            try replace(target, with: temporary)
            return report
        }
        let failures = report.entries.filter { $0.error != nil }.count
        Diagnostics.note("chroma: wrote \(target)/index.html" + (failures > 0 ? " (\(failures) photo\(failures == 1 ? "" : "s") failed)" : ""))
        if failures > 0 { throw ExitCode.failure }
    }

    /// Moves the finished report into place, replacing an old one only after the new one is complete.
    func replace(_ target: String, with temporary: String) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: target) {
            let old = temporary + ".old"
            try manager.moveItem(atPath: target, toPath: old)
            try manager.moveItem(atPath: temporary, toPath: target)
            try? manager.removeItem(atPath: old)
        } else {
            try manager.moveItem(atPath: temporary, toPath: target)
        }
    }

    func write(_ report: ComparisonReport, sheet: ContactSheet, to folder: String) throws {
        try ImageFile.write(try ImageEncoder.encodePNG(sheet.render()), to: Paths.join(folder, report.sheet))
        try ImageFile.write(Array(report.markdown().utf8), to: folder + "/metrics.md")
        try ImageFile.write(Array(report.csv().utf8), to: folder + "/metrics.csv")
        try ImageFile.write(Array(try report.json().utf8), to: folder + "/metrics.json")
        try ImageFile.write(Array(report.html().utf8), to: folder + "/index.html")
    }

    // MARK: Photos

    func comparePhotos(contenders: [Comparison.Contender], folder: String) throws -> (ComparisonReport, ContactSheet) {
        var files: [(path: String, name: String)] = []
        for input in inputs {
            if ImageFile.isDirectory(input) {
                files += try reporting(input) { try InputScan([input], recursive: recursive).images.map { ($0.path, $0.relative) } }
            } else {
                files.append((input, Paths.lastComponent(input)))
            }
        }
        guard !files.isEmpty else { throw CommandFailure(subject: inputs.joined(separator: " "), reason: "no PNG, JPEG, TIFF or WebP files found") }
        let bar = ProgressBar()
        defer { bar.clear() }
        return try Comparison.photos(files, contenders: contenders, tiles: tiles, cell: cell, decoding: limits.decoding, folder: folder,
                                     progress: { bar.show("compare", done: $0, total: $1, detail: $2, secondsLeft: .nan) },
                                     failed: { bar.clear(); Diagnostics.error($0, $1) })
    }

    // MARK: CIFAR-10

    func compareCIFAR(_ folder: String, contenders: [Comparison.Contender]) throws -> (ComparisonReport, ContactSheet) {
        let test = try reporting(folder) { try CIFAR10.loadBatch(Paths.join(folder, CIFAR10.testFile)) }
        var bar = ProgressBar(), report: (Int, Int) -> Void = { _, _ in }
        defer { bar.clear() }
        return try Comparison.imageSet(test, contenders: contenders, sample: sample, seed: seed, starting: { index in
            bar.clear()
            let counter = "[\(index + 1)/\(contenders.count)]", name = contenders[index].name
            Diagnostics.note("chroma: \(counter) scoring \(name) on \(test.count) test images")
            bar = ProgressBar()
            report = bar.reporter("\(counter) \(name)")
        }, progress: { report($0, $1) })
    }
}

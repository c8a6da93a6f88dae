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
            """)

    @Argument(help: "Photos or folders of photos.")
    var inputs: [String] = []

    @Option(name: [.short, .customLong("output")], help: "The report folder.")
    var output: String

    @Option(name: .customLong("model"), help: "A model file to compare (repeat for each; default: the bundled lab and ycbcr models).")
    var models: [String] = []

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

    /// A model to compare, loaded once.
    struct Contender {
        let name: String
        let file: String
        let model: ModelFile
        let task: ColorizationTask
        var space: ChromaSpace { task.space }
    }

    func loadContenders() throws -> [Contender] {
        // Row and picture names the report uses itself; a model must not take one.
        var names = Set(["original", "gray"]).union(ChromaSpace.allCases.map { ComparisonReport.baselineName(space: $0.rawValue) })
        var contenders: [Contender] = []
        let sources: [(file: String, bundled: ChromaSpace?)] = models.isEmpty ? ChromaSpace.allCases.map { (BundledModels.origin(of: $0), $0) }
                                                                             : models.map { ($0, nil) }
        for (file, bundled) in sources {
            do {
                let model = try bundled.map { try BundledModels.load($0) } ?? ModelFile.load(from: file)
                let task = try ColorizationTask(metadata: model.metadata)
                var name = bundled != nil ? task.space.rawValue : Paths.deletingExtension(Paths.lastComponent(file))
                if name == "model" { name = Paths.lastComponent(Paths.parent(file)) }  // runs/a/model.chroma: "a"
                let base = name
                var n = 2
                while names.contains(name) { name = "\(base)-\(n)"; n += 1 }
                names.insert(name)
                contenders.append(Contender(name: name, file: file, model: model, task: task))
            } catch {
                throw ReportError(subject: file, reason: "\(error)")
            }
        }
        return contenders
    }

    struct ReportError: Error {
        let subject: String
        let reason: String
    }

    func run() throws {
        let contenders: [Contender]
        do { contenders = try loadContenders() } catch let error as ReportError {
            Diagnostics.error(error.subject, error.reason)
            throw ExitCode.failure
        }
        let target = output.hasSuffix("/") ? String(output.dropLast()) : output
        let parent = Paths.parent(target).isEmpty ? "." : Paths.parent(target)
        let temporary = parent + "/." + Paths.lastComponent(target) + ".tmp-\(getpid())"
        var failures = 0
        Self.removeLeftovers(of: target)
        do {
            try? FileManager.default.removeItem(atPath: temporary)
            try ImageFile.makeDirectories(temporary + "/photos")
            let report: ComparisonReport
            let sheet: ContactSheet
            if let cifar {
                (report, sheet) = try compareCIFAR(cifar, contenders: contenders)
            } else {
                (report, sheet) = try comparePhotos(contenders: contenders, folder: temporary)
                failures = report.entries.filter { $0.error != nil }.count
            }
            try write(report, sheet: sheet, to: temporary)
            try replace(target, with: temporary)
        } catch let error as ReportError {
            try? FileManager.default.removeItem(atPath: temporary)
            Diagnostics.error(error.subject, error.reason)
            throw ExitCode.failure
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            Diagnostics.error(target, error)
            throw ExitCode.failure
        }
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

    /// Distinct colour spaces of the contenders, in their order: one gray baseline each.
    static func spaces(_ contenders: [Contender]) -> [ChromaSpace] {
        contenders.map(\.space).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    // MARK: Photos

    func comparePhotos(contenders: [Contender], folder: String) throws -> (ComparisonReport, ContactSheet) {
        var files: [(path: String, name: String)] = []
        for input in inputs {
            if ImageFile.isDirectory(input) {
                do {
                    files += try InputScan([input], recursive: recursive).images.map { ($0.path, $0.relative) }
                } catch { throw ReportError(subject: input, reason: "\(error)") }
            } else {
                files.append((input, Paths.lastComponent(input)))
            }
        }
        guard !files.isEmpty else { throw ReportError(subject: inputs.joined(separator: " "), reason: "no PNG, JPEG, TIFF or WebP files found") }
        let spaces = Self.spaces(contenders)
        let grayTitle = "gray"
        let columns = ["original", grayTitle] + contenders.map(\.name) + contenders.map { "ΔE " + $0.name }
        var sheet = ContactSheet(columnTitles: columns, cellWidth: cell, cellHeight: cell * 3 / 4)
        let colorizers = try contenders.map { try PhotoColorizer(model: $0.model, tiles: tiles) }
        var entries: [ComparisonReport.Entry] = []
        let progress = ProgressBar()
        let decoding = limits.decoding
        for (index, file) in files.enumerated() {
            progress.show("compare", done: index, total: files.count, detail: file.name, secondsLeft: .nan)
            let stem = String(format: "%03d-", index + 1) + Paths.deletingExtension(Paths.lastComponent(file.name))
                .map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.reduce("") { $0 + String($1) }
            do {
                let bytes = try ImageFile.readBytes(file.path, maxBytes: decoding.maxFileBytes)
                let format = try ImageDecoder.format(of: bytes)
                let original = try ImageDecoder.decode(bytes, options: decoding)
                let (entry, cells) = try comparePhoto(original, format: format, name: file.name, path: file.path, stem: stem,
                                                      contenders: contenders, colorizers: colorizers, spaces: spaces, folder: folder)
                entries.append(entry)
                sheet.addRow(name: file.name, cells: cells)
            } catch {
                progress.clear()
                let reason = Batch.reason(error, job: Job(input: file.path, output: ""))
                Diagnostics.error(file.path, reason)
                entries.append(.init(name: file.name, file: file.path, hasColour: false, error: reason))
            }
        }
        progress.clear()
        let report = ComparisonReport(
            title: "Colorizers compared on \(files.count) photo\(files.count == 1 ? "" : "s")",
            models: contenders.map { .init(name: $0.name, file: $0.file, space: $0.space.rawValue) },
            baselines: spaces.map { ComparisonReport.baselineName(space: $0.rawValue) }, entries: entries,
            pictureColumns: columns)
        return (report, sheet)
    }

    /// Colorizes one photo with every contender, scores the results, writes its pictures.
    func comparePhoto(_ original: Image<UInt8>, format: ImageFormat, name: String, path: String, stem: String,
                      contenders: [Contender], colorizers: [PhotoColorizer], spaces: [ChromaSpace],
                      folder: String) throws -> (ComparisonReport.Entry, [Image<UInt8>?]) {
        let hasColour = original.hasColour()
        let picturesFolder = "photos/" + stem
        try FileManager.default.createDirectory(atPath: Paths.join(folder, picturesFolder), withIntermediateDirectories: true)
        let ext = format == .jpeg ? "jpg" : "png"
        func save(_ image: Image<UInt8>, _ title: String, png: Bool = false) throws -> String {
            let file = picturesFolder + "/" + title.replacingOccurrences(of: " ", with: "-") + "." + (png ? "png" : ext)
            let bytes = png || format == .png ? try ImageEncoder.encodePNG(image) : try ImageEncoder.encodeJPEG(image, quality: 92)
            try ImageFile.write(bytes, to: Paths.join(folder, file))
            return file
        }
        let truth = original.rgb()
        var entry = ComparisonReport.Entry(name: name, file: path, width: original.width, height: original.height, hasColour: hasColour)
        var deltaE: [Float] = []
        let grays = spaces.map { $0.grayImage(of: original) }
        if hasColour {
            entry.pictures["original"] = try save(truth, "original")
            for (space, gray) in zip(spaces, grays) {
                entry.scores[ComparisonReport.baselineName(space: space.rawValue)] = ImageScores(result: gray, original: truth, deltaE: &deltaE)
            }
        }
        entry.pictures["gray"] = try save(grays[0], "gray")
        var results: [Image<UInt8>] = [], heatMaps: [Image<UInt8>?] = []
        for (contender, colorizer) in zip(contenders, colorizers) {
            let result = try colorizer.colorize(original).rgb()
            results.append(result)
            entry.pictures[contender.name] = try save(result, contender.name)
            if hasColour {
                entry.scores[contender.name] = ImageScores(result: result, original: truth, deltaE: &deltaE)
                let map = HeatMap.image(deltaE, width: truth.width, height: truth.height)
                entry.pictures["ΔE " + contender.name] = try save(map, "delta-e-" + contender.name, png: true)
                heatMaps.append(map)
            } else {
                heatMaps.append(nil)
            }
        }
        return (entry, [hasColour ? truth : nil, grays[0]] + (results as [Image<UInt8>?]) + heatMaps)
    }

    // MARK: CIFAR-10

    func compareCIFAR(_ folder: String, contenders: [Contender]) throws -> (ComparisonReport, ContactSheet) {
        let test: ImageSet
        do { test = try CIFAR10.loadBatch(Paths.join(folder, CIFAR10.testFile)) } catch { throw ReportError(subject: folder, reason: "\(error)") }
        let spaces = Self.spaces(contenders)
        var entry = ComparisonReport.Entry(name: "CIFAR-10 test split", images: test.count, hasColour: true)
        for (index, contender) in contenders.enumerated() {
            Diagnostics.note("chroma: [\(index + 1)/\(contenders.count)] scoring \(contender.name) on \(test.count) test images")
            let bar = ProgressBar()
            let report = try Evaluator.evaluate(contender.model.network, task: contender.task, set: test,
                                                saturation: contender.model.calibratedSaturation,
                                                progress: bar.reporter("[\(index + 1)/\(contenders.count)] \(contender.name)"))
            bar.clear()
            func scores(_ s: EvaluationReport.Scores) -> ImageScores {
                ImageScores(psnr: s.psnr, ssim: s.ssim, deltaE2000: s.deltaE2000, colourfulness: s.colourfulness)
            }
            entry.scores[contender.name] = scores(report.result)
            let baseline = ComparisonReport.baselineName(space: contender.space.rawValue)
            if entry.scores[baseline] == nil { entry.scores[baseline] = scores(report.baseline) }
        }
        var random = SplitMix(seed: seed)
        var order = Array(0..<test.count)
        order.shuffle(using: &random)
        let picked = order.prefix(min(sample, test.count))
        let columns = ["original", "gray"] + contenders.map(\.name) + contenders.map { "ΔE " + $0.name }
        var sheet = ContactSheet(columnTitles: columns, cellWidth: 96, cellHeight: 96)
        let colorizers = try contenders.map { try PhotoColorizer(model: $0.model, tiles: 1) }
        for index in picked {
            let original = test.image(index)
            let gray = spaces[0].grayImage(of: original)
            var results: [Image<UInt8>] = [], maps: [Image<UInt8>?] = []
            for colorizer in colorizers {
                let result = try colorizer.colorize(original)
                results.append(result)
                let deltaE = DeltaE2000.map(ChromaSpace.lab.planes(from: result), ChromaSpace.lab.planes(from: original))
                maps.append(HeatMap.image(deltaE, width: original.width, height: original.height))
            }
            let label = test.labels.isEmpty ? "" : " " + CIFAR10.classNames[Int(test.labels[index])]
            sheet.addRow(name: "#\(index)" + label, cells: [original, gray] + (results as [Image<UInt8>?]) + maps)
        }
        let report = ComparisonReport(
            title: "Colorizers compared on CIFAR-10's \(test.count) test images",
            models: contenders.map { .init(name: $0.name, file: $0.file, space: $0.space.rawValue) },
            baselines: spaces.map { ComparisonReport.baselineName(space: $0.rawValue) }, entries: [entry], total: entry)
        return (report, sheet)
    }
}

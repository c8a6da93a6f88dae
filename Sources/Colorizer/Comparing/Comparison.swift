import ColorSpace
import Datasets
import Foundation
import ImageIO
import NeuralNet

/// Colorizers side by side (`chroma compare`): every photo colorized by each,
/// scored against its original beside the gray baseline, and drawn on a contact
/// sheet with a ΔE2000 heat map per result.
public enum Comparison {
    /// A model to compare, loaded once.
    public struct Contender {
        /// Its row and column name: "lab", "ycbcr", or taken from the file's name.
        public let name: String
        /// Where it was loaded from.
        public let file: String
        public let model: ModelFile
        public let task: ColorizationTask
        /// The model's calibrated saturation, or 1.
        public let saturation: Float
        public var space: ChromaSpace { task.space }

        /// Contenders from loaded models, each named after its file (`runs/a/model.chroma`: "a";
        /// a bundled model: its space), a name taken twice getting `-2`, `-3`, ….
        /// - Throws: a `ContenderError` naming the file that is not a colorizer.
        public static func named(_ models: [(file: String, model: ModelFile, bundled: ChromaSpace?)]) throws -> [Contender] {
            // Row and picture names the report uses itself; a model must not take one.
            var names = Set(["original", "gray"]).union(ChromaSpace.allCases.map { ComparisonReport.baselineName(space: $0.rawValue) })
            return try models.map { file, model, bundled in
                let metadata: ModelMetadata, task: ColorizationTask
                do {
                    metadata = try ModelMetadata(of: model)
                    task = try metadata.colorization()
                } catch {
                    throw ContenderError(file: file, reason: error)
                }
                let stem = Paths.deletingExtension(Paths.lastComponent(file))
                let base = bundled?.rawValue ?? (stem == "model" ? Paths.lastComponent(Paths.parent(file)) : stem)
                var name = base, n = 2
                while names.contains(name) { name = "\(base)-\(n)"; n += 1 }
                names.insert(name)
                return Contender(name: name, file: file, model: model, task: task, saturation: metadata.defaultSaturation)
            }
        }

        /// The same model shown at another saturation (the factor on its predicted chroma's
        /// distance from neutral, 0…4), named after both: "ycbcr ×0.5".
        public func at(saturation: Float) -> Contender {
            Contender(name: "\(name) ×\(String(format: "%g", saturation))", file: file, model: model, task: task,
                      saturation: saturation)
        }
    }

    /// A model that cannot be compared: its file, and why.
    public struct ContenderError: Error, CustomStringConvertible {
        public let file: String
        public let reason: any Error
        public var description: String { "\(reason)" }
    }

    /// Distinct colour spaces of the contenders, in their order: one gray baseline each.
    static func spaces(_ contenders: [Contender]) -> [ChromaSpace] {
        contenders.map(\.space).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    static func columns(_ contenders: [Contender]) -> [String] {
        ["original", "gray"] + contenders.map(\.name) + contenders.map { "ΔE " + $0.name }
    }

    // MARK: Photos

    /// Compares the contenders on photos, writing every picture at full size under `folder`/photos.
    /// - Parameters:
    ///   - files: each photo's path, and the name the report shows.
    ///   - contenders: the models, in the report's order.
    ///   - decoding: the bounds on reading each photo.
    ///   - folder: the report folder the pictures go in.
    ///   - tiles: the colorizers' grid (as for `PhotoColorizer`), 1…64.
    ///   - cell: the contact sheet's cell width in pixels.
    ///   - progress: told before each photo: its index, the count, its name.
    ///   - failed: told of a photo that could not be compared, and why (the report lists it and goes on).
    public static func photos(_ files: [(path: String, name: String)], contenders: [Contender], tiles: Int, cell: Int,
                              decoding: DecodingOptions, folder: String,
                              progress: (_ index: Int, _ total: Int, _ name: String) -> Void = { _, _, _ in },
                              failed: (_ path: String, _ reason: String) -> Void = { _, _ in }) throws -> (ComparisonReport, ContactSheet) {
        let spaces = spaces(contenders), columns = columns(contenders)
        var sheet = ContactSheet(columnTitles: columns, cellWidth: cell, cellHeight: cell * 3 / 4)
        let colorizers = try contenders.map { try PhotoColorizer(model: $0.model, tiles: tiles, saturation: $0.saturation) }
        var entries: [ComparisonReport.Entry] = []
        for (index, file) in files.enumerated() {
            progress(index, files.count, file.name)
            let stem = String(format: "%03d-", index + 1) + Paths.deletingExtension(Paths.lastComponent(file.name))
                .map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.reduce("") { $0 + String($1) }
            do {
                let bytes = try ImageFile.readBytes(file.path, maxBytes: decoding.maxFileBytes)
                let format = try ImageDecoder.format(of: bytes)
                let original = try ImageDecoder.decode(bytes, options: decoding)
                let (entry, cells) = try photo(original, format: format, name: file.name, path: file.path, stem: stem,
                                               contenders: contenders, colorizers: colorizers, spaces: spaces, folder: folder)
                entries.append(entry)
                sheet.addRow(name: file.name, cells: cells)
            } catch {
                let reason = ImageIOError.reason(error, about: file.path)
                failed(file.path, reason)
                entries.append(.init(name: file.name, file: file.path, hasColour: false, error: reason))
            }
        }
        let report = ComparisonReport(
            title: "Colorizers compared on \(files.count) photo\(files.count == 1 ? "" : "s")",
            models: contenders.map { .init(name: $0.name, file: $0.file, space: $0.space.rawValue) },
            baselines: spaces.map { ComparisonReport.baselineName(space: $0.rawValue) }, entries: entries,
            pictureColumns: columns)
        return (report, sheet)
    }

    /// Colorizes one photo with every contender, scores the results, writes its pictures.
    static func photo(_ original: Image<UInt8>, format: ImageFormat, name: String, path: String, stem: String,
                      contenders: [Contender], colorizers: [PhotoColorizer], spaces: [ChromaSpace],
                      folder: String) throws -> (ComparisonReport.Entry, [Image<UInt8>?]) {
        let hasColour = original.hasColour()
        let picturesFolder = "photos/" + stem
        try ImageFile.makeDirectories(Paths.join(folder, picturesFolder))
        let ext = format == .jpeg ? "jpg" : "png"
        func save(_ image: Image<UInt8>, _ title: String, png: Bool = false) throws -> String {
            let plain = title.replacingOccurrences(of: " ", with: "-").replacingOccurrences(of: "×", with: "x")  // "ycbcr-x0.5"
            let file = picturesFolder + "/" + plain + "." + (png ? "png" : ext)
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

    /// Compares the contenders on a whole image set (CIFAR-10's test split): mean scores over
    /// every image, and a sheet of `sample` images picked with `seed`.
    /// - Parameters:
    ///   - test: the images, in colour.
    ///   - contenders: the models, in the report's order.
    ///   - sample: how many images the sheet shows.
    ///   - seed: picks them.
    ///   - starting: told before each contender is scored: its index.
    ///   - progress: told of each step of the current contender's scoring (`Evaluator.Progress`).
    public static func imageSet(_ test: ImageSet, contenders: [Contender], sample: Int, seed: UInt64,
                                starting: (_ contender: Int) -> Void = { _ in },
                                progress: Evaluator.Progress = { _, _ in }) throws -> (ComparisonReport, ContactSheet) {
        let spaces = spaces(contenders)
        var entry = ComparisonReport.Entry(name: "CIFAR-10 test split", images: test.count, hasColour: true)
        for (index, contender) in contenders.enumerated() {
            starting(index)
            let report = try Evaluator.evaluate(contender.model.network, task: contender.task, set: test,
                                                saturation: contender.saturation, progress: progress)
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
        var sheet = ContactSheet(columnTitles: columns(contenders), cellWidth: 96, cellHeight: 96)
        let colorizers = try contenders.map { try PhotoColorizer(model: $0.model, tiles: 1, saturation: $0.saturation) }
        for index in order.prefix(min(sample, test.count)) {
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

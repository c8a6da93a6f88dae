import Testing
import Foundation
import ColorSpace
import ImageIO
import NeuralNet
import Colorizer

@Suite("chroma compare", .serialized)
struct CompareCommandTests {
    /// Two small untrained models, one per colour space, in the scratch folder.
    static func models(_ scratch: Scratch) throws -> [String] {
        try ChromaSpace.allCases.enumerated().map { index, space in
            let network = Network(architecture: try Architecture("c4 p c4 u:bilinear c2 sigmoid"), inputChannels: 1, seed: UInt64(7 + index))
            let path = scratch.path + "/\(space.rawValue)-model.chroma"
            try ModelFile(network: network, metadata: ModelMetadata(colorization: ColorizationTask(space: space))).save(to: path)
            return path
        }
    }

    static func metrics(_ folder: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/metrics.json"))) as? [String: Any] ?? [:]
    }

    @Test("a report over photos: every file, numbers equal to direct metric computations, a broken photo listed as failed")
    func photos() throws {
        let scratch = try Scratch("compare-photos")
        defer { scratch.remove() }
        try ColorizeCommandTests.photos(scratch)
        let gray = testPicture(width: 30, height: 20)
        try scratch.write(ImageEncoder.encodePNG(Image(width: 30, height: 20, layout: .gray,
                                                       samples: stride(from: 0, to: gray.samples.count, by: 3).map { gray.samples[$0] })), "photos/d-gray.png")
        try scratch.write(Array("not an image".utf8), "photos/e-broken.png")
        let models = try Self.models(scratch)
        let report = scratch.path + "/report"
        let result = try CLIRunner.run(["compare", scratch.path + "/photos", "--recursive", "--model", models[0], "--model", models[1], "-o", report])
        #expect(result.status == 1, "a failed photo makes the exit code 1: \(result.stderr)")
        #expect(result.stderr.contains("e-broken.png") && result.stderr.contains("wrote"), "\(result.stderr)")
        #expect(scratch.files("report") == ["index.html", "metrics.csv", "metrics.json", "metrics.md", "photos", "sheet.png"])
        #expect(!scratch.files().contains { $0.contains(".tmp") }, "no temporary folder left")

        let json = try Self.metrics(report)
        let entries = json["entries"] as? [[String: Any]] ?? []
        #expect(entries.map { $0["name"] as? String } == ["a.png", "b.jpg", "d-gray.png", "e-broken.png", "sub/c.png"])
        #expect((entries[3]["error"] as? String)?.isEmpty == false && entries[2]["hasColour"] as? Bool == false)
        #expect((entries[2]["scores"] as? [String: Any])?.isEmpty == true, "a gray original is not scored")

        // Every score of a.png recomputed from the pictures the report saved.
        let pictures = entries[0]["pictures"] as? [String: String] ?? [:]
        let original = try ImageFile.read(scratch.path + "/photos/a.png")
        var deltaE: [Float] = []
        for row in ["lab-model", "ycbcr-model"] {
            let saved = try ImageFile.read(report + "/" + (pictures[row] ?? "?"))
            let direct = ImageScores(result: saved, original: original, deltaE: &deltaE)
            let scores = (entries[0]["scores"] as? [String: [String: Double]])?[row] ?? [:]
            #expect(abs((scores["psnr"] ?? 0) - direct.psnr) < 1e-9 && abs((scores["ssim"] ?? 0) - direct.ssim) < 1e-9, "\(row)")
            #expect(abs((scores["deltaE2000"] ?? 0) - direct.deltaE2000) < 1e-9 && abs((scores["colourfulness"] ?? 0) - direct.colourfulness) < 1e-9)
        }
        let gray0 = ChromaSpace.lab.grayImage(of: original)
        let grayScores = (entries[0]["scores"] as? [String: [String: Double]])?["gray (L*)"] ?? [:]
        #expect(abs((grayScores["psnr"] ?? 0) - ImageScores(result: gray0, original: original, deltaE: &deltaE).psnr) < 1e-9)

        // The total is the mean over the three scored photos.
        let total = (json["total"] as? [String: Any])?["scores"] as? [String: [String: Double]] ?? [:]
        let psnrs = [0, 1, 4].compactMap { (entries[$0]["scores"] as? [String: [String: Double]])?["lab-model"]?["psnr"] }
        #expect(psnrs.count == 3 && abs((total["lab-model"]?["psnr"] ?? 0) - psnrs.reduce(0, +) / 3) < 1e-9)

        let markdown = try String(contentsOfFile: report + "/metrics.md", encoding: .utf8)
        #expect(markdown.contains("## e-broken.png") && markdown.contains("Failed:") && markdown.contains("| gray (Y) |"))
        let csv = try String(contentsOfFile: report + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "photo,row,images,psnr,ssim,delta_e2000,colourfulness,error")
        #expect(csv.contains { $0.hasPrefix("total,lab-model,3,") })
        let html = try String(contentsOfFile: report + "/index.html", encoding: .utf8)
        #expect(html.contains("src=\"sheet.png\"") && html.contains("class=\"best\"") && !html.contains("http"))
        for path in pictures.values { #expect(html.contains("src=\"\(path)\""), "\(path)") }
        let sheet = try ImageFile.read(report + "/sheet.png")
        #expect(sheet.width == 2 * 8 + 6 * 200 + 5 * 6, "six columns: original, gray, two results, two heat maps")
    }

    @Test("an existing report is refused, replaced with --overwrite, and never half-written")
    func overwrite() throws {
        let scratch = try Scratch("compare-overwrite")
        defer { scratch.remove() }
        try ColorizeCommandTests.photos(scratch)
        let models = try Self.models(scratch)
        let report = scratch.path + "/report"
        let arguments = ["compare", scratch.path + "/photos/a.png", "--model", models[0], "-o", report]
        #expect(try CLIRunner.run(arguments).status == 0)
        let again = try CLIRunner.run(arguments)
        #expect(again.status == 64 && again.stderr.contains("--overwrite"), "\(again.stderr)")
        let replaced = try CLIRunner.run(arguments.dropLast(2) + [scratch.path + "/photos/b.jpg", "-o", report, "--overwrite"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try Self.metrics(report)["entries"].map { ($0 as? [[String: Any]])?.map { $0["name"] as? String } } == ["a.png", "b.jpg"])
        let missingModel = try CLIRunner.run(["compare", scratch.path + "/photos", "--model", scratch.path + "/none.chroma", "-o", scratch.path + "/r2"])
        #expect(missingModel.status == 1 && !FileManager.default.fileExists(atPath: scratch.path + "/r2"))
        #expect(scratch.files().filter { $0.hasPrefix(".") }.isEmpty, "no temporary folder left")
    }

    @Test("--saturation shows each model at each strength, each picture what colorize --saturation makes")
    func strengths() throws {
        let scratch = try Scratch("compare-strengths")
        defer { scratch.remove() }
        try ColorizeCommandTests.photos(scratch)
        let model = try Self.models(scratch)[1]  // YCbCr: at strength 0 the result is its Y, gray
        let report = scratch.path + "/report"
        let result = try CLIRunner.run(["compare", scratch.path + "/photos/a.png", "--model", model,
                                        "--saturation", "0", "--saturation", "1", "--saturation", "2.5", "-o", report])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Self.metrics(report)
        let names = (json["models"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["ycbcr-model ×0", "ycbcr-model ×1", "ycbcr-model ×2.5"])
        let entry = (json["entries"] as? [[String: Any]])?.first ?? [:]
        let pictures = entry["pictures"] as? [String: String] ?? [:]
        #expect(pictures["ycbcr-model ×2.5"]?.hasSuffix("/ycbcr-model-x2.5.png") == true, "\(pictures)")
        let colourfulness = (names ?? []).map { ((entry["scores"] as? [String: [String: Double]])?[$0]?["colourfulness"]) ?? -1 }
        #expect(colourfulness.count == 3 && colourfulness[0] == 0 && colourfulness[1] > 0 && colourfulness[2] > colourfulness[1],
                "\(colourfulness)")
        for (strength, name) in zip(["0", "2.5"], ["ycbcr-model ×0", "ycbcr-model ×2.5"]) {
            let colorized = scratch.path + "/colorized-\(strength).png"
            let colorize = try CLIRunner.run(["colorize", scratch.path + "/photos/a.png", "--model", model,
                                              "--saturation", strength, "-o", colorized])
            #expect(colorize.status == 0, "\(colorize.stderr)")
            let shown = try ImageFile.read(report + "/" + (pictures[name] ?? "?"))
            #expect(try ImageFile.read(colorized).samples == shown.samples, "\(name) is what colorize --saturation \(strength) makes")
        }

        let bundled = try CLIRunner.run(["compare", scratch.path + "/photos/a.png", "--space", "ycbcr", "--saturation", "0.5", "-o", scratch.path + "/r2"])
        #expect(bundled.status == 0, "\(bundled.stderr)")
        let bundledNames = (try Self.metrics(scratch.path + "/r2")["models"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(bundledNames == ["ycbcr ×0.5"], "--space picks one bundled model")
        for (arguments, message) in [(["--saturation", "1", "--saturation", "1"], "each --saturation once"),
                                     (["--saturation", "4.5"], "--saturation must be 0…4"),
                                     (["--model", model, "--space", "lab"], "--space picks a bundled model")] {
            let refused = try CLIRunner.run(["compare", scratch.path + "/photos/a.png"] + arguments + ["-o", scratch.path + "/r3"])
            #expect(refused.status == 64 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
    }

    @Test("a model file named like one of the report's own rows gets a name of its own")
    func reservedNames() throws {
        let scratch = try Scratch("compare-names")
        defer { scratch.remove() }
        try ColorizeCommandTests.photos(scratch)
        let models = try Self.models(scratch)
        try FileManager.default.copyItem(atPath: models[0], toPath: scratch.path + "/gray.chroma")
        let result = try CLIRunner.run(["compare", scratch.path + "/photos/a.png", "--model", scratch.path + "/gray.chroma",
                                        "--model", models[0], "-o", scratch.path + "/report"])
        #expect(result.status == 0, "\(result.stderr)")
        let names = (try Self.metrics(scratch.path + "/report")["models"] as? [[String: Any]])?.map { $0["name"] as? String }
        #expect(names == ["gray-2", "lab-model"])
    }

    @Test("--cifar: means over the whole test split equal evaluate's, and a sheet of the seeded sample")
    func cifar() throws {
        let scratch = try Scratch("compare-cifar")
        defer { scratch.remove() }
        let cifar = try TrainCommandTests.cifarFolder(scratch, records: 100)
        let models = try Self.models(scratch)
        let report = scratch.path + "/report"
        let result = try CLIRunner.run(["compare", "--cifar", cifar, "--model", models[0], "--model", models[1], "--sample", "5", "-o", report])
        #expect(result.status == 0, "\(result.stderr)")
        let total = try Self.metrics(report)["total"] as? [String: Any] ?? [:]
        #expect(total["images"] as? Int == 100)
        let evaluation = try CLIRunner.run(["evaluate", "--model", models[1], "--cifar", cifar, "--json"])
        let evaluated = try JSONSerialization.jsonObject(with: Data(evaluation.stdout)) as? [String: Any] ?? [:]
        let scores = (total["scores"] as? [String: [String: Double]]) ?? [:]
        #expect(abs((scores["ycbcr-model"]?["psnr"] ?? 0) - (evaluated["psnr"] as? Double ?? -1)) < 1e-3)
        #expect(abs((scores["gray (Y)"]?["deltaE2000"] ?? 0) - ((evaluated["baseline"] as? [String: Double])?["deltaE2000"] ?? -1)) < 1e-3)
        let sheet = try ImageFile.read(report + "/sheet.png")
        #expect(sheet.height == 8 + 18 + 5 * (13 + 96 + 6) + 30 + 8, "five sample rows")
    }
}

import Colorizer
import ColorSpace
import Foundation
import ImageIO
import NeuralNet
import Threading

/// The grid size on real photos, and end-to-end colorizing speed against the codec floor.
enum ColorizeBenchmark {
    static let shared = "../shared"

    /// Colour photos to score: reduced to gray, colorized, compared with the original.
    static func colourPhotos() -> [(name: String, image: Image<UInt8>)] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: shared + "/photos")) ?? []).sorted().map { shared + "/photos/" + $0 }
            + [shared + "/testdata/jpeg/tower.jpg", shared + "/testdata/jpeg/testorig.jpg"]
        return files.compactMap { path in
            guard let image = try? ImageFile.read(path), image.layout.hasColor else { return nil }
            return ((path as NSString).lastPathComponent, image.droppingAlpha())
        }
    }

    /// `$CHROMA_BENCH_LAB` / `$CHROMA_BENCH_YCBCR`, else the bundled model.
    static func model(_ space: ChromaSpace) -> ModelFile? {
        if let path = ProcessInfo.processInfo.environment["CHROMA_BENCH_\(space.rawValue.uppercased())"] {
            return try? ModelFile.load(from: path)
        }
        return try? BundledModels.load(space)
    }

    /// `chroma-bench tiles`: mean PSNR and ΔE2000 against the originals for each grid size alone,
    /// and for `colorize`'s default (the grid of 1 averaged with one twice as fine).
    static func tiles() {
        let photos = colourPhotos()
        print("grid size on real photos: \(photos.count) colour photos (\(photos.map(\.name).joined(separator: ", "))), reduced to gray and colorized")
        print("space  tiles  PSNR dB (gray)   ΔE2000 (gray)   photos better than gray (PSNR, ΔE)")
        for space in ChromaSpace.allCases {
            guard let colorizer = model(space).flatMap({ try? PhotoColorizer(model: $0) }) else { print("\(space.rawValue): no model"); continue }
            // Each grid alone, then the default: the grid of 1 averaged with one twice as fine ("1+2").
            for (tiles, finer) in [1, 2, 3, 4, 6, 8].map({ ($0, false) }) + [(1, true)] {
                colorizer.tiles = tiles
                colorizer.usesFinerGrid = finer
                var psnr = 0.0, grayPSNR = 0.0, deltaE = 0.0, grayDeltaE = 0.0, betterPSNR = 0, betterDeltaE = 0
                for photo in photos {
                    let gray = space.image(from: space.neutral(luminance: space.luminancePlane(of: photo.image)))
                    let result = try! colorizer.colorize(photo.image)
                    let scores = (score(result, photo.image), score(gray, photo.image))
                    psnr += scores.0.psnr; grayPSNR += scores.1.psnr; deltaE += scores.0.deltaE; grayDeltaE += scores.1.deltaE
                    if scores.0.psnr > scores.1.psnr { betterPSNR += 1 }
                    if scores.0.deltaE < scores.1.deltaE { betterDeltaE += 1 }
                }
                let n = Double(photos.count)
                print("\(space.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \((finer ? "\(tiles)+\(2 * tiles)" : "\(tiles)").padding(toLength: 6, withPad: " ", startingAt: 0)) \(format(psnr / n, 2)) (\(format(grayPSNR / n, 2)))    \(format(deltaE / n, 2)) (\(format(grayDeltaE / n, 2)))    \(betterPSNR)/\(photos.count), \(betterDeltaE)/\(photos.count)")
            }
        }
    }

    static func score(_ result: Image<UInt8>, _ original: Image<UInt8>) -> (psnr: Double, deltaE: Double) {
        let psnr = result.samples.withUnsafeBufferPointer { r in original.samples.withUnsafeBufferPointer { Metrics.psnr(r, $0) } }
        return (psnr, DeltaE2000.mean(ChromaSpace.lab.planes(from: result), ChromaSpace.lab.planes(from: original)))
    }

    /// Four 12-megapixel JPEGs tiled from real photos (quality 92, 4:2:0), `photo0.jpg` …,
    /// and their luminance as gray JPEGs, `gray0.jpg` … (the photos chroma is for), in a
    /// scratch folder with an `out` folder beside them; nil without photos.
    static func benchmarkJPEGs() -> (folder: String, files: Int, megapixels: Double, encoding: EncodingOptions)? {
        let folder = NSTemporaryDirectory() + "chroma-bench-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        let photos = colourPhotos().map(\.image)
        guard !photos.isEmpty else { print("no photos in \(shared)/photos"); return nil }
        let width = 4000, height = 3000, files = 4
        let encoding = { var options = EncodingOptions(); options.jpegQuality = 92; return options }()
        for f in 0..<files {
            let photo = mosaic(photos, width: width, height: height, shift: f)
            try! ImageFile.write(try! ImageEncoder.encode(photo, as: .jpeg, options: encoding), to: folder + "/photo\(f).jpg", overwrite: true)
            try! ImageFile.write(try! ImageEncoder.encode(JFIF.luma(of: photo), as: .jpeg, options: encoding),
                                 to: folder + "/gray\(f).jpg", overwrite: true)
        }
        return (folder, files, Double(width * height * files) / 1e6, encoding)
    }

    static func convert() {
        guard let (folder, files, megapixels, encoding) = benchmarkJPEGs() else { return }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        convertSpeed(folder: folder, files: files, megapixels: megapixels, encoding: encoding)
    }

    /// `chroma-bench colorize`: the four JPEGs colorized file to file, beside the codec floor.
    static func speed() {
        guard let (folder, files, megapixels, encoding) = benchmarkJPEGs() else { return }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        print("colorize \(files) JPEGs of 4000×3000 (tiled from real photos), quality 92, 4:2:0, and the same photos as gray JPEGs")
        print("each line: 5 runs in turn with the floor's; MP/s the median run, × the floor the median of the 5 pairs' ratios")
        // `work(job, input, output)`: job j of `jobs` takes every jobs-th of the files `prefix`0.jpg ….
        func once(jobs: Int, of prefix: String = "photo", _ work: @escaping @Sendable (Int, String, String) -> Void) -> Double {
            time {
                DispatchQueue.concurrentPerform(iterations: jobs) { job in
                    for f in stride(from: job, to: files, by: jobs) {
                        work(job, folder + "/\(prefix)\(f).jpg", folder + "/out/\(prefix)\(f).jpg")
                    }
                }
            }
        }
        func run(jobs: Int, of prefix: String = "photo", _ work: @escaping @Sendable (Int, String, String) -> Void) -> Double {
            median((0..<3).map { _ in once(jobs: jobs, of: prefix, work) })
        }
        let floor = { @Sendable (_: Int, input: String, output: String) in
            let image = try! ImageDecoder.decode(try! ImageFile.readBytes(input))
            try! ImageFile.write(try! ImageEncoder.encode(image, as: .jpeg, options: encoding), to: output, overwrite: true)
        }
        var floorSeconds: [Int: Double] = [:]
        for jobs in [1, 2] {
            floorSeconds[jobs] = run(jobs: jobs, floor)
            print("floor (decode + encode)                  \(jobs) job\(jobs == 1 ? " " : "s")  \(format(megapixels / floorSeconds[jobs]!)) MP/s")
        }
        print("floor, gray photos                       1 job   \(format(megapixels / run(jobs: 1, of: "gray", floor))) MP/s")
        // What `chroma colorize` does file to file: a YCbCr model keeps the JPEG's luminance
        // coefficients (JPEGCoefficients); "through pixels" is the same model decoding and re-encoding.
        var reencoding = encoding
        reencoding.keepsJPEGLuminance = false
        // "one grid": without the prediction on the finer grid (`--single-grid`), as before it existed.
        // "gray": the gray JPEGs (colorized into colour JPEGs), beside the floor of decoding and encoding them as they are.
        let cases: [(name: String, space: ChromaSpace, encoding: EncodingOptions, finerGrid: Bool, prefix: String)] = [
            ("lab", .lab, encoding, true, "photo"), ("ycbcr, coefficients", .ycbcr, encoding, true, "photo"),
            ("ycbcr, coefficients, one grid", .ycbcr, encoding, false, "photo"), ("ycbcr, through pixels", .ycbcr, reencoding, true, "photo"),
            ("lab, gray", .lab, encoding, true, "gray"), ("ycbcr, coefficients, gray", .ycbcr, encoding, true, "gray"),
        ]
        // (jobs, threads each): one thread a job; and one job on every core, as `chroma colorize`
        // runs a folder by default (--jobs 1 gives its one worker all the threads). libjpeg
        // decodes and encodes a file on one thread, so the floor of one job is the same for both.
        let configurations = [(jobs: 1, threads: 1)] + (Threads.available > 1 ? [(jobs: 1, threads: Threads.available)] : [])
            + [(jobs: 2, threads: 1)]
        for (name, space, options, finerGrid, prefix) in cases {
            guard let model = model(space) else { continue }
            let colorizes = configurations.map { jobs, threads in
                let colorizers = UnsafeSendableBox((0..<jobs).map { _ in
                    let colorizer = try! PhotoColorizer(model: model, usesFinerGrid: finerGrid)
                    colorizer.threads = threads
                    return colorizer
                })
                return { @Sendable (job: Int, input: String, output: String) in
                    let result = try! colorizers.value[job].colorize(fileBytes: try! ImageFile.readBytes(input), outputName: output,
                                                                     encoding: { _ in options })
                    try! ImageFile.write(result.bytes, to: output, overwrite: true)
                }
            }
            // Each round runs every configuration in turn, each right after the floor: this VM's
            // speed drifts by tens of per cent over a minute, which would go into any ratio of
            // runs made far apart (the floor's, or one job's against two jobs').
            var runs = [[Double]](repeating: [], count: configurations.count), ratios = runs
            var jobRatios: [Double] = [], floorJobRatios: [Double] = []
            for _ in 0..<5 {
                var oneThreadRuns: [Int: Double] = [:], floorRuns: [Int: Double] = [:]
                for (c, (jobs, threads)) in configurations.enumerated() {
                    let floorRun = once(jobs: jobs, of: prefix, floor), run = once(jobs: jobs, of: prefix, colorizes[c])
                    runs[c].append(run)
                    ratios[c].append(run / floorRun)
                    if threads == 1 { (oneThreadRuns[jobs], floorRuns[jobs]) = (run, floorRun) }
                }
                jobRatios.append(oneThreadRuns[1]! / oneThreadRuns[2]!)
                floorJobRatios.append(floorRuns[1]! / floorRuns[2]!)
            }
            for (c, (jobs, threads)) in configurations.enumerated() {
                let setting = jobs == 1 ? "1 job, \(threads) thread\(threads == 1 ? " " : "s")" : "\(jobs) jobs, 1 thread each"
                print("colorize, \(name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(setting.padding(toLength: 22, withPad: " ", startingAt: 0))  "
                      + "\(format(megapixels / median(runs[c]))) MP/s  (\(format(median(ratios[c]), 2))× the floor's time)")
            }
            print("  two jobs are \(format(median(jobRatios), 2))× faster than one, one thread each (median of the 5 rounds' ratios: "
                  + jobRatios.map { format($0, 2) }.joined(separator: ", ") + "; the floor's in the same rounds: \(format(median(floorJobRatios), 2))×)")
        }
    }

    /// `chroma convert --to gray`'s work (decode, luminance, encode), JPEG to JPEG,
    /// beside the floor (decode and encode alone), one file after another, one thread.
    static func convertSpeed(folder: String, files: Int, megapixels: Double, encoding: EncodingOptions) {
        print("convert --to gray, \(files) JPEGs of 12 MP (tiled from real photos), quality 92, 4:2:0; median of 5 runs, one thread")
        func run(_ work: (String, String) -> Void) -> Double {
            median((0..<5).map { _ in time { for f in 0..<files { work(folder + "/photo\(f).jpg", folder + "/out/photo\(f).jpg") } } })
        }
        let floor = run { input, output in
            let image = try! ImageDecoder.decode(try! ImageFile.readBytes(input))
            try! ImageFile.write(try! ImageEncoder.encode(image, as: .jpeg, options: encoding), to: output, overwrite: true)
        }
        var luminanceOnly = DecodingOptions()
        luminanceOnly.jpegLuminanceOnly = true  // as convert --to gray reads a JPEG
        let gray = run { input, output in
            let image = try! ImageDecoder.decode(try! ImageFile.readBytes(input), options: luminanceOnly)
            let luminance = ChannelStrip.luminance(of: image, in: .ycbcr)
            try! ImageFile.write(try! ImageEncoder.encode(luminance, as: .jpeg, options: encoding), to: output, overwrite: true)
        }
        print("floor (decode + encode)   \(format(megapixels / floor)) MP/s")
        print("convert --to gray         \(format(megapixels / gray)) MP/s  (\(format(gray / floor, 2))× the floor's time)")
    }

    /// A `width` × `height` picture tiled from RGB `photos`, starting from a different one each time.
    static func mosaic(_ photos: [Image<UInt8>], width: Int, height: Int, shift: Int) -> Image<UInt8> {
        var samples = [UInt8](repeating: 0, count: width * height * 3)
        var y = 0, row = 0
        while y < height {
            var x = 0, index = shift + row
            let rowHeight = photos[index % photos.count].height
            while x < width {
                let photo = photos[index % photos.count]  // RGB: colourPhotos() drops alpha
                let columns = min(photo.width, width - x)
                for dy in 0..<min(photo.height, rowHeight, height - y) {
                    let from = dy * photo.width * 3, to = ((y + dy) * width + x) * 3
                    samples[to..<to + 3 * columns] = photo.samples[from..<from + 3 * columns]
                }
                x += photo.width
                index += 1
            }
            y += rowHeight
            row += 1
        }
        return Image(width: width, height: height, layout: .rgb, samples: samples)
    }
}

struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

import ColorSpace
import Foundation
import ImageIO
import Threading

/// Colour round trips (8-bit RGB → space → 8-bit RGB) on a 12-megapixel image,
/// with OpenCV's figure for the same conversion on the same image beside
/// chroma's when a Python with OpenCV is available (`CHROMA_BENCH_PYTHON`, or
/// `python3`; `pip install opencv-python-headless`). Both allocate their
/// outputs on each call, as most callers of either library do; then the 8-bit
/// conversions again into outputs kept from the previous call.
enum ColorBenchmark {
    /// One conversion: chroma's forward and inverse, and the OpenCV case that does the same.
    struct Case {
        let name: String
        let opencv: String?
        let forward: (Image<UInt8>, Int) -> Any
        let inverse: (Any, Int) -> Void
    }

    nonisolated(unsafe) static let cases: [Case] = [
        Case(name: "lab", opencv: "labfloat",
             forward: { ChromaSpace.lab.planes(from: $0, threads: $1) },
             inverse: { _ = ChromaSpace.lab.image(from: $0 as! ColorPlanes, threads: $1) }),
        Case(name: "lab8", opencv: "lab8",
             forward: { LabConversion.lab8(from: $0, threads: $1) },
             inverse: { _ = LabConversion.rgb(fromLab8: $0 as! Image<UInt8>, threads: $1) }),
        Case(name: "ycbcr", opencv: nil,
             forward: { ChromaSpace.ycbcr.planes(from: $0, threads: $1) },
             inverse: { _ = ChromaSpace.ycbcr.image(from: $0 as! ColorPlanes, threads: $1) }),
        Case(name: "ycbcr8", opencv: "ycbcr8",
             forward: { JFIF.ycbcr(from: $0, threads: $1) },
             inverse: { _ = JFIF.rgb(fromYCbCr: $0 as! Image<UInt8>, threads: $1) }),
        Case(name: "gray8", opencv: "gray8",
             forward: { JFIF.luma(of: $0, threads: $1) },
             inverse: { _, _ in }),
    ]

    /// The 8-bit conversions again, writing into outputs kept from the previous
    /// call (chroma's `into:` variants; OpenCV's `dst=`).
    struct ReusingCase {
        let name: String
        let opencv: String?
        let forward: (Image<UInt8>, inout Image<UInt8>, Int) -> Void
        let inverse: (Image<UInt8>, inout Image<UInt8>, Int) -> Void
    }

    nonisolated(unsafe) static let reusingCases: [ReusingCase] = [
        ReusingCase(name: "lab8", opencv: "lab8-reused",
                    forward: { LabConversion.lab8(from: $0, into: &$1, threads: $2) },
                    inverse: { LabConversion.rgb(fromLab8: $0, into: &$1, threads: $2) }),
        ReusingCase(name: "ycbcr8", opencv: "ycbcr8-reused",
                    forward: { JFIF.ycbcr(from: $0, into: &$1, threads: $2) },
                    inverse: { JFIF.rgb(fromYCbCr: $0, into: &$1, threads: $2) }),
        ReusingCase(name: "gray8", opencv: "gray8-reused",
                    forward: { JFIF.luma(of: $0, into: &$1, threads: $2) },
                    inverse: { _, _, _ in }),
        // The memory's own ceiling: the bytes of an 8-bit round trip copied (memcpy) without
        // converting them, split among threads as the conversions are. A conversion running as
        // fast as this copy could gain no more from a second thread than it does; one doing
        // more work per byte is further from the ceiling and can gain more.
        ReusingCase(name: "copy8", opencv: nil,
                    forward: { copy($0, into: &$1, threads: $2) },
                    inverse: { copy($0, into: &$1, threads: $2) }),
    ]

    /// `image`'s bytes copied into `output` (reused when it has the size), rows shared among threads.
    static func copy(_ image: Image<UInt8>, into output: inout Image<UInt8>, threads: Int) {
        if output.samples.count != image.samples.count {
            output = Image(width: image.width, height: image.height, layout: image.layout, samples: .uninitialized(image.samples.count))
        }
        let rowBytes = image.width * image.layout.channels
        image.samples.withUnsafeBytes { source in
            output.samples.withUnsafeMutableBytes { target in
                let (source, target) = (source.baseAddress!, target.baseAddress!)
                Threads.share(image.height, threads: threads) { rows in
                    (target + rows.lowerBound * rowBytes).copyMemory(from: source + rows.lowerBound * rowBytes,
                                                                     byteCount: rows.count * rowBytes)
                }
            }
        }
    }

    /// One row of the table: a round trip timed on one thread and on two (`roundTrip(threads)`
    /// gives the forward and inverse seconds), with the OpenCV case that does the same.
    struct Measurement {
        let name: String
        let opencv: String?
        let roundTrip: (Int) -> (forward: Double, inverse: Double)
        var forward: [Int: [Double]] = [1: [], 2: []], inverse: [Int: [Double]] = [1: [], 2: []]
        var total: [Int: [Double]] = [1: [], 2: []], ratios: [Double] = []

        init(name: String, opencv: String?, roundTrip: @escaping (Int) -> (forward: Double, inverse: Double)) {
            (self.name, self.opencv, self.roundTrip) = (name, opencv, roundTrip)
        }

        /// One round trip on one thread, then one on two, recorded as a pair.
        mutating func measurePair() {
            for threads in [1, 2] {
                let (f, i) = roundTrip(threads)
                forward[threads]!.append(f)
                inverse[threads]!.append(i)
                total[threads]!.append(f + i)
            }
            ratios.append(total[1]!.last! / total[2]!.last!)
        }
    }

    static func run() {
        let width = 4000, height = 3000
        let image = photoLike(width: width, height: height)
        let megapixels = Double(width * height) / 1e6
        let peer = opencv(image)
        print("colour round trips, \(width)×\(height) = \(format(megapixels)) MP, median of 7 rounds; MP/s")
        print("lab: float planes; lab8: 8-bit L*a*b* bytes; ycbcr: float planes; ycbcr8: libjpeg's 8-bit; gray8: Y alone")
        print("each round times every row once on one thread and once on two; 2÷1: the median of the rounds' ratios")
        print("(a stretch in which the second core or the memory slows down falls on every row alike, not on one)")
        print(peer.version.map { "beside: OpenCV \($0), cvtColor on the same image, measured in rounds the same way" } ?? "beside: \(peer.problem)")
        var fresh = cases.map { test in
            Measurement(name: test.name, opencv: test.opencv) { threads in
                var converted: Any?
                let f = time { converted = test.forward(image, threads) }
                return (f, time { test.inverse(converted!, threads) })
            }
        }
        var kept = reusingCases.map { test in
            var outputs: [Int: (converted: Image<UInt8>, back: Image<UInt8>)] = [:]
            for threads in [1, 2] {  // sizes each thread count's outputs
                var converted = Image<UInt8>(width: 0, height: 0, layout: .rgb, samples: []), back = converted
                test.forward(image, &converted, threads)
                test.inverse(converted, &back, threads)
                outputs[threads] = (converted, back)
            }
            return Measurement(name: test.name, opencv: test.opencv) { threads in
                let f = time { test.forward(image, &outputs[threads]!.converted, threads) }
                return (f, time { test.inverse(outputs[threads]!.converted, &outputs[threads]!.back, threads) })
            }
        }
        for _ in 0..<7 {
            for row in fresh.indices { fresh[row].measurePair() }
            for row in kept.indices { kept[row].measurePair() }
        }
        print("space    threads   chroma (forward  inverse)     2÷1    OpenCV (forward  inverse)  2÷1")
        for row in fresh { report(row, peer: peer, megapixels: megapixels) }
        print("into outputs kept from the previous call (chroma's into: variants, OpenCV's dst=);")
        print("copy8: the same bytes copied (memcpy), not converted: the memory's own ceiling on this machine")
        for row in kept { report(row, peer: peer, megapixels: megapixels) }
    }

    /// Prints a row's one- and two-thread figures (medians) with the median of its pairs' ratios.
    static func report(_ row: Measurement, peer: OpenCVFigures, megapixels: Double) {
        for threads in [1, 2] {
            let inverseFigure = row.name == "gray8" ? "–" : format(megapixels / median(row.inverse[threads]!))
            let ours = "\(format(megapixels / median(row.total[threads]!))) (\(format(megapixels / median(row.forward[threads]!)))  \(inverseFigure))"
            let ratio = threads == 2 ? format(median(row.ratios), 2) + "×" : ""
            let theirs = row.opencv.flatMap { peer.figures[threads]?[$0] } ?? "–"
            let theirRatio = threads == 2 ? row.opencv.flatMap { peer.ratios[$0] }.map { "  \($0)×" } ?? "" : ""
            print("\(pad(row.name, 8)) \(threads)         \(pad(ours, 28)) \(pad(ratio, 6)) \(theirs)\(theirRatio)")
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// What the OpenCV peer measured: its figures by thread count and case name
    /// ("123.4 (250.0  240.1)"), its two-thread speed-ups by case name ("1.85"), or why
    /// there are none.
    struct OpenCVFigures {
        var version: String?
        var figures: [Int: [String: String]] = [:]
        var ratios: [String: String] = [:]
        var problem = ""
    }

    static func opencv(_ image: Image<UInt8>) -> OpenCVFigures {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("peers/opencv_color.py").path
        let python = ProcessInfo.processInfo.environment["CHROMA_BENCH_PYTHON"] ?? "python3"
        let raw = FileManager.default.temporaryDirectory.appendingPathComponent("chroma-bench-\(getpid()).rgb")
        defer { try? FileManager.default.removeItem(at: raw) }
        guard FileManager.default.createFile(atPath: raw.path, contents: Data(image.samples)) else {
            return OpenCVFigures(problem: "OpenCV: could not write \(raw.path)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, raw.path, "\(image.width)", "\(image.height)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return OpenCVFigures(problem: "OpenCV: cannot run \(python)") }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return OpenCVFigures(problem: "OpenCV: not available to \(python) (set CHROMA_BENCH_PYTHON to a Python with opencv-python-headless)")
        }
        var peer = OpenCVFigures()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if fields.first == "opencv", fields.count == 2 {
                peer.version = fields[1]
            } else if fields.count == 3, fields[1] == "ratio" {
                peer.ratios[fields[0]] = fields[2]
            } else if fields.count == 5, let threads = Int(fields[1]) {
                peer.figures[threads, default: [:]][fields[0]] = "\(fields[2]) (\(fields[3])  \(fields[4]))"
            }
        }
        return peer
    }

    /// Smooth colour gradients with texture, deterministic: the branches and
    /// tables see a spread of values as in a photo.
    static func photoLike(width: Int, height: Int) -> Image<UInt8> {
        var samples = [UInt8](repeating: 0, count: width * height * 3)
        var state: UInt32 = 12345
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 1_664_525 &+ 1_013_904_223
                let noise = Int(state >> 28) - 8
                let at = (y * width + x) * 3
                samples[at] = UInt8(clamping: x * 255 / width + noise)
                samples[at + 1] = UInt8(clamping: y * 255 / height + noise)
                samples[at + 2] = UInt8(clamping: (x + y) * 255 / (width + height) - noise)
            }
        }
        return Image(width: width, height: height, layout: .rgb, samples: samples)
    }
}

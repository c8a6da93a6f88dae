import COpenBLAS
import Foundation
import NeuralNet

/// CAE throughput: training steps (forward + backward + Adam, batch 32, 32×32
/// random data) and inference at batch 256, for the reference and a wider
/// architecture, and the bundled models' U-Net with its two heads: the
/// chroma itself (squared error) and a 12 × 12 grid of chroma bins (cross-entropy).
enum TrainingBenchmark {
    static let unet = "c16 p c32:bn c32:bn skip p c64:bn c64:bn skip p c128:bn c128:bn u:bilinear concat c64:bn c64:bn u:bilinear concat c32:bn c32:bn"
    static let cases: [(name: String, spec: String, inputs: Int, loss: Loss)] = [
        ("(a) reference, 1 → 2", "c8 p c12 p c16 u c12 u c2 sigmoid", 1, .mse),
        ("(b) wider, 4 → 2", "c32 c32 p c64 c64 p c128 u c64 u c32 c2 sigmoid", 4, .mse),
        ("(c) U-Net, mse", unet + " c2:sigmoid u:bilinear", 1, .mse),
        ("(d) U-Net, bins:12", unet + " c144:k1 u:bilinear", 1, .bins(BinGrid(side: 12))),
    ]

    static func run() {
        // One case named (`train d`): a quick run, without measuring the peak.
        let peak: (one: Double, two: Double)? = CommandLine.arguments.count > 2 ? nil : sgemmPeak()
        if let peak { print("OpenBLAS sgemm peak (1024³): \(format(peak.one)) GFLOP/s on 1 thread, \(format(peak.two)) on 2") }
        print("architecture          threads  train img/s  GFLOP/s  %peak   infer img/s")
        let only = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : nil
        for (name, spec, inputs, loss) in cases where only == nil || name.hasPrefix("(\(only!))") {
            let architecture = try! Architecture(spec)
            let shape = Shape(channels: inputs, height: 32, width: 32)
            let summary = try! ModelSummary(network: Network(architecture: architecture, inputChannels: inputs), input: shape)
            let letter = String(name.dropFirst().prefix(1))
            for threads in [1, 2] {
                // With a peer, chroma and PyTorch run in turn, three times each, and the ratio is the
                // median of the pairs' ratios: this VM's speed drifts by more than the difference.
                let hasPeer = Self.peerCases.contains(letter)
                var training: [Double] = [], rates: [Double] = [], version: String?, problem: PeerProblem?
                for _ in 0..<(hasPeer ? 3 : 1) {
                    training.append(trainingRate(architecture, shape, loss: loss, threads: threads))
                    guard hasPeer else { break }
                    switch pytorch(case: letter, threads: threads) {
                    case .success(let (peerVersion, rate)): version = peerVersion; rates.append(rate)
                    case .failure(let failure): problem = failure
                    }
                    if problem != nil { break }
                }
                let inference = inferenceRate(architecture, shape, threads: threads)
                let gflops = median(training) * Double(summary.trainingFlops) / 1e9
                let share = peak.map { format(100 * gflops / (threads == 1 ? $0.one : $0.two)) + "%" } ?? "–"
                print("\(name.padding(toLength: 22, withPad: " ", startingAt: 0))\(threads)        \(format(median(training), 0).leftPadded(8))   \(format(gflops).leftPadded(6))  \(share.leftPadded(6))  \(format(inference, 0).leftPadded(8))")
                if rates.isEmpty, let problem {
                    print("  \(problem.description)")
                } else if let version {
                    let ratios = zip(training, rates).map { $0 / $1 }  // each PyTorch run beside the chroma run before it
                    print("  PyTorch \(version)       \(threads)        \(format(median(rates), 0).leftPadded(8))   chroma is \(String(format: "%.2f", median(ratios)))× PyTorch's rate"
                          + " (median of \(ratios.count) runs in turn: \(ratios.map { String(format: "%.2f", $0) }.joined(separator: ", ")))")
                }
            }
        }
    }

    /// The cases `Benchmarks/peers/torch_unet.py` builds in PyTorch too.
    static let peerCases: Set<String> = ["a", "d"]

    struct PeerProblem: Error, CustomStringConvertible { let description: String }

    /// PyTorch's training rate for a case (images a second), from the peer script, in a
    /// Python with PyTorch (`CHROMA_BENCH_PYTHON`, else python3); or why there is none.
    static func pytorch(case letter: String, threads: Int) -> Result<(String, Double), PeerProblem> {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("peers/torch_unet.py").path
        let python = ProcessInfo.processInfo.environment["CHROMA_BENCH_PYTHON"] ?? "python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script, letter, "\(threads)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return .failure(PeerProblem(description: "PyTorch: cannot run \(python)")) }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        guard process.terminationStatus == 0, lines.count == 2, lines[0].count == 2, lines[1].count == 3, let rate = Double(lines[1][2]) else {
            return .failure(PeerProblem(description: "PyTorch: not available to \(python) (set CHROMA_BENCH_PYTHON to a Python with torch)"))
        }
        return .success((lines[0][1], rate))
    }

    /// Images per second, median over 5 epochs of 64 steps of batch 32 (after a warm-up epoch).
    static func trainingRate(_ architecture: Architecture, _ shape: Shape, loss: Loss, threads: Int) -> Double {
        let network = Network(architecture: architecture, inputChannels: shape.channels, seed: 1)
        network.threads = threads
        let batch = 32, steps = 64
        var random = SeededRandom(seed: 2)
        let inputs = (0..<(batch * shape.count)).map { _ in random.uniform() }
        let outShape = try! network.outputShape(for: shape)
        let targetChannels = if case .bins = loss { 2 } else { outShape.channels }
        let targets = (0..<(batch * targetChannels * outShape.plane)).map { _ in random.uniform() }
        let adam = Adam(parameterCount: network.parameterCount)
        var rates: [Double] = []
        for epoch in 0..<6 {
            let seconds = time {
                for _ in 0..<steps {
                    let y = try! network.forward(inputs, batch: batch, shape: shape, training: true)
                    _ = targets.withUnsafeBufferPointer {
                        loss.evaluate(prediction: y.baseAddress!, target: $0.baseAddress!, count: y.count, sample: outShape,
                                      gradient: network.outputGradient.baseAddress!, threads: threads)
                    }
                    network.backward()
                    adam.step(network)
                }
            }
            if epoch > 0 { rates.append(Double(batch * steps) / seconds) }
        }
        return median(rates)
    }

    /// Images per second of inference at batch 256, median of 5 runs.
    static func inferenceRate(_ architecture: Architecture, _ shape: Shape, threads: Int) -> Double {
        let network = Network(architecture: architecture, inputChannels: shape.channels, seed: 1)
        network.threads = threads
        let batch = 256
        var random = SeededRandom(seed: 3)
        let inputs = (0..<(batch * shape.count)).map { _ in random.uniform() }
        var rates: [Double] = []
        for run in 0..<6 {
            let seconds = time { _ = try! network.forward(inputs, batch: batch, shape: shape, training: false) }
            if run > 0 { rates.append(Double(batch) / seconds) }
        }
        return median(rates)
    }

    /// GFLOP/s of a 1024³ sgemm on one and on two OpenBLAS threads.
    static func sgemmPeak() -> (one: Double, two: Double) {
        let n = 1024
        let a = [Float](repeating: 1, count: n * n), b = a
        var c = a
        func measure(_ threads: Int32) -> Double {
            openblas_set_num_threads(threads)
            var rates: [Double] = []
            for _ in 0..<5 {
                let seconds = time {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
                }
                rates.append(2 * Double(n * n * n) / seconds / 1e9)
            }
            return median(rates)
        }
        let result = (measure(1), measure(2))
        openblas_set_num_threads(1)
        return result
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

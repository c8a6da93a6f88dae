// chroma-bench: throughput figures for the pipeline's stages.
//
//   swift run -c release chroma-bench color     colour-space round trips, 12 MP
//   swift run -c release chroma-bench train     CAE training and inference throughput
//   swift run -c release chroma-bench tiles     colorize's grid size on real photos (PSNR, ΔE2000)
//   swift run -c release chroma-bench colorize  end-to-end colorizing speed against the codec floor
//   swift run -c release chroma-bench convert   convert --to gray, JPEG to JPEG, against the codec floor
//
// tiles and colorize use the bundled models, or the files named by
// CHROMA_BENCH_LAB and CHROMA_BENCH_YCBCR.
//
// Every figure is the median of several runs.
import Foundation
import ImageIO

ProcessMemory.reuseLargeBuffers()  // as the chroma command does: every figure is what it would see
let arguments = CommandLine.arguments.dropFirst()
let benchmarks: [String: () -> Void] = [
    "color": ColorBenchmark.run,
    "train": TrainingBenchmark.run,
    "tiles": ColorizeBenchmark.tiles,
    "colorize": ColorizeBenchmark.speed,
    "convert": ColorizeBenchmark.convert,
]
// `chroma-bench train a` runs only case (a) of the training benchmark.
let chosen = arguments.isEmpty ? benchmarks.keys.sorted() : [arguments.first!]
for name in chosen {
    guard let run = benchmarks[name] else {
        FileHandle.standardError.write("chroma-bench: unknown benchmark '\(name)' (have: \(benchmarks.keys.sorted().joined(separator: ", ")))\n".data(using: .utf8)!)
        exit(2)
    }
    run()
}

/// Seconds taken by `body`.
func time(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

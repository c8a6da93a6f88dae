import Datasets
import Foundation
import ImageIO
import NeuralNet

/// The assignment's question, "is the size of the latent space tied to the
/// error?", answered by training architectures on the same split and seed:
/// one row per architecture, as Markdown, CSV and a scatter plot.
public enum ArchitectureStudy {
    /// One trained architecture's figures.
    public struct Row: Sendable, Equatable {
        /// The architecture spec.
        public var arch: String
        public var parameters: Int
        /// Values in the encoder's output (`ModelSummary.latentSize`).
        public var latentSize: Int
        /// Mean squared error of the normalised outputs (0…1) on the test images.
        public var testMSE: Double
        /// Mean per-image PSNR on the test images, dB.
        public var testPSNR: Double
        /// Mean per-image SSIM on the test images (0…1).
        public var testSSIM: Double
        /// Training time summed over epochs, seconds.
        public var trainingSeconds: Double

        public init(arch: String, parameters: Int, latentSize: Int, testMSE: Double, testPSNR: Double, testSSIM: Double, trainingSeconds: Double) {
            self.arch = arch; self.parameters = parameters; self.latentSize = latentSize
            self.testMSE = testMSE; self.testPSNR = testPSNR; self.testSSIM = testSSIM; self.trainingSeconds = trainingSeconds
        }
    }

    /// Test MSE (normalised outputs against targets), PSNR and SSIM of a trained model.
    public static func scores(_ network: Network, task: TrainingTask, test: ImageSet) throws -> (mse: Double, psnr: Double, ssim: Double) {
        switch task {
        case .reconstruct, .denoise:
            let report = try Evaluator.autoencoder(network, task: task, set: test)
            return (report.result.mse, report.result.psnr, report.result.ssim)
        case .colorize, .colorizeRGB:
            let (examples, _, outputs) = try Evaluator.run(network, task: task, set: test)
            let report = switch task {
            case .colorize(let colorization): try Evaluator.evaluate(network, task: colorization, set: test)
            case .colorizeRGB(let space): try Evaluator.colorizationRGB(network, space: space, set: test)
            default: fatalError("unreachable")
            }
            return (Evaluator.meanSquaredError(outputs, examples.targets), report.result.psnr, report.result.ssim)
        }
    }

    static let header = ["#", "architecture", "parameters", "latent size", "test MSE", "test PSNR (dB)", "test SSIM", "training (s)"]

    static func cells(_ row: Row, _ number: Int) -> [String] {
        [String(number), row.arch, String(row.parameters), String(row.latentSize), String(format: "%.5f", row.testMSE),
         String(format: "%.2f", row.testPSNR), String(format: "%.3f", row.testSSIM), String(format: "%.0f", row.trainingSeconds)]
    }

    /// `study.md`: the table, the row with the lowest test MSE, and the correlation of log₂(latent size) with it.
    public static func markdown(_ rows: [Row], title: String) -> String {
        var lines = ["# \(title)", "", "| " + header.joined(separator: " | ") + " |",
                     "|" + header.indices.map { $0 == 1 ? "---|" : "---:|" }.joined()]
        for (i, row) in rows.enumerated() {
            var cells = cells(row, i + 1)
            cells[1] = "`\(row.arch)`"
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        if let best = rows.indices.min(by: { rows[$0].testMSE < rows[$1].testMSE }) {
            lines += ["", "Lowest test MSE: #\(best + 1)."]
        }
        if let r = correlation(rows) {
            lines.append(String(format: "Correlation of log₂(latent size) with test MSE: %.2f (Pearson, %d architectures).", r, rows.count))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `study.csv`: one line per architecture, unrounded.
    public static func csv(_ rows: [Row]) -> String {
        let names = ["index", "arch", "parameters", "latent_size", "test_mse", "test_psnr", "test_ssim", "training_seconds"]
        return ([names.joined(separator: ",")] + rows.enumerated().map { i, row in
            [String(i + 1), CSV.field(row.arch), String(row.parameters), String(row.latentSize), String(format: "%.6f", row.testMSE),
             String(format: "%.4f", row.testPSNR), String(format: "%.4f", row.testSSIM), String(format: "%.1f", row.trainingSeconds)]
                .joined(separator: ",")
        }).joined(separator: "\n") + "\n"
    }

    /// Pearson correlation of log₂(latent size) and test MSE; nil below three rows or without spread.
    public static func correlation(_ rows: [Row]) -> Double? {
        guard rows.count >= 3 else { return nil }
        let x = rows.map { log2(Double($0.latentSize)) }, y = rows.map(\.testMSE)
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let sxx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +), syy = y.map { ($0 - my) * ($0 - my) }.reduce(0, +)
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    // MARK: Scatter plot

    /// Where the points go: latent size on a log₂ axis, MSE on a linear one.
    struct Axes {
        let lowX: Double, highX: Double, lowY: Double, highY: Double
        init(_ rows: [Row]) {
            let xs = rows.map { log2(Double(max($0.latentSize, 1))) }, ys = rows.map(\.testMSE)
            lowX = floor((xs.min() ?? 0) - 0.5); highX = ceil((xs.max() ?? 1) + 0.5)
            let (low, high) = LossPlot.range(ys.map { Float($0) })
            lowY = Double(min(low, 0)); highY = Double(high)
        }
        func x(_ latent: Int, left: Double, width: Double) -> Double {
            left + (log2(Double(max(latent, 1))) - lowX) / (highX - lowX) * width
        }
        func y(_ mse: Double, top: Double, height: Double) -> Double {
            top + (highY - mse) / (highY - lowY) * height
        }
    }

    /// `latent-error.svg`: test MSE against latent size (log₂ axis), each point numbered as in the table.
    public static func svg(_ rows: [Row], title: String) -> String {
        let width = 640.0, height = 420.0, left = 80.0, right = 30.0, top = 40.0, bottom = 50.0
        let plotW = width - left - right, plotH = height - top - bottom
        let axes = Axes(rows)
        var lines = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
                     "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
                     "<text x=\"\(Int(width / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">\(escape(title))</text>",
                     String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>", left, top, left, height - bottom),
                     String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>", left, height - bottom, width - right, height - bottom)]
        for i in 0...4 {
            let value = axes.lowY + (axes.highY - axes.lowY) * Double(i) / 4
            lines.append(String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.4f</text>", left - 6, axes.y(value, top: top, height: plotH) + 4, value))
        }
        for power in Int(axes.lowX)...Int(axes.highX) {
            let x = axes.x(1 << power, left: left, width: plotW)
            lines.append(String(format: "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%d</text>", x, height - bottom + 18, 1 << power))
        }
        lines.append(String(format: "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">latent size (values, log scale)</text>", left + plotW / 2, height - 12))
        lines.append(String(format: "<text transform=\"translate(16 %.0f) rotate(-90)\" text-anchor=\"middle\">test MSE</text>", top + plotH / 2))
        for (i, row) in rows.enumerated() {
            let x = axes.x(row.latentSize, left: left, width: plotW), y = axes.y(row.testMSE, top: top, height: plotH)
            lines.append(String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#1f77b4\"><title>%@</title></circle>", x, y, escape(row.arch)))
            lines.append(String(format: "<text x=\"%.1f\" y=\"%.1f\">%d</text>", x + 8, y + 4, i + 1))
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same plot rasterised; points are numbered as in the table.
    public static func png(_ rows: [Row]) throws -> [UInt8] {
        let width = 640, height = 420, left = 90, right = 30, top = 30, bottom = 50
        let plotW = Double(width - left - right), plotH = Double(height - top - bottom)
        let axes = Axes(rows)
        var canvas = Canvas(width: width, height: height)
        canvas.line(left, top, left, height - bottom, (0, 0, 0))
        canvas.line(left, height - bottom, width - right, height - bottom, (0, 0, 0))
        for i in 0...4 {
            let value = axes.lowY + (axes.highY - axes.lowY) * Double(i) / 4
            let y = Int(axes.y(value, top: Double(top), height: plotH))
            canvas.line(left - 4, y, left, y, (0, 0, 0))
            canvas.text(String(format: "%.4f", value), x: 6, y: y - 5)
        }
        for power in Int(axes.lowX)...Int(axes.highX) {
            let x = Int(axes.x(1 << power, left: Double(left), width: plotW))
            canvas.line(x, height - bottom, x, height - bottom + 4, (0, 0, 0))
            canvas.text(String(1 << power), x: x - 8, y: height - bottom + 10)
        }
        canvas.text("TEST MSE", x: 6, y: 8)
        let axisTitle = "LATENT SIZE (VALUES, LOG SCALE)"
        canvas.text(axisTitle, x: left + (Int(plotW) - Canvas.textWidth(axisTitle)) / 2, y: height - 18)
        for (i, row) in rows.enumerated() {
            let x = Int(axes.x(row.latentSize, left: Double(left), width: plotW)), y = Int(axes.y(row.testMSE, top: Double(top), height: plotH))
            canvas.fill(x: x - 4, y: y - 4, width: 9, height: 9, LossPlot.train)
            canvas.text(String(i + 1), x: x + 8, y: y - 5)
        }
        return try ImageEncoder.encodePNG(canvas.image)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

import Foundation
import ImageIO

/// Training and validation loss per epoch, as SVG and as PNG.
public enum LossPlot {
    static let train: (UInt8, UInt8, UInt8) = (31, 119, 180)
    static let validation: (UInt8, UInt8, UInt8) = (214, 39, 40)

    /// Axis range with a little margin, never empty.
    static func range(_ values: [Float]) -> (Float, Float) {
        let low = values.min() ?? 0, high = values.max() ?? 1
        let pad = max((high - low) * 0.08, abs(high) * 0.01, 1e-9)
        return (low - pad, high + pad)
    }

    /// The plot as an SVG document, 640 × 400: both losses against the epoch.
    public static func svg(_ epochs: [RunRecord.Epoch]) -> String {
        let width = 640.0, height = 400.0, left = 80.0, right = 20.0, top = 30.0, bottom = 50.0
        let (low, high) = range(epochs.flatMap { [$0.trainLoss, $0.validationLoss] })
        let last = Double(max(epochs.last?.epoch ?? 1, 2))
        func x(_ epoch: Int) -> Double { left + (Double(epoch) - 1) / (last - 1) * (width - left - right) }
        func y(_ loss: Float) -> Double { top + Double(high - loss) / Double(high - low) * (height - top - bottom) }
        func polyline(_ values: [(Int, Float)], _ colour: String) -> String {
            "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"" +
                values.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ") + "\"/>"
        }
        var lines = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
                     "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
                     String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>", left, top, left, height - bottom),
                     String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>", left, height - bottom, width - right, height - bottom)]
        for i in 0...4 {
            let value = low + (high - low) * Float(i) / 4
            lines.append(String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.5f</text>", left - 6, y(value) + 4, value))
        }
        for epoch in epochs.map(\.epoch) {
            lines.append(String(format: "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%d</text>", x(epoch), height - bottom + 18, epoch))
        }
        lines.append(String(format: "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">epoch</text>", (left + width - right) / 2, height - 10))
        lines.append(polyline(epochs.map { ($0.epoch, $0.trainLoss) }, "#1f77b4"))
        lines.append(polyline(epochs.map { ($0.epoch, $0.validationLoss) }, "#d62728"))
        lines.append("<text x=\"\(Int(width - 160))\" y=\"20\" fill=\"#1f77b4\">— training loss</text>")
        lines.append("<text x=\"\(Int(width - 160))\" y=\"36\" fill=\"#d62728\">— validation loss</text>")
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same plot rasterised: axes, the two curves, and numbers on both axes.
    public static func png(_ epochs: [RunRecord.Epoch]) throws -> [UInt8] {
        let width = 640, height = 400, left = 90, right = 20, top = 20, bottom = 40
        var canvas = Canvas(width: width, height: height)
        let (low, high) = range(epochs.flatMap { [$0.trainLoss, $0.validationLoss] })
        let last = max(epochs.last?.epoch ?? 1, 2)
        func x(_ epoch: Int) -> Int { left + (epoch - 1) * (width - left - right) / (last - 1) }
        func y(_ loss: Float) -> Int { top + Int(Float(high - loss) / Float(high - low) * Float(height - top - bottom)) }
        canvas.line(left, top, left, height - bottom, (0, 0, 0))
        canvas.line(left, height - bottom, width - right, height - bottom, (0, 0, 0))
        for i in 0...4 {
            let value = low + (high - low) * Float(i) / 4
            canvas.line(left - 4, y(value), left, y(value), (0, 0, 0))
            canvas.text(String(format: "%.5f", value), x: 6, y: y(value) - 5)
        }
        for epoch in epochs.map(\.epoch) { canvas.text("\(epoch)", x: x(epoch) - 3, y: height - bottom + 8) }
        for (values, colour) in [(epochs.map(\.trainLoss), train), (epochs.map(\.validationLoss), validation)] {
            for i in 1..<max(values.count, 1) {
                canvas.line(x(epochs[i - 1].epoch), y(values[i - 1]), x(epochs[i].epoch), y(values[i]), colour, thickness: 2)
            }
        }
        canvas.fill(x: width - 60, y: 12, width: 30, height: 4, train)
        canvas.fill(x: width - 60, y: 24, width: 30, height: 4, validation)
        return try ImageEncoder.encodePNG(canvas.image)
    }
}

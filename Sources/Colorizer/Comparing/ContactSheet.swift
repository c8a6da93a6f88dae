import ColorSpace
import ImageIO

/// One PNG for many images: titled columns, a row per photo with its name
/// above it, every image fitted into a cell of the same size.
public struct ContactSheet {
    public let columnTitles: [String]
    /// The box each image is fitted into, in pixels.
    public let cellWidth: Int
    public let cellHeight: Int
    /// Draw the ΔE2000 colour ramp under the rows.
    public var heatMapLegend = true
    private var rows: [(name: String, cells: [Image<UInt8>?])] = []

    static let margin = 8, gap = 6, titleHeight = 18, nameHeight = 13
    static let ink: (UInt8, UInt8, UInt8) = (30, 30, 30)
    static let background: (UInt8, UInt8, UInt8) = (246, 246, 244)

    public init(columnTitles: [String], cellWidth: Int, cellHeight: Int) {
        self.columnTitles = columnTitles
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
    }

    /// Adds a row; `cells` (one per column) are fitted into the cell box, a nil cell says "none".
    public mutating func addRow(name: String, cells: [Image<UInt8>?]) {
        precondition(cells.count == columnTitles.count, "one cell per column")
        rows.append((name, cells.map { $0.map { Self.fit($0, width: cellWidth, height: cellHeight) } }))
    }

    public var rowCount: Int { rows.count }

    public var width: Int { 2 * Self.margin + columnTitles.count * cellWidth + (columnTitles.count - 1) * Self.gap }

    /// The sheet as an RGB image.
    public func render() -> Image<UInt8> {
        let m = Self.margin, rowHeight = Self.nameHeight + cellHeight + Self.gap
        let legendHeight = heatMapLegend ? 30 : 0
        var canvas = Canvas(width: width, height: m + Self.titleHeight + rows.count * rowHeight + legendHeight + m, background: Self.background)
        for (column, title) in columnTitles.enumerated() {
            let text = Self.clipped(title, to: cellWidth)
            canvas.text(text, x: m + column * (cellWidth + Self.gap) + (cellWidth - Canvas.textWidth(text)) / 2, y: m + 4, Self.ink)
        }
        for (index, row) in rows.enumerated() {
            let top = m + Self.titleHeight + index * rowHeight
            canvas.text(Self.clipped(row.name, to: width - 2 * m), x: m, y: top + 2, (90, 90, 90))
            for (column, cell) in row.cells.enumerated() {
                let left = m + column * (cellWidth + Self.gap), cellTop = top + Self.nameHeight
                canvas.fill(x: left, y: cellTop, width: cellWidth, height: cellHeight, (228, 228, 225))
                if let cell {
                    canvas.paste(cell, x: left + (cellWidth - cell.width) / 2, y: cellTop + (cellHeight - cell.height) / 2)
                } else {
                    canvas.text("NONE", x: left + (cellWidth - Canvas.textWidth("NONE")) / 2, y: cellTop + cellHeight / 2 - 3, (150, 150, 150))
                }
            }
        }
        if heatMapLegend {
            let top = m + Self.titleHeight + rows.count * rowHeight + 4, barWidth = min(256, width - 2 * m - 120)
            canvas.text("ΔE2000 0", x: m, y: top + 2, Self.ink)
            let barLeft = m + Canvas.textWidth("ΔE2000 0") + 6
            for x in 0..<barWidth {
                canvas.fill(x: barLeft + x, y: top, width: 1, height: 11, HeatMap.colour(HeatMap.maximum * Float(x) / Float(barWidth - 1)))
            }
            canvas.text("\(Int(HeatMap.maximum))+", x: barLeft + barWidth + 6, y: top + 2, Self.ink)
        }
        return canvas.image
    }

    /// `text` shortened with "…"-like ".." so that it fits `width` pixels.
    static func clipped(_ text: String, to width: Int) -> String {
        let fits = max((width + 1) / BitmapFont.advance, 3)
        return text.count <= fits ? text : String(text.prefix(fits - 2)) + ".."
    }

    /// `image` as RGB, scaled to fit `width × height`: area-averaged when
    /// larger, enlarged by a whole factor (sharp pixels) when much smaller.
    public static func fit(_ image: Image<UInt8>, width: Int, height: Int) -> Image<UInt8> {
        let rgb = image.rgb()
        if rgb.width <= width && rgb.height <= height {
            let factor = max(1, min(width / rgb.width, height / rgb.height))
            guard factor > 1 else { return rgb }
            var samples = [UInt8](repeating: 0, count: rgb.pixelCount * factor * factor * 3)
            let w = rgb.width * factor
            for y in 0..<(rgb.height * factor) {
                for x in 0..<w {
                    let from = ((y / factor) * rgb.width + x / factor) * 3, to = (y * w + x) * 3
                    samples[to] = rgb.samples[from]; samples[to + 1] = rgb.samples[from + 1]; samples[to + 2] = rgb.samples[from + 2]
                }
            }
            return Image(width: w, height: rgb.height * factor, layout: .rgb, samples: samples)
        }
        let scale = min(Double(width) / Double(rgb.width), Double(height) / Double(rgb.height))
        let w = max(1, Int((Double(rgb.width) * scale).rounded())), h = max(1, Int((Double(rgb.height) * scale).rounded()))
        let channels = (0..<3).map { c in
            Resampler.areaDownscale(Plane(width: rgb.width, height: rgb.height,
                                          values: Swift.stride(from: c, to: rgb.samples.count, by: 3).map { Float(rgb.samples[$0]) }),
                                    width: w, height: h).values
        }
        var samples = [UInt8](repeating: 0, count: w * h * 3)
        for p in 0..<(w * h) {
            for c in 0..<3 { samples[3 * p + c] = UInt8(min(max(channels[c][p], 0), 255).rounded()) }
        }
        return Image(width: w, height: h, layout: .rgb, samples: samples)
    }
}

import ImageIO

/// A small RGB raster to draw plots, grids and contact sheets on.
struct Canvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int, background: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        self.width = width
        self.height = height
        pixels = Array([background.0, background.1, background.2].repeated(width * height))
    }

    var image: Image<UInt8> { Image(width: width, height: height, layout: .rgb, samples: pixels) }

    mutating func set(_ x: Int, _ y: Int, _ colour: (UInt8, UInt8, UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let at = (y * width + x) * 3
        pixels[at] = colour.0; pixels[at + 1] = colour.1; pixels[at + 2] = colour.2
    }

    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ colour: (UInt8, UInt8, UInt8), thickness: Int = 1) {
        let steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for s in 0...steps {
            let x = x0 + (x1 - x0) * s / steps, y = y0 + (y1 - y0) * s / steps
            for dy in 0..<thickness { for dx in 0..<thickness { set(x + dx - thickness / 2, y + dy - thickness / 2, colour) } }
        }
    }

    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ colour: (UInt8, UInt8, UInt8)) {
        for yy in y..<(y + h) { for xx in x..<(x + w) { set(xx, yy, colour) } }
    }

    /// Copies `image` (RGB) with its top-left corner at (x, y), each pixel as a `scale` × `scale` block.
    mutating func paste(_ image: Image<UInt8>, x: Int, y: Int, scale: Int = 1) {
        for sy in 0..<image.height * scale {
            for sx in 0..<image.width * scale {
                let at = ((sy / scale) * image.width + sx / scale) * image.channels
                let c = image.channels >= 3 ? (image.samples[at], image.samples[at + 1], image.samples[at + 2])
                                            : (image.samples[at], image.samples[at], image.samples[at])
                set(x + sx, y + sy, c)
            }
        }
    }

    /// Draws `text` in `BitmapFont` with its top-left corner at (x, y), each font pixel `scale` wide.
    mutating func text(_ text: String, x: Int, y: Int, scale: Int = 1, _ colour: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        for (i, character) in text.enumerated() {
            for (row, bits) in BitmapFont.rows(character).enumerated() {
                for column in 0..<BitmapFont.width where bits & (0x10 >> column) != 0 {
                    fill(x: x + (i * BitmapFont.advance + column) * scale, y: y + row * scale, width: scale, height: scale, colour)
                }
            }
        }
    }

    /// The width `text` takes at `scale`, in pixels.
    static func textWidth(_ text: String, scale: Int = 1) -> Int {
        max(text.count * BitmapFont.advance - 1, 0) * scale
    }
}

extension Array {
    func repeated(_ times: Int) -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(count * times)
        for _ in 0..<times { out += self }
        return out
    }
}

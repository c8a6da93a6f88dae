import ImageIO

/// Per-pixel colour differences as a picture: black where the result matches
/// the original, through purple, red and orange to pale yellow at `maximum`
/// ΔE2000 and beyond.
public enum HeatMap {
    /// ΔE2000 at which the ramp ends: beyond about 30 colours are simply different.
    public static let maximum: Float = 30

    static let stops: [(Float, Float, Float)] = [(0, 0, 0), (80, 18, 123), (205, 52, 58), (250, 150, 30), (252, 250, 190)]

    /// The ramp's colour for `value` (ΔE2000).
    public static func colour(_ value: Float) -> (UInt8, UInt8, UInt8) {
        let t = min(max(value / maximum, 0), 1) * Float(stops.count - 1)
        let i = min(Int(t), stops.count - 2), f = t - Float(i)
        let a = stops[i], b = stops[i + 1]
        func mix(_ x: Float, _ y: Float) -> UInt8 { UInt8((x + (y - x) * f).rounded()) }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// An RGB image of `width × height` from row-major ΔE2000 values.
    public static func image(_ values: [Float], width: Int, height: Int) -> Image<UInt8> {
        precondition(values.count == width * height)
        var samples = [UInt8](repeating: 0, count: values.count * 3)
        for (p, value) in values.enumerated() {
            let (r, g, b) = colour(value)
            samples[3 * p] = r; samples[3 * p + 1] = g; samples[3 * p + 2] = b
        }
        return Image(width: width, height: height, layout: .rgb, samples: samples)
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Threading

/// Resizing float planes, separably: rows first, then columns.
///
/// Pixel centres are aligned (pixel i covers [i, i + 1) and its centre is at
/// i + ½, in both grids), and samples beyond an edge repeat the edge, so
/// nothing rings or darkens at the borders.
public enum Resampler {
    /// How to compute each output sample.
    public enum Method: String, Sendable, CaseIterable {
        /// The mean of the source area the output pixel covers (fractional
        /// coverage counted exactly). For shrinking.
        case area
        /// Linear interpolation between the two nearest samples in each direction.
        case bilinear
        /// Catmull–Rom cubic (Keys, a = −½) through the four nearest samples,
        /// kept within the range of those samples so edges do not ring.
        case bicubic
    }

    /// `plane` resized to `width` × `height`.
    public static func resize(_ plane: Plane, width: Int, height: Int, method: Method,
                              threads: Int = Threads.available) -> Plane {
        precondition(width > 0 && height > 0 && plane.width > 0 && plane.height > 0, "empty plane")
        if width == plane.width && height == plane.height { return plane }
        return plane.values.withUnsafeBufferPointer { values in
            let source = values.baseAddress!
            return resize(width: plane.width, height: plane.height, rows: { y, _ in source + y * plane.width },
                          toWidth: width, height: height, method: method, threads: threads)
        }
    }

    /// A plane of `width` × `height` whose rows `row` gives, resized to
    /// `toWidth` × `height`: the same floats as `resize(_:width:height:method:threads:)`
    /// of the whole plane, without ever holding it. `row(y, scratch)` returns
    /// row `y`'s `width` values, computed into `scratch` (room for `width`
    /// floats, one per thread) or found elsewhere; it is called once per row,
    /// from several threads at once.
    public static func resize(width: Int, height: Int,
                              rows row: (_ y: Int, _ scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float>,
                              toWidth: Int, height toHeight: Int, method: Method, threads: Int = Threads.available) -> Plane {
        precondition(width > 0 && height > 0 && toWidth > 0 && toHeight > 0, "empty plane")
        let columns = Taps(from: width, to: toWidth, method: method)
        let rows = Taps(from: height, to: toHeight, method: method)
        // Rows first: height × toWidth, then columns: toHeight × toWidth.
        var across = [Float].uninitialized(height * toWidth)
        var out = [Float].uninitialized(toHeight * toWidth)
        across.withUnsafeMutableBufferPointer { across in
            out.withUnsafeMutableBufferPointer { out in
                let across = across.baseAddress!, out = out.baseAddress!
                Threads.split(height, threads: threads) { _, range in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: width)
                    defer { scratch.deallocate() }
                    for y in range {
                        columns.apply(row(y, scratch), stride: 1, to: across + y * toWidth, outStride: 1)
                    }
                }
                Threads.split(toWidth, threads: threads) { _, range in
                    for x in range {
                        rows.apply(across + x, stride: toWidth, to: out + x, outStride: toWidth)
                    }
                }
            }
        }
        return Plane(width: toWidth, height: toHeight, values: out)
    }

    /// Where sample `index` of `count` falls on an axis of `source` samples, pixel
    /// centres aligned: (index + ½) · source / count − ½. The rule of every
    /// interpolating tap here, and of anything that interpolates the same way.
    public static func centre(of index: Int, count: Int, source: Int) -> Double {
        (Double(index) + 0.5) * (Double(source) / Double(count)) - 0.5
    }

    /// Row `y` of `plane` stretched bilinearly to `height` rows (same width), by
    /// `centre`'s rule, clamped at the edges: one row of
    /// `resize(plane, width: plane.width, height: height, method: .bilinear)`
    /// without the whole plane. `into` holds `plane.width` values.
    public static func row(_ y: Int, of plane: Plane, stretchedTo height: Int, into target: UnsafeMutablePointer<Float>) {
        let rows = plane.height, width = plane.width
        let position = max(0, min(Double(rows - 1), centre(of: y, count: height, source: rows)))
        let above = Int(position), below = min(above + 1, rows - 1)
        let t = Float(position - Double(above))
        plane.values.withUnsafeBufferPointer { values in
            let a = values.baseAddress! + above * width, b = values.baseAddress! + below * width
            for x in 0..<width { target[x] = a[x] + t * (b[x] - a[x]) }
        }
    }

    /// Shrinks by area averaging (see `Method.area`).
    public static func areaDownscale(_ plane: Plane, width: Int, height: Int) -> Plane {
        resize(plane, width: width, height: height, method: .area)
    }

    /// For each output index along one axis: the first source index and its weights,
    /// the weights of all outputs one after another in one array.
    struct Taps: Sendable {
        let first: [Int]
        /// Output i's weights are weights[start[i]..<start[i + 1]].
        let start: [Int]
        let weights: [Float]
        let sourceCount: Int
        let limitsOvershoot: Bool

        init(from source: Int, to target: Int, method: Method) {
            sourceCount = source
            limitsOvershoot = method == .bicubic
            var first: [Int] = [], start: [Int] = [0], weights: [Float] = []
            let scale = Double(source) / Double(target)
            for i in 0..<target {
                let w: [Float]
                switch method {
                case .area where target < source:
                    let from = Double(i) * scale, to = Double(i + 1) * scale
                    let lo = Int(from.rounded(.down)), hi = min(source, Int(to.rounded(.up)))
                    w = (lo..<hi).map { j in Float((min(to, Double(j + 1)) - max(from, Double(j))) / scale) }
                    first.append(lo)
                case .area, .bilinear:
                    let centre = Resampler.centre(of: i, count: target, source: source)
                    let lo = Int(centre.rounded(.down)), t = Float(centre - Double(lo))
                    w = [1 - t, t]
                    first.append(lo)
                case .bicubic:
                    let centre = Resampler.centre(of: i, count: target, source: source)
                    let lo = Int(centre.rounded(.down)), t = centre - Double(lo)
                    w = (-1...2).map { Float(Self.cubic(Double($0) - t)) }
                    first.append(lo - 1)
                }
                weights += w
                start.append(weights.count)
            }
            self.first = first
            self.start = start
            self.weights = weights
        }

        /// Keys' cubic convolution kernel with a = −½ (Catmull–Rom).
        static func cubic(_ x: Double) -> Double {
            let x = abs(x)
            if x < 1 { return (1.5 * x - 2.5) * x * x + 1 }
            if x < 2 { return ((-0.5 * x + 2.5) * x - 4) * x + 2 }
            return 0
        }

        @inline(__always)
        func apply(_ source: UnsafePointer<Float>, stride: Int, to out: UnsafeMutablePointer<Float>, outStride: Int) {
            weights.withUnsafeBufferPointer { weights in
                for i in 0..<first.count {
                    let w = weights.baseAddress! + start[i], count = start[i + 1] - start[i], lo = first[i]
                    var sum: Float = 0
                    if !limitsOvershoot && lo >= 0 && lo + count <= sourceCount {
                        // Every tap inside the source (shrinking by area: some 50 taps an output
                        // when a photo's luminance goes onto the network's grid): no clamps.
                        let values = source + lo * stride
                        for k in 0..<count { sum += w[k] * values[k &* stride] }
                        out[i * outStride] = sum
                        continue
                    }
                    var low = Float.infinity, high = -Float.infinity
                    for k in 0..<count {
                        let value = source[min(max(lo + k, 0), sourceCount - 1) * stride]
                        sum += w[k] * value
                        low = min(low, value)
                        high = max(high, value)
                    }
                    out[i * outStride] = limitsOvershoot ? min(max(sum, low), high) : sum
                }
            }
        }
    }
}

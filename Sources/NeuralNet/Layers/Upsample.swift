import Threading

/// How ×2 upsampling fills the new pixels.
public enum UpsampleMode: String, Sendable, Equatable {
    /// Each pixel becomes a 2×2 block.
    case nearest
    /// Linear interpolation with pixel centres aligned (PyTorch's align_corners = false):
    /// new pixels take ¾ of the nearer and ¼ of the farther neighbour; edges repeat.
    case bilinear
}

extension UpsampleMode {
    /// `planes` planes of `width` × `height` floats, one after another, each
    /// upsampled ×2 in both directions as the network's `u` layer does it.
    public func doubled(_ values: [Float], planes: Int, width: Int, height: Int) -> [Float] {
        precondition(values.count == planes * width * height, "\(values.count) floats for \(planes) planes of \(width) × \(height)")
        var result = [Float](repeating: 0, count: 4 * values.count)
        var rows = [Float](repeating: 0, count: 2 * width * height)
        values.withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { y in
                rows.withUnsafeMutableBufferPointer { rows in
                    for plane in 0..<planes {
                        Upsample.upsample(x.baseAddress! + plane * width * height, width: width, height: height, mode: self,
                                          rows: rows.baseAddress!, into: y.baseAddress! + 4 * plane * width * height)
                    }
                }
            }
        }
        return result
    }
}

/// ×2 upsampling in both directions.
struct Upsample: Layer {
    let mode: UpsampleMode

    var kind: String { "upsample ×2 \(mode.rawValue)" }

    func outputShape(for input: Shape) throws -> Shape {
        Shape(channels: input.channels, height: input.height * 2, width: input.width * 2)
    }

    func scratchPerThread(input: Shape, output: Shape) -> Int { mode == .bilinear ? input.height * output.width : 0 }

    /// For output index o along an axis of n inputs: the two inputs and the weight of the first.
    @inline(__always)
    static func taps(_ o: Int, _ n: Int) -> (Int, Int, Float) {
        let i = o / 2
        return o % 2 == 0 ? (max(i - 1, 0), i, 0.25) : (i, min(i + 1, n - 1), 0.75)
    }

    // x: [B, C, H, W] → y: [B, C, 2H, 2W]
    func forward(_ p: LayerPass) {
        Threads.split(p.batch * p.input.channels, threads: p.threads) { thread, planes in
            let rows = p.scratch + thread * p.scratchPerThread
            for plane in planes {
                Self.upsample(p.x + plane * p.input.plane, width: p.input.width, height: p.input.height, mode: mode,
                              rows: rows, into: p.y + plane * p.output.plane)
            }
        }
    }

    /// One plane x [h, w] → y [2h, 2w]; `rows` is scratch of h · 2w floats (bilinear widens the rows first).
    @inline(__always)
    static func upsample(_ x: UnsafePointer<Float>, width w: Int, height h: Int, mode: UpsampleMode,
                         rows: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let W = 2 * w
        switch mode {
        case .nearest:
            for oy in 0..<2 * h {
                for ox in 0..<W { y[oy * W + ox] = x[(oy / 2) * w + ox / 2] }
            }
        case .bilinear:
            for iy in 0..<h { widen(x + iy * w, count: w, into: rows + iy * W) }
            for oy in 0..<2 * h {
                let (a, b, t) = taps(oy, h)
                for ox in 0..<W { y[oy * W + ox] = t * rows[a * W + ox] + (1 - t) * rows[b * W + ox] }
            }
        }
    }

    /// One row of `count` values widened to `2 · count` by `taps`, the same
    /// arithmetic written out per output parity: without the per-element
    /// division and clamping, the interior loops vectorise.
    @inline(__always)
    static func widen(_ x: UnsafePointer<Float>, count w: Int, into out: UnsafeMutablePointer<Float>) {
        // Output 2i: ¼ x[i−1] + ¾ x[i]; output 2i + 1: ¾ x[i] + ¼ x[i+1]; edges repeat.
        let quarter: Float = 0.25, threeQuarters: Float = 0.75
        out[0] = quarter * x[0] + (1 - quarter) * x[0]
        out[2 * w - 1] = threeQuarters * x[w - 1] + (1 - threeQuarters) * x[w - 1]
        for i in 1..<max(w, 1) { out[2 * i] = quarter * x[i - 1] + (1 - quarter) * x[i] }
        for i in 0..<(w - 1) { out[2 * i + 1] = threeQuarters * x[i] + (1 - threeQuarters) * x[i + 1] }
    }

    /// The adjoint of `widen`: each of the `2 · count` values flows back to the two
    /// inputs it was made from, with the weights it was made with. Written per
    /// input, its four contributions summed in the order a loop over the outputs
    /// would add them (so the result is that loop's, bit for bit), which vectorises.
    @inline(__always)
    static func narrow(_ r: UnsafePointer<Float>, count w: Int, into out: UnsafeMutablePointer<Float>) {
        let quarter: Float = 0.25, threeQuarters: Float = 0.75, last = 2 * w - 1
        @inline(__always) func input(_ i: Int, left: Int, right: Int) -> Float {
            0 + quarter * r[left] + threeQuarters * r[2 * i] + threeQuarters * r[2 * i + 1] + quarter * r[right]
        }
        out[0] = input(0, left: 0, right: min(2, last))
        for i in 1..<max(w - 1, 1) { out[i] = input(i, left: 2 * i - 1, right: 2 * i + 2) }
        if w > 1 { out[w - 1] = input(w - 1, left: 2 * w - 3, right: last) }
    }

    // dx = the adjoint: each dy value flows back with the weights it was made with
    func backward(_ p: LayerPass) {
        guard let dx = p.dx else { return }
        let h = p.input.height, w = p.input.width, W = p.output.width
        Threads.split(p.batch * p.input.channels, threads: p.threads) { thread, planes in
            let rows = p.scratch + thread * p.scratchPerThread
            for plane in planes {
                let target = dx + plane * p.input.plane, dy = p.dy + plane * p.output.plane
                switch mode {
                case .nearest:
                    target.update(repeating: 0, count: p.input.plane)
                    for oy in 0..<2 * h {
                        for ox in 0..<W { target[(oy / 2) * w + ox / 2] += dy[oy * W + ox] }
                    }
                case .bilinear:
                    rows.update(repeating: 0, count: h * W)
                    for oy in 0..<2 * h {
                        let (a, b, t) = Self.taps(oy, h)
                        for ox in 0..<W {
                            rows[a * W + ox] += t * dy[oy * W + ox]
                            rows[b * W + ox] += (1 - t) * dy[oy * W + ox]
                        }
                    }
                    for iy in 0..<h { Self.narrow(rows + iy * W, count: w, into: target + iy * w) }
                }
            }
        }
    }
}

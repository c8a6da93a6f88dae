import CNeuralNet
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
        switch mode {
        case .nearest:
            chroma_nn_upsample_nearest(x, w, h, y)
        case .bilinear:
            chroma_nn_upsample_bilinear(x, w, h, rows, y)
        }
    }

    // dx = the adjoint: each dy value flows back with the weights it was made with
    func backward(_ p: LayerPass) {
        guard let dx = p.dx else { return }
        let h = p.input.height, w = p.input.width
        Threads.split(p.batch * p.input.channels, threads: p.threads) { thread, planes in
            let rows = p.scratch + thread * p.scratchPerThread
            for plane in planes {
                let target = dx + plane * p.input.plane, dy = p.dy + plane * p.output.plane
                switch mode {
                case .nearest:
                    chroma_nn_upsample_nearest_backward(dy, w, h, target)
                case .bilinear:
                    chroma_nn_upsample_bilinear_backward(dy, w, h, rows, target)
                }
            }
        }
    }
}

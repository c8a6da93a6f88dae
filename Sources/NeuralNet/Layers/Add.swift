import Threading

/// The far end of a residual connection (ResNet style): the activation
/// remembered at the matching `skip` is added element by element to the
/// current one, so the layers in between learn a correction to it rather
/// than the whole of it. Like `Concatenate`, the near end is no layer.
struct Add: SkipJoin {
    /// Index of the remembered activation among the network's values (0: the input).
    let source: Int

    var kind: String { "add" }

    func outputShape(for input: Shape, joining skip: Shape) throws -> Shape {
        guard skip == input else {
            throw NetworkError.shapeMismatch("a residual connection adds \(skip) to \(input): channels, heights and widths must agree")
        }
        return input
    }

    // x: [B, C, H, W], skip: [B, C, H, W] → y = x + skip
    func forward(_ p: LayerPass) {
        let skip = p.skip!, size = p.input.count
        Threads.split(p.batch, threads: p.threads) { _, samples in
            for b in samples {
                let x = p.x + b * size, s = skip + b * size, y = p.y + b * size
                for i in 0..<size { y[i] = x[i] + s[i] }
            }
        }
    }

    // dx = dy, dskip = dy
    func backward(_ p: LayerPass) {
        let skipGradient = p.skipGradient!, count = p.batch * p.input.count
        p.dx?.update(from: p.dy, count: count)
        skipGradient.update(from: p.dy, count: count)
    }
}

import Threading

/// The far end of a skip connection (U-Net style): the activation remembered
/// at the matching `skip` is appended to the current one as extra channels.
/// The near end is no layer at all: the network keeps that activation and,
/// going backward, adds this layer's `skipGradient` to its gradient.
struct Concatenate: SkipJoin {
    /// Index of the remembered activation among the network's values (0: the input).
    let source: Int

    var kind: String { "concatenate" }

    func outputShape(for input: Shape, joining skip: Shape) throws -> Shape {
        guard skip.height == input.height, skip.width == input.width else {
            throw NetworkError.shapeMismatch("a skip connection joins \(skip) to \(input): heights and widths must agree "
                                              + "(pool and upsample the same number of times in between)")
        }
        return Shape(channels: input.channels + skip.channels, height: input.height, width: input.width)
    }

    // x: [B, C, H, W], skip: [B, S, H, W] → y: [B, C + S, H, W]
    func forward(_ p: LayerPass) {
        let skip = p.skip!, own = p.input.count, joined = p.output.count - own
        Threads.split(p.batch, threads: p.threads) { _, samples in
            for b in samples {
                (p.y + b * p.output.count).update(from: p.x + b * own, count: own)
                (p.y + b * p.output.count + own).update(from: skip + b * joined, count: joined)
            }
        }
    }

    // dx = dy[:, :C], dskip = dy[:, C:]
    func backward(_ p: LayerPass) {
        let skipGradient = p.skipGradient!, own = p.input.count, joined = p.output.count - own
        Threads.split(p.batch, threads: p.threads) { _, samples in
            for b in samples {
                p.dx?.advanced(by: b * own).update(from: p.dy + b * p.output.count, count: own)
                (skipGradient + b * joined).update(from: p.dy + b * p.output.count + own, count: joined)
            }
        }
    }
}

import CNeuralNet
import Threading

/// 2×2 max-pooling with stride 2; an odd last row or column is dropped.
/// Forward remembers which input won each window; backward routes the gradient there.
struct MaxPool: Layer {
    var kind: String { "max-pool 2×2" }

    func outputShape(for input: Shape) throws -> Shape {
        guard input.height >= 2, input.width >= 2 else {
            throw NetworkError.shapeMismatch("\(input) is too small to pool")
        }
        return Shape(channels: input.channels, height: input.height / 2, width: input.width / 2)
    }

    func savedCount(input: Shape, output: Shape, batch: Int) -> Int { batch * output.count }

    // x: [B, C, H, W] → y: [B, C, H/2, W/2];  saved: index of each winner within its plane
    func forward(_ p: LayerPass) {
        let inW = p.input.width, outH = p.output.height, outW = p.output.width
        Threads.split(p.batch * p.input.channels, threads: p.threads) { _, planes in
            for plane in planes {
                let x = p.x + plane * p.input.plane, y = p.y + plane * p.output.plane
                chroma_nn_max_pool(x, inW, outH, outW, y, p.saved + plane * p.output.plane)
            }
        }
    }

    // dx = 0 except dx[winner] = dy
    func backward(_ p: LayerPass) {
        guard let dx = p.dx else { return }
        Threads.split(p.batch * p.input.channels, threads: p.threads) { _, planes in
            for plane in planes {
                let target = dx + plane * p.input.plane, dy = p.dy + plane * p.output.plane
                chroma_nn_max_pool_backward(dy, p.saved + plane * p.output.plane, p.output.plane, p.input.plane, target)
            }
        }
    }
}

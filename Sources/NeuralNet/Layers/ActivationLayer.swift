#if canImport(Glibc)
import Glibc
#endif
import CNeuralNet
import Threading

/// An element-wise non-linearity.
public enum Activation: String, Sendable, Equatable, CaseIterable {
    case relu
    /// max(x, 0.01·x)
    case leaky
    case sigmoid
    case tanh
    /// The identity: no layer at all.
    case linear

    /// He initialisation suits the ReLU family, Glorot the rest.
    var prefersHeInitialisation: Bool { self == .relu || self == .leaky }
}

struct ActivationLayer: Layer {
    let activation: Activation

    var kind: String { activation.rawValue }

    func outputShape(for input: Shape) throws -> Shape { input }

    // y = f(x), element-wise over [B, C, H, W]
    func forward(_ p: LayerPass) {
        let activation = activation
        Threads.split(p.batch, threads: p.threads) { _, samples in
            let start = samples.lowerBound * p.input.count, end = samples.upperBound * p.input.count
            switch activation {
            case .relu: chroma_nn_relu(p.x + start, end - start, p.y + start)
            case .leaky: for i in start..<end { p.y[i] = p.x[i] > 0 ? p.x[i] : 0.01 * p.x[i] }
            case .sigmoid: for i in start..<end { p.y[i] = 1 / (1 + expf(-p.x[i])) }
            case .tanh: for i in start..<end { p.y[i] = tanhf(p.x[i]) }
            case .linear: for i in start..<end { p.y[i] = p.x[i] }
            }
        }
    }

    // dx = f'(x) · dy, with f' taken from y where that is cheaper
    func backward(_ p: LayerPass) {
        guard let dx = p.dx else { return }
        let activation = activation
        Threads.split(p.batch, threads: p.threads) { _, samples in
            let start = samples.lowerBound * p.input.count, end = samples.upperBound * p.input.count
            switch activation {
            case .relu: chroma_nn_relu_backward(p.x + start, p.dy + start, end - start, dx + start)
            case .leaky: for i in start..<end { dx[i] = p.x[i] > 0 ? p.dy[i] : 0.01 * p.dy[i] }
            case .sigmoid: for i in start..<end { dx[i] = p.y[i] * (1 - p.y[i]) * p.dy[i] }
            case .tanh: for i in start..<end { dx[i] = (1 - p.y[i] * p.y[i]) * p.dy[i] }
            case .linear: for i in start..<end { dx[i] = p.dy[i] }
            }
        }
    }
}

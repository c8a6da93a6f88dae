import CNeuralNet
import Threading
#if canImport(Glibc)
import Glibc
#endif

/// Updates a network's parameters from its gradients.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// Steps taken so far.
    var steps: Int { get }
    /// One update from `network.gradients`.
    func step(_ network: Network)
    /// Everything needed to continue exactly where this optimiser stopped.
    var stateVector: [Float] { get }
    func restore(stateVector: [Float], steps: Int) throws
}

/// Adam (Kingma & Ba 2015) with bias correction; weight decay, when set, is
/// decoupled from the gradient as in AdamW (Loshchilov & Hutter 2019).
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    public private(set) var steps = 0
    let m: FloatBuffer
    let v: FloatBuffer

    public init(parameterCount: Int, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        m = FloatBuffer(count: parameterCount)
        v = FloatBuffer(count: parameterCount)
    }

    // m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;  p ← p − lr (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε) − lr·wd·p
    public func step(_ network: Network) {
        precondition(network.parameterCount == m.count, "optimiser made for another network")
        steps += 1
        let correction1 = 1 - powf(beta1, Float(steps)), correction2 = 1 - powf(beta2, Float(steps))
        let p = network.parameters.pointer, g = network.gradients.pointer, m = m.pointer, v = v.pointer
        let (lr, b1, b2, eps, decay) = (learningRate, beta1, beta2, epsilon, learningRate * weightDecay)
        // Each parameter's update reads only its own values, so the threads' shares give the same floats.
        Threads.split(network.parameterCount, threads: network.threads) { _, share in
            let i = share.lowerBound
            chroma_nn_adam(p + i, g + i, m + i, v + i, share.count, lr, b1, b2, eps, decay, correction1, correction2)
        }
    }

    public var stateVector: [Float] { m.array + v.array }

    public func restore(stateVector: [Float], steps: Int) throws {
        guard stateVector.count == 2 * m.count else { throw NetworkError.shapeMismatch("optimiser state of \(stateVector.count) values, expected \(2 * m.count)") }
        m.copy(from: Array(stateVector[0..<m.count]))
        v.copy(from: Array(stateVector[m.count...]))
        self.steps = steps
    }
}

/// Stochastic gradient descent with (heavy-ball) momentum and optional L2 weight decay.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    public private(set) var steps = 0
    let velocity: FloatBuffer

    public init(parameterCount: Int, learningRate: Float = 0.01, momentum: Float = 0.9, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocity = FloatBuffer(count: parameterCount)
    }

    // v ← μ v + (g + wd·p);  p ← p − lr v
    public func step(_ network: Network) {
        steps += 1
        let p = network.parameters.pointer, g = network.gradients.pointer, v = velocity.pointer
        for i in 0..<network.parameterCount {
            v[i] = momentum * v[i] + g[i] + weightDecay * p[i]
            p[i] -= learningRate * v[i]
        }
    }

    public var stateVector: [Float] { velocity.array }

    public func restore(stateVector: [Float], steps: Int) throws {
        guard stateVector.count == velocity.count else { throw NetworkError.shapeMismatch("optimiser state of \(stateVector.count) values, expected \(velocity.count)") }
        velocity.copy(from: stateVector)
        self.steps = steps
    }
}

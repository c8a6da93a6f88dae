/// A loss between a prediction and a target, averaged over all elements.
public enum Loss: Equatable, Sendable, CustomStringConvertible {
    /// Mean squared error: mean((y − t)²).
    case mse
    /// Mean absolute error: mean(|y − t|).
    case l1
    /// Huber: ½d² where |d| ≤ δ, else δ(|d| − ½δ); quadratic near 0, linear beyond δ.
    case huber(delta: Float)

    /// Parses `mse`, `l1`, `huber` (δ = 1) or `huber:δ`.
    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: ":")
        switch parts.first {
        case "mse": self = .mse
        case "l1": self = .l1
        case "huber":
            let delta = parts.count > 1 ? Float(parts[1]) : 1
            guard let delta, delta > 0 else { return nil }
            self = .huber(delta: delta)
        default: return nil
        }
        if parts.count > 1 && parts.first != "huber" { return nil }
    }

    public var description: String {
        switch self {
        case .mse: "mse"
        case .l1: "l1"
        case .huber(let delta): delta == 1 ? "huber" : "huber:\(delta)"
        }
    }

    /// The mean loss over `count` elements; writes ∂loss/∂prediction into `gradient` when given.
    public func evaluate(prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, count: Int,
                         gradient: UnsafeMutablePointer<Float>? = nil) -> Float {
        var total: Double = 0
        let scale = 1 / Float(count)
        for i in 0..<count {
            let d = prediction[i] - target[i]
            let (value, slope): (Float, Float)
            switch self {
            case .mse: (value, slope) = (d * d, 2 * d)
            case .l1: (value, slope) = (abs(d), d > 0 ? 1 : d < 0 ? -1 : 0)
            case .huber(let delta):
                (value, slope) = abs(d) <= delta ? (0.5 * d * d, d) : (delta * (abs(d) - 0.5 * delta), d > 0 ? delta : -delta)
            }
            total += Double(value)
            gradient?[i] = slope * scale
        }
        return Float(total / Double(count))
    }
}

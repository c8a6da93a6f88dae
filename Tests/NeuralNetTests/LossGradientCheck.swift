@testable import NeuralNet

/// (L(v + ε) − L(v − ε)) / 2ε for one value v (`saved`), which `set` writes and which is
/// restored afterwards: the numeric derivative every gradient check compares with.
func centralDifference(around saved: Float, epsilon: Float, set: (Float) -> Void,
                       loss: () throws -> Double) rethrows -> Double {
    set(saved + epsilon)
    let plus = try loss()
    set(saved - epsilon)
    let minus = try loss()
    set(saved)
    return (plus - minus) / Double(2 * epsilon)
}

/// A loss's analytic gradient against central finite differences, value by value.
/// - Parameter agrees: whether an analytic and a numeric derivative match, by the test's own tolerance.
/// - Returns: the analytic gradient, and a line for each value where they disagree.
func lossGradientCheck(_ loss: Loss, prediction: [Float], target: [Float], sample: Shape, epsilon: Float,
                       agrees: (_ analytic: Double, _ numeric: Double) -> Bool) -> (analytic: [Float], failures: [String]) {
    var prediction = prediction
    var analytic = [Float](repeating: 0, count: prediction.count)
    _ = loss.evaluate(prediction: prediction, target: target, count: prediction.count, sample: sample, gradient: &analytic)
    var failures: [String] = []
    for i in prediction.indices {
        let numeric = centralDifference(around: prediction[i], epsilon: epsilon, set: { prediction[i] = $0 }) {
            Double(loss.evaluate(prediction: prediction, target: target, count: prediction.count, sample: sample))
        }
        if !agrees(Double(analytic[i]), numeric) { failures.append("\(i): analytic \(analytic[i]), numeric \(numeric)") }
    }
    return (analytic, failures)
}

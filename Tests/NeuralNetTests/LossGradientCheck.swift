@testable import NeuralNet

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
        let saved = prediction[i]
        prediction[i] = saved + epsilon
        let plus = Double(loss.evaluate(prediction: prediction, target: target, count: prediction.count, sample: sample))
        prediction[i] = saved - epsilon
        let minus = Double(loss.evaluate(prediction: prediction, target: target, count: prediction.count, sample: sample))
        prediction[i] = saved
        let numeric = (plus - minus) / Double(2 * epsilon)
        if !agrees(Double(analytic[i]), numeric) { failures.append("\(i): analytic \(analytic[i]), numeric \(numeric)") }
    }
    return (analytic, failures)
}

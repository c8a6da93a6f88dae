import Foundation
import Testing
@testable import NeuralNet

@Suite struct VectorExpTests {
    @Test func matchesLibmAcrossTheRange() {
        // −87…88 in uneven steps, plus the clamped ends; 8 lanes and a scalar tail.
        var inputs: [Float] = stride(from: Float(-87), through: 88, by: 0.173).map { $0 }
        inputs += [-200, -87.5, 0, -0, 1e-8, 88, 120]
        var values = inputs
        let zeros = [Float](repeating: 0, count: inputs.count)
        values.withUnsafeMutableBufferPointer { values in
            zeros.withUnsafeBufferPointer { expInPlace(values.baseAddress!, offset: $0.baseAddress!, count: inputs.count) }
        }
        for (x, y) in zip(inputs, values) {
            if x < -87 {
                #expect(y == 0, "e^\(x)")
            } else {
                let expected = Foundation.exp(Double(min(x, 88)))  // clamped above e⁸⁸
                #expect(abs(Double(y) - expected) <= 3e-7 * expected, "e^\(x) = \(y), expected \(expected)")
            }
        }
    }

    @Test func appliesScaleAndOffset() {
        var values: [Float] = (0..<11).map { Float($0) }
        let offset: [Float] = (0..<11).map { -Float($0) / 4 }
        values.withUnsafeMutableBufferPointer { values in
            offset.withUnsafeBufferPointer { expInPlace(values.baseAddress!, offset: $0.baseAddress!, scale: 0.5, count: 11) }
        }
        for i in 0..<11 {
            let expected = Foundation.exp(Double(i) / 4)
            #expect(abs(Double(values[i]) - expected) <= 3e-7 * expected)
        }
    }
}

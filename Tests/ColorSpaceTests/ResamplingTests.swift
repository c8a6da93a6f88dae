import Testing
@testable import ColorSpace

@Suite("Resampling and gamma stacks")
struct ResamplingTests {
    static func ramp(_ width: Int, _ height: Int) -> Plane {
        Plane(width: width, height: height, values: (0..<(width * height)).map { Float($0 % width + 3 * ($0 / width)) })
    }

    @Test("area downscale by whole factors is the block mean")
    func areaWholeFactor() {
        let plane = Plane(width: 4, height: 2, values: [1, 3, 5, 7, 2, 4, 6, 8])
        let small = Resampler.areaDownscale(plane, width: 2, height: 1)
        #expect(small.values == [2.5, 6.5])
    }

    @Test("area downscale by fractional factors keeps the mean", arguments: [(7, 5), (3, 2), (32, 32), (10, 1)])
    func areaKeepsMean(size: (Int, Int)) {
        let plane = Self.ramp(97, 61)
        let small = Resampler.areaDownscale(plane, width: size.0, height: size.1)
        let meanIn = plane.values.reduce(0, +) / Float(plane.values.count)
        let meanOut = small.values.reduce(0, +) / Float(small.values.count)
        #expect(abs(meanIn - meanOut) < 1e-3 * meanIn)
    }

    @Test("constant planes stay constant at every size and edge", arguments: Resampler.Method.allCases)
    func constants(method: Resampler.Method) {
        let plane = Plane(width: 9, height: 7, fill: 42)
        for (w, h) in [(3, 2), (40, 31), (9, 20), (1, 1)] {
            let out = Resampler.resize(plane, width: w, height: h, method: method)
            #expect(out.values.allSatisfy { abs($0 - 42) < 1e-4 }, "\(method) to \(w)×\(h)")
        }
    }

    @Test("bilinear and bicubic reproduce a linear ramp away from the borders", arguments: [Resampler.Method.bilinear, .bicubic])
    func linearRamps(method: Resampler.Method) {
        let plane = Plane(width: 8, height: 1, values: (0..<8).map { Float($0) })
        let big = Resampler.resize(plane, width: 32, height: 1, method: method)
        // Output pixel i has its centre at source coordinate (i + ½)/4 − ½.
        for i in 8..<24 {
            #expect(abs(big.values[i] - (Float(i) + 0.5) / 4 + 0.5) < 1e-4)
        }
        #expect(big.values.allSatisfy { $0 >= -1e-4 && $0 <= 7 + 1e-4 }, "no overshoot at the borders")
    }

    @Test("threads agree")
    func threads() {
        let plane = Self.ramp(53, 41)
        #expect(Resampler.resize(plane, width: 200, height: 17, method: .bicubic, threads: 1)
                == Resampler.resize(plane, width: 200, height: 17, method: .bicubic, threads: 3))
    }

    @Test("gamma stacks raise each value to each gamma")
    func gammaStack() {
        let plane = Plane(width: 3, height: 1, values: [0, 0.25, 1])
        let stack = GammaStack.planes(from: plane, gammas: [0.5, 1, 2])
        #expect(stack.count == 3)
        #expect(stack[0].values == [0, 0.5, 1])
        #expect(stack[1].values == [0, 0.25, 1])
        #expect(stack[2].values == [0, 0.0625, 1])
        let range: ClosedRange<Float> = -128...128
        let round = Plane(width: 2, height: 1, values: [-20, 64]).normalised(from: range).denormalised(to: range)
        #expect(round.values == [-20, 64])
    }
}

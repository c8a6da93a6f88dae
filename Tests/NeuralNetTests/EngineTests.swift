import Testing
@testable import NeuralNet

@Suite("Engine")
struct EngineTests {
    @Test("parameter counts match the seed reports' summaries")
    func parameterCounts() throws {
        #expect(Network(architecture: .reference(outputs: 3), inputChannels: 3).parameterCount == 4_911)
        #expect(Network(architecture: .reference(outputs: 2), inputChannels: 1).parameterCount == 4_658)
        #expect(Network(architecture: try Architecture("c12 p c24 p c48 u c12 c6 u c3"), inputChannels: 3).parameterCount == 19_383)
    }

    @Test("a small network overfits a small batch")
    func overfits() throws {
        let network = Network(architecture: try Architecture("c16 c16 c2 sigmoid"), inputChannels: 1, seed: 3)
        let shape = Shape(channels: 1, height: 6, width: 6)
        var random = SeededRandom(seed: 5)
        let x = (0..<(2 * 36)).map { _ in random.uniform() }
        let t = (0..<(2 * 72)).map { _ in 0.2 + 0.6 * random.uniform() }
        let adam = Adam(parameterCount: network.parameterCount, learningRate: 1e-2)
        var first: Float = 0, last: Float = 0
        for step in 0..<1500 {
            let y = try network.forward(x, batch: 2, shape: shape, training: true)
            let loss = t.withUnsafeBufferPointer {
                Loss.mse.evaluate(prediction: y.baseAddress!, target: $0.baseAddress!, count: t.count, gradient: network.outputGradient.baseAddress!)
            }
            if step == 0 { first = loss }
            last = loss
            network.backward()
            adam.step(network)
        }
        #expect(first > 0.01)
        #expect(last < 1e-4, "loss \(first) → \(last)")
    }

    @Test("mirror-averaged prediction treats an image and its mirror image alike")
    func mirrorAveraged() throws {
        #expect(Network.mirrored([1, 2, 3, 4, 5, 6], width: 3) == [3, 2, 1, 6, 5, 4])
        // A random network is not symmetric, so its plain prediction of a mirrored image is not
        // the mirrored prediction; the average is, exactly, up to rounding.
        let network = Network(architecture: try Architecture("c6 p c6 u:bilinear c3"), inputChannels: 2, seed: 4)
        let shape = Shape(channels: 2, height: 6, width: 8)
        var random = SeededRandom(seed: 9)
        let x = (0..<(3 * shape.count)).map { _ in random.uniform() }
        let mirror = Network.mirrored(x, width: 8)
        let plain = try network.predict(x, count: 3, shape: shape)
        let plainOfMirror = try network.predict(mirror, count: 3, shape: shape)
        let averaged = try network.predict(x, count: 3, shape: shape, mirrorAveraged: true)
        let averagedOfMirror = try network.predict(mirror, count: 3, shape: shape, mirrorAveraged: true)
        func distance(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max()! }
        #expect(distance(Network.mirrored(plainOfMirror, width: 8), plain) > 1e-3)
        #expect(distance(Network.mirrored(averagedOfMirror, width: 8), averaged) < 1e-5)
        #expect(distance(averaged, zip(plain, Network.mirrored(plainOfMirror, width: 8)).map { ($0 + $1) / 2 }) < 1e-6)
        #expect(try network.predict(x, count: 3, shape: shape, mirrorAveraged: false) == plain)
        #expect(distance(try network.predict(x, count: 3, shape: shape, chunk: 2, mirrorAveraged: true), averaged) < 1e-6)
    }

    @Test("an inference pass reuses the buffers of values no later layer reads, with the same floats")
    func inferenceSharesValueBuffers() throws {
        // The bundled U-Net's layout, smaller: skips held across pools, joins after upsampling.
        let architecture = try Architecture("c4 p c6:bn skip p c8:bn skip p c8 u:bilinear concat c6:bn u:bilinear concat c5 c3:k1 u:bilinear")
        let shape = Shape(channels: 1, height: 16, width: 24)
        var random = SeededRandom(seed: 12)
        let x = (0..<(2 * shape.count)).map { _ in random.uniform() }
        let network = Network(architecture: architecture, inputChannels: 1, seed: 6)
        network.threads = 1
        let shapes = try network.shapes(for: shape)
        let plan = Network.ValueBuffers(network.layers, counts: shapes.map { 2 * $0.count })
        #expect(plan.sizes.count < shapes.count / 2, "\(plan.sizes.count) buffers for \(shapes.count) values")
        // No buffer holds a value while a layer that reads an earlier value of that buffer is yet to run.
        var reads = Array(shapes.indices)
        for (i, layer) in network.layers.enumerated() {
            if let join = layer as? any SkipJoin { reads[join.source] = max(reads[join.source], i) }
        }
        for v in shapes.indices {
            #expect(plan.sizes[plan.bufferOfValue[v]] >= 2 * shapes[v].count)
            for u in 0..<v where plan.bufferOfValue[u] == plan.bufferOfValue[v] { #expect(reads[u] < v - 1, "values \(u) and \(v)") }
        }
        // The same floats as a pass in a workspace that keeps every value (one that backward can follow).
        let shared = try network.predict(x, count: 2, shape: shape)
        let kept = Array(try network.forward(x, batch: 2, shape: shape, training: false))
        #expect(shared == kept)
        // The bound counts the shared buffers, not one per value: the pass fits in exactly those bytes.
        let needed = try network.workspaceBytes(batch: 2, shape: shape, withGradients: false)
        let bounded = Network(architecture: architecture, inputChannels: 1, seed: 6)
        bounded.threads = 1
        bounded.maxWorkspaceBytes = needed + 2 * shapes.last!.count * MemoryLayout<Float>.size  // and the result
        #expect(try bounded.predict(x, count: 2, shape: shape) == kept)
        bounded.maxWorkspaceBytes! -= 1
        #expect(throws: NetworkError.self) { try bounded.predict(x, count: 2, shape: shape) }
    }

    @Test("a network frozen for inference predicts the same floats, its convolution weights laid out once")
    func frozenForInference() throws {
        // Kernels 1, 3 and 5 take the shifted path; the stride-2 and valid ones do not.
        let architecture = try Architecture("c4 c5:k5:bn c6:k3:s2 c4:k3:valid c3:k1 u:bilinear")
        let shape = Shape(channels: 2, height: 12, width: 10)
        var random = SeededRandom(seed: 5)
        let x = (0..<(3 * shape.count)).map { _ in random.uniform() }
        let network = Network(architecture: architecture, inputChannels: 2, seed: 8)
        let before = try network.predict(x, count: 3, shape: shape, mirrorAveraged: true)
        network.freezeForInference()
        #expect(network.isFrozen)
        #expect(try network.predict(x, count: 3, shape: shape, mirrorAveraged: true) == before)
        let fresh = Network(architecture: architecture, inputChannels: 2, seed: 8)
        let frozenOutput = Array(try network.forward(x, batch: 3, shape: shape, training: false))
        #expect(frozenOutput == Array(try fresh.forward(x, batch: 3, shape: shape, training: false)))
    }

    /// A forward pass over `x` and the gradient of a fixed loss sent back; returns the outputs.
    static func trainingPass(_ network: Network, _ x: [Float], batch: Int, shape: Shape, training: Bool) throws -> [Float] {
        let y = Array(try network.forward(x, batch: batch, shape: shape, training: training))
        for i in 0..<y.count { network.outputGradient[i] = y[i] - Float(i % 7) / 7 }
        network.backward()
        return y
    }

    @Test("without batch norm, a batch split between the threads once gives the floats of every layer splitting it")
    func batchSplitOnce() throws {
        // Every kind of layer that computes samples alone: shifted, im2col and transposed
        // convolutions, pooling, both upsamplings, concatenated and added skips, activations.
        let architecture = try Architecture("c4 skip p c5:k5 skip c5:k3:s2 t5:k2:s2 add u:bilinear concat c6:k1 u c3:k3:valid sigmoid")
        let shape = Shape(channels: 2, height: 12, width: 16)
        var random = SeededRandom(seed: 9)
        for batch in [5, 1] {
            let x = (0..<(batch * shape.count)).map { _ in random.uniform() }
            let once = Network(architecture: architecture, inputChannels: 2, seed: 3)
            let byLayer = Network(architecture: architecture, inputChannels: 2, seed: 3)
            byLayer.splitsBatchOnceWhenPossible = false
            var results: [[Float]] = []
            for network in [once, byLayer] {
                network.threads = 2
                network.computesInputGradient = true
                let y = try Self.trainingPass(network, x, batch: batch, shape: shape, training: true)
                results.append(y + Array(network.gradients.buffer) + Array(network.inputGradient!))
            }
            let firstDifference = results[0].indices.first { results[0][$0].bitPattern != results[1][$0].bitPattern }
            #expect(firstDifference == nil, "batch \(batch): outputs, then gradients, then input gradients differ from value \(firstDifference ?? 0)")
        }
    }

    @Test("with batch norm, a batch split once gives the layers splitting it within rounding, and the same floats run after run")
    func batchSplitOnceWithBatchNorm() throws {
        // Batch norms first, last, after a skip and before a pooling; a batch of 5 splits 2 + 3.
        let architecture = try Architecture("c4:bn skip p c6:bn c6:bn:leaky u concat c5:k1 c3:bn")
        let shape = Shape(channels: 2, height: 8, width: 12)
        var random = SeededRandom(seed: 11)
        let batch = 5
        let x = (0..<(batch * shape.count)).map { _ in random.uniform() }
        func run(splitOnce: Bool, training: Bool) throws -> (outputs: [Float], gradients: [Float], inputGradient: [Float], state: [Float]) {
            let network = Network(architecture: architecture, inputChannels: 2, seed: 3)
            network.threads = 2
            network.computesInputGradient = true
            network.splitsBatchOnceWhenPossible = splitOnce
            var y: [Float] = []
            for _ in 0..<2 {  // the second pass sees the running statistics the first updated
                y = try Self.trainingPass(network, x, batch: batch, shape: shape, training: training)
            }
            return (y, Array(network.gradients.buffer), Array(network.inputGradient!), Array(network.state.buffer))
        }
        for training in [true, false] {
            let once = try run(splitOnce: true, training: training), byLayer = try run(splitOnce: false, training: training)
            func close(_ a: [Float], _ b: [Float]) -> Bool {
                let scale = max(b.map { abs($0) }.max() ?? 0, 1e-3)
                return a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * scale }
            }
            #expect(close(once.outputs, byLayer.outputs), "outputs, training: \(training)")
            #expect(close(once.gradients, byLayer.gradients), "parameter gradients, training: \(training)")
            #expect(close(once.inputGradient, byLayer.inputGradient), "input gradients, training: \(training)")
            #expect(close(once.state, byLayer.state), "running statistics, training: \(training)")
            let again = try run(splitOnce: true, training: training)
            #expect(again.outputs == once.outputs && again.gradients == once.gradients && again.state == once.state)
        }
    }

    @Test("on two threads, a sample and its mirror image each run alone: the floats of two one-thread passes, averaged")
    func mirrorAveragedInHalves() throws {
        let architecture = try Architecture("c4 p c6:bn skip p c6:bn u:bilinear concat c4:bn c5:k1 u:bilinear")
        let shape = Shape(channels: 1, height: 8, width: 12)
        var random = SeededRandom(seed: 5)
        let x = (0..<(2 * shape.count)).map { _ in random.uniform() }
        let twoThreads = Network(architecture: architecture, inputChannels: 1, seed: 7), oneThread = Network(architecture: architecture, inputChannels: 1, seed: 7)
        twoThreads.threads = 2
        oneThread.threads = 1
        let averaged = try twoThreads.predict(x, count: 2, shape: shape, chunk: 1, mirrorAveraged: true)
        let outputs = try twoThreads.outputShape(for: shape).count
        for sample in 0..<2 {
            let image = Array(x[sample * shape.count..<(sample + 1) * shape.count])
            let plain = try oneThread.predict(image, count: 1, shape: shape)
            let ofMirror = Network.mirrored(try oneThread.predict(Network.mirrored(image, width: 12), count: 1, shape: shape), width: 12)
            #expect(Array(averaged[sample * outputs..<(sample + 1) * outputs]) == zip(plain, ofMirror).map { 0.5 * ($0 + $1) })
        }
    }

    @Test("inference alternating between two input shapes gives what a fresh network gives, bound or no bound")
    func alternatingShapes() throws {
        let architecture = try Architecture("c6 p c6 u:bilinear c3")
        let small = Shape(channels: 2, height: 4, width: 6), large = Shape(channels: 2, height: 8, width: 12)
        var random = SeededRandom(seed: 21)
        let x = (0..<small.count).map { _ in random.uniform() }, y = (0..<large.count).map { _ in random.uniform() }
        let expected = (try Network(architecture: architecture, inputChannels: 2, seed: 4).predict(x, count: 1, shape: small, mirrorAveraged: true),
                        try Network(architecture: architecture, inputChannels: 2, seed: 4).predict(y, count: 1, shape: large, mirrorAveraged: true))
        for bound in [nil, 1 << 30, try Network(architecture: architecture, inputChannels: 2).workspaceBytes(batch: 2, shape: large) + (1 << 12)] {
            let network = Network(architecture: architecture, inputChannels: 2, seed: 4)
            network.maxWorkspaceBytes = bound
            for _ in 0..<3 {
                #expect(try network.predict(x, count: 1, shape: small, mirrorAveraged: true) == expected.0)
                #expect(try network.predict(y, count: 1, shape: large, mirrorAveraged: true) == expected.1)
            }
        }
    }

    @Test("predict allocates no gradients (and says so if backward follows); forward still does")
    func predictWithoutGradients() throws {
        let network = Network(architecture: try Architecture("c6 p c6 u:bilinear c3"), inputChannels: 2, seed: 4)
        let shape = Shape(channels: 2, height: 4, width: 6)
        let (with, without) = (try network.workspaceBytes(batch: 1, shape: shape), try network.workspaceBytes(batch: 1, shape: shape, withGradients: false))
        #expect(without < with)
        network.maxWorkspaceBytes = without + 2 * 3 * 4 * 6 * 4  // the workspace and the result
        let x = [Float](repeating: 0.5, count: shape.count)
        let predicted = try network.predict(x, count: 1, shape: shape)
        #expect(throws: NetworkError.self) { try network.forward(x, batch: 1, shape: shape, training: true) }
        network.maxWorkspaceBytes = nil
        #expect(Array(try network.forward(x, batch: 1, shape: shape, training: false)) == predicted)
        network.backward()  // the forward pass's workspace has gradients
    }

    @Test("a stride-1 \"same\" convolution computes the textbook sum, samples and borders kept apart", arguments: [1, 3, 5])
    func sameConvolution(kernel: Int) throws {
        // One convolution, linear: the last layer of a spec is. Five samples on two threads put
        // several samples in one padded matrix, sharing padding rows.
        let network = Network(architecture: try Architecture("c3:k\(kernel)"), inputChannels: 2, seed: 5)
        network.threads = 2
        let shape = Shape(channels: 2, height: 5, width: 7), batch = 5, pad = kernel / 2
        var random = SeededRandom(seed: 13)
        let x = (0..<(batch * shape.count)).map { _ in random.normal() }
        for i in 0..<network.parameterCount { network.parameters[i] = random.normal() }  // the bias too, nonzero
        let y = Array(try network.forward(x, batch: batch, shape: shape, training: false))
        let taps = kernel * kernel, weights = 3 * 2 * taps
        var worst: Float = 0
        for j in 0..<batch {
            for o in 0..<3 {
                for row in 0..<5 {
                    for column in 0..<7 {
                        var sum = Double(network.parameters[weights + o])
                        for c in 0..<2 {
                            for ky in 0..<kernel {
                                for kx in 0..<kernel {
                                    let (sy, sx) = (row + ky - pad, column + kx - pad)
                                    guard (0..<5).contains(sy), (0..<7).contains(sx) else { continue }
                                    sum += Double(network.parameters[(o * 2 + c) * taps + ky * kernel + kx])
                                        * Double(x[j * shape.count + (c * 5 + sy) * 7 + sx])
                                }
                            }
                        }
                        worst = max(worst, abs(Float(sum) - y[((j * 3 + o) * 5 + row) * 7 + column]))
                    }
                }
            }
        }
        #expect(worst < 1e-4, "largest difference \(worst)")
    }

    @Test("Adam's update matches a hand-computed step")
    func adamStep() throws {
        let network = Network(architecture: try Architecture("c1:k1"), inputChannels: 1)  // weight and bias
        network.parameters.copy(from: [1, -2])
        let adam = Adam(parameterCount: 2, learningRate: 0.1)
        network.gradients.copy(from: [0.5, -0.1])
        adam.step(network)
        // Step 1: m̂ = g, v̂ = g², so each parameter moves lr · sign(g).
        #expect(abs(network.parameters[0] - 0.9) < 1e-6 && abs(network.parameters[1] - -1.9) < 1e-6)
        network.gradients.copy(from: [0.2, 0.3])
        adam.step(network)
        // Step 2: m = 0.9·0.05 + 0.1·0.2 = 0.065, v = 0.999·0.00025 + 0.001·0.04 = 0.00028975;
        // m̂ = 0.065 / 0.19, v̂ = 0.00028975 / 0.001999.
        let expected0 = 0.9 - 0.1 * (0.065 / 0.19) / ((0.00028975 / 0.001999).squareRoot() + 1e-8)
        #expect(abs(Double(network.parameters[0]) - expected0) < 1e-5)
        let decay = Adam(parameterCount: 2, learningRate: 0.1, weightDecay: 0.5)
        network.parameters.copy(from: [1, 1])
        network.gradients.copy(from: [0, 0])
        decay.step(network)
        #expect(abs(network.parameters[0] - 0.95) < 1e-6, "decoupled decay: p − lr·wd·p")
    }

    @Test("SGD with momentum")
    func sgd() throws {
        let network = Network(architecture: try Architecture("c1:k1"), inputChannels: 1)
        network.parameters.copy(from: [1, 0])
        let sgd = SGD(parameterCount: 2, learningRate: 0.1, momentum: 0.5)
        network.gradients.copy(from: [1, 2])
        sgd.step(network)
        sgd.step(network)
        // v1 = g, v2 = 0.5 g + g = 1.5 g: p = p0 − 0.1 (g + 1.5 g)
        #expect(abs(network.parameters[0] - 0.75) < 1e-6 && abs(network.parameters[1] - -0.5) < 1e-6)
    }

    @Test("losses and their gradients")
    func losses() {
        let prediction: [Float] = [0, 1, 3], target: [Float] = [1, 1, 0]
        var gradient = [Float](repeating: 0, count: 3)
        func run(_ loss: Loss) -> Float {
            loss.evaluate(prediction: prediction, target: target, count: 3, gradient: &gradient)
        }
        #expect(run(.mse) == 10.0 / 3 && gradient == [-2.0 / 3, 0, 2])
        #expect(run(.l1) == 4.0 / 3 && gradient == [-1.0 / 3, 0, 1.0 / 3])
        #expect(run(.huber(delta: 1)) == (0.5 + 2.5) / 3 && gradient == [-1.0 / 3, 0, 1.0 / 3])
        #expect(Loss("huber:0.1") == .huber(delta: 0.1) && Loss("mse") == .mse && Loss("l2") == nil)
    }

    @Test("the same seed gives the same weights and the same training run, bit for bit")
    func determinism() throws {
        func run() throws -> [Float] {
            let network = Network(architecture: try Architecture("c8:bn p c8 u c2 sigmoid"), inputChannels: 2, seed: 99)
            var random = SeededRandom(seed: 1)
            let shape = Shape(channels: 2, height: 8, width: 8)
            let x = (0..<(5 * shape.count)).map { _ in random.uniform() }
            let t = (0..<(5 * 2 * 64)).map { _ in random.uniform() }
            let adam = Adam(parameterCount: network.parameterCount)
            for _ in 0..<5 {
                let y = try network.forward(x, batch: 5, shape: shape, training: true)
                _ = t.withUnsafeBufferPointer {
                    Loss.mse.evaluate(prediction: y.baseAddress!, target: $0.baseAddress!, count: t.count, gradient: network.outputGradient.baseAddress!)
                }
                network.backward()
                adam.step(network)
            }
            return network.parameters.array + network.state.array
        }
        #expect(try run() == run())
        #expect(Network(architecture: .reference(), inputChannels: 1, seed: 1).parameters.array
                != Network(architecture: .reference(), inputChannels: 1, seed: 2).parameters.array)
    }

    @Test("fully convolutional: any input size the pooling allows, any batch")
    func anySize() throws {
        let network = Network(architecture: .reference(), inputChannels: 1)
        for (h, w) in [(32, 32), (64, 96), (8, 8), (36, 20)] {
            let shape = Shape(channels: 1, height: h, width: w)
            let out = try network.predict([Float](repeating: 0.5, count: 3 * shape.count), count: 3, shape: shape, chunk: 2)
            #expect(out.count == 3 * 2 * h * w)
            #expect(out.allSatisfy { $0 > 0 && $0 < 1 }, "sigmoid output")
        }
        #expect(throws: NetworkError.self) { try network.outputShape(for: Shape(channels: 3, height: 32, width: 32)) }
        #expect(throws: NetworkError.self) { try network.outputShape(for: Shape(channels: 1, height: 3, width: 3)) }
    }

    @Test("batch norm uses running statistics at inference")
    func batchNormInference() throws {
        let network = Network(architecture: try Architecture("c2:k1:bn linear"), inputChannels: 1)
        let shape = Shape(channels: 1, height: 2, width: 2)
        let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        for _ in 0..<200 { try network.forward(x, batch: 2, shape: shape, training: true) }
        let trained = Array(try network.forward(x, batch: 2, shape: shape, training: true))
        let inference = Array(try network.forward(x, batch: 2, shape: shape, training: false))
        // After many identical batches the running mean is the batch mean and the running
        // variance the unbiased batch variance (8 values: × 8/7), so with γ = 1, β = 0
        // inference gives the training output × √(7/8).
        for (a, b) in zip(trained, inference) { #expect(abs(a * (7.0 / 8).squareRoot() - b) < 1e-3) }
    }
}

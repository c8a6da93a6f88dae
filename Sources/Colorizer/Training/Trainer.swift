import Datasets
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// Settings of a colorization training run.
public struct TrainingConfiguration: Sendable, Equatable {
    public var task: ColorizationTask
    public var architecture: Architecture
    public var batchSize = 32
    public var learningRate: Float = 1e-3
    public var seed: UInt64 = 1
    public var loss: Loss = .mse
    /// Mirror each training image left–right with probability ½.
    public var flips = true
    /// Raise the input luminance (0…1) to a random γ from this range, log-uniform;
    /// the target chroma stays, so the model copes with other tone curves.
    public var gammaAugmentation: ClosedRange<Float>? = nil
    public var schedule: LearningRateSchedule = .constant

    public init(task: ColorizationTask, architecture: Architecture) {
        self.task = task
        self.architecture = architecture
    }
}

/// How the learning rate changes over a run.
public enum LearningRateSchedule: Sendable, Equatable {
    /// The same rate throughout.
    case constant
    /// Half a cosine from the full rate down to 1 % of it over `epochs` epochs,
    /// updated every batch: large steps early, fine ones at the end.
    case cosine(epochs: Int)

    /// The rate's multiplier at `progress` epochs into the run (1.5 = halfway through the second).
    public func factor(atEpoch progress: Double) -> Float {
        switch self {
        case .constant: return 1
        case .cosine(let epochs):
            let t = min(max(progress / Double(max(epochs, 1)), 0), 1)
            return Float(0.01 + 0.99 * 0.5 * (1 + cos(Double.pi * t)))
        }
    }
}

/// Trains a network on prepared images, one epoch at a time; the same
/// configuration and seed give the same run.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let network: Network
    public let optimizer: Adam
    let training: PreparedImages
    let validation: PreparedImages
    private let inputs: FloatBuffer
    private let targets: FloatBuffer
    private let luminance: FloatBuffer

    public init(configuration: TrainingConfiguration, training: PreparedImages, validation: PreparedImages) throws {
        guard configuration.architecture.outputChannels == ColorizationTask.outputChannels else {
            throw ColorizerError.mismatch("the architecture outputs \(configuration.architecture.outputChannels) channels; colorization needs 2")
        }
        self.configuration = configuration
        network = Network(architecture: configuration.architecture, inputChannels: configuration.task.inputChannels,
                          seed: configuration.seed)
        optimizer = Adam(parameterCount: network.parameterCount, learningRate: configuration.learningRate)
        self.training = training
        self.validation = validation
        let plane = training.plane, batch = configuration.batchSize
        inputs = FloatBuffer(count: batch * configuration.task.inputChannels * plane)
        targets = FloatBuffer(count: batch * 2 * plane)
        luminance = FloatBuffer(count: batch * plane)
    }

    var shape: Shape { Shape(channels: configuration.task.inputChannels, height: training.height, width: training.width) }

    /// One pass over the training images in an order drawn from the seed and
    /// the epoch number; returns the mean training loss, or nil when `shouldStop`
    /// said so between two batches.
    public func trainEpoch(_ epoch: Int, shouldStop: () -> Bool = { false },
                           progress: (_ done: Int, _ total: Int, _ loss: Float) -> Void = { _, _, _ in }) throws -> Float? {
        var random = SplitMix(seed: configuration.seed &* 1_000_003 &+ UInt64(epoch))
        var order = Array(0..<training.count)
        order.shuffle(using: &random)
        let batch = configuration.batchSize
        var total: Double = 0, batches = 0
        let batchesPerEpoch = Double(order.count / batch)
        for start in Swift.stride(from: 0, to: order.count - batch + 1, by: batch) {
            if shouldStop() { return nil }
            optimizer.learningRate = configuration.learningRate
                * configuration.schedule.factor(atEpoch: Double(epoch - 1) + Double(batches) / batchesPerEpoch)
            fill(from: training, indices: order[start..<start + batch], random: &random, augment: true)
            let output = try network.forward(inputs.pointer, batch: batch, shape: shape, training: true)
            let loss = configuration.loss.evaluate(prediction: output.baseAddress!, target: targets.pointer,
                                                   count: output.count, gradient: network.outputGradient.baseAddress!)
            network.backward()
            optimizer.step(network)
            total += Double(loss)
            batches += 1
            progress(start + batch, order.count, Float(total / Double(batches)))
        }
        return Float(total / Double(max(batches, 1)))
    }

    /// The mean loss over `images` (the validation images by default), without augmentation.
    public func loss(on images: PreparedImages? = nil) throws -> Float {
        let images = images ?? validation
        var random = SplitMix(seed: 0)
        var total: Double = 0, count = 0
        let batch = configuration.batchSize
        for start in Swift.stride(from: 0, to: images.count, by: batch) {
            let n = min(batch, images.count - start)
            fill(from: images, indices: start..<start + n, random: &random, augment: false)
            let output = try network.forward(inputs.pointer, batch: n, shape: shape, training: false)
            total += Double(configuration.loss.evaluate(prediction: output.baseAddress!, target: targets.pointer, count: output.count)) * Double(n)
            count += n
        }
        return Float(total / Double(max(count, 1)))
    }

    private func fill<Indices: Collection<Int>>(from images: PreparedImages, indices: Indices,
                                                random: inout SplitMix, augment: Bool) {
        let plane = images.plane, width = images.width
        for (slot, index) in indices.enumerated() {
            let flip = augment && configuration.flips && random.next() & 1 == 1
            let l = luminance.pointer + slot * plane, t = targets.pointer + slot * 2 * plane
            images.luminance.withUnsafeBufferPointer { source in
                images.chroma.withUnsafeBufferPointer { chroma in
                    for y in 0..<images.height {
                        for x in 0..<width {
                            let from = y * width + (flip ? width - 1 - x : x), to = y * width + x
                            l[to] = source[index * plane + from]
                            t[to] = chroma[2 * index * plane + from]
                            t[plane + to] = chroma[(2 * index + 1) * plane + from]
                        }
                    }
                }
            }
        }
        configuration.task.inputs(luminance: luminance.pointer, count: indices.count, plane: plane, into: inputs.pointer)
        if augment, let range = configuration.gammaAugmentation {
            let channels = configuration.task.inputChannels
            for slot in 0..<indices.count {
                let u = Float(random.next() >> 40) / Float(1 << 24)
                let gamma = expf(logf(range.lowerBound) + u * (logf(range.upperBound) - logf(range.lowerBound)))
                let base = inputs.pointer + slot * channels * plane
                for p in 0..<plane { base[p] = powf(base[p], gamma) }
                for (g, extra) in configuration.task.gammas.enumerated() {
                    for p in 0..<plane { base[(g + 1) * plane + p] = powf(base[p], extra) }
                }
            }
        }
    }
}

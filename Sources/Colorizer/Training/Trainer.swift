import Datasets
import NeuralNet
#if canImport(Glibc)
import Glibc
#endif

/// Settings of a training run.
public struct TrainingConfiguration: Sendable, Equatable {
    public var task: TrainingTask
    public var architecture: Architecture
    public var batchSize = 32
    public var learningRate: Float = 1e-3
    public var seed: UInt64 = 1
    public var loss: Loss = .mse
    /// Mirror each training image left–right with probability ½.
    public var flips = true
    /// Raise the input luminance (0…1) to a random γ from this range, log-uniform;
    /// the target stays, so the model copes with other tone curves. Luminance tasks only.
    public var gammaAugmentation: ClosedRange<Float>? = nil
    /// The share of each training batch, 0…1, replaced by 2 × 2 mosaics of four
    /// random training images shrunk to half size: scenes of several things at
    /// the scale a photo shows them on the model's grid, where CIFAR's images
    /// each fill the frame with one object. 0 draws no extra random numbers, so
    /// runs without it are what they were.
    public var mosaic: Float = 0
    public var schedule: LearningRateSchedule = .constant

    public init(task: TrainingTask, architecture: Architecture) {
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
    let training: TrainingExamples
    let validation: TrainingExamples
    private let inputs: FloatBuffer
    private let targets: FloatBuffer
    private let sources: FloatBuffer

    public init(configuration: TrainingConfiguration, training: TrainingExamples, validation: TrainingExamples) throws {
        let task = configuration.task
        guard configuration.architecture.outputChannels == task.outputChannels else {
            throw ColorizerError.architectureOutputs(configuration.architecture.outputChannels, task: task.kind.rawValue,
                                                     taskNeeds: task.outputChannels)
        }
        let lossBins: BinGrid? = if case .bins(let grid) = configuration.loss { grid } else { nil }
        guard lossBins == task.colorization?.bins else {
            throw ColorizerError.lossDoesNotFitTask(lossHasBins: lossBins != nil)
        }
        guard configuration.gammaAugmentation == nil || task.sourceChannels == 1 else {
            throw ColorizerError.augmentationNeedsLuminance(task: task.kind.rawValue)
        }
        self.configuration = configuration
        network = Network(architecture: configuration.architecture, inputChannels: task.inputChannels, seed: configuration.seed)
        optimizer = Adam(parameterCount: network.parameterCount, learningRate: configuration.learningRate)
        self.training = training
        self.validation = validation
        let plane = training.plane, batch = configuration.batchSize
        inputs = FloatBuffer(count: batch * task.inputChannels * plane)
        targets = FloatBuffer(count: batch * training.targetChannels * plane)
        sources = FloatBuffer(count: batch * task.sourceChannels * plane)
    }

    var shape: Shape { Shape(channels: configuration.task.inputChannels, height: training.height, width: training.width) }
    /// One sample of the network's output, which the loss compares with the targets.
    var outputShape: Shape { Shape(channels: configuration.task.outputChannels, height: training.height, width: training.width) }

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
            let loss = configuration.loss.evaluate(prediction: output.baseAddress!, target: targets.pointer, count: output.count,
                                                   sample: outputShape, gradient: network.outputGradient.baseAddress!,
                                                   threads: network.threads)
            network.backward()
            optimizer.step(network)
            total += Double(loss)
            batches += 1
            progress(start + batch, order.count, Float(total / Double(batches)))
        }
        return Float(total / Double(max(batches, 1)))
    }

    /// The mean loss over `images` (the validation images by default), without augmentation.
    public func loss(on images: TrainingExamples? = nil) throws -> Float {
        let images = images ?? validation
        var random = SplitMix(seed: 0)
        var total: Double = 0, count = 0
        let batch = configuration.batchSize
        for start in Swift.stride(from: 0, to: images.count, by: batch) {
            let n = min(batch, images.count - start)
            fill(from: images, indices: start..<start + n, random: &random, augment: false)
            let output = try network.forward(inputs.pointer, batch: n, shape: shape, training: false)
            total += Double(configuration.loss.evaluate(prediction: output.baseAddress!, target: targets.pointer,
                                                        count: output.count, sample: outputShape, threads: network.threads)) * Double(n)
            count += n
        }
        return Float(total / Double(max(count, 1)))
    }

    /// Copies the examples at `indices` into the batch buffers (mirrored at
    /// random when augmenting) and turns their sources into network inputs.
    private func fill<Indices: Collection<Int>>(from images: TrainingExamples, indices: Indices,
                                                random: inout SplitMix, augment: Bool) {
        let plane = images.plane, width = images.width
        for (slot, index) in indices.enumerated() {
            let flip = augment && configuration.flips && random.next() & 1 == 1
            for (from, to, channels) in [(images.sources, sources.pointer, images.sourceChannels),
                                         (images.targets, targets.pointer, images.targetChannels)] {
                from.withUnsafeBufferPointer { from in
                    let source = from.baseAddress! + index * channels * plane, target = to + slot * channels * plane
                    for row in 0..<(channels * images.height) {
                        for x in 0..<width {
                            target[row * width + x] = source[row * width + (flip ? width - 1 - x : x)]
                        }
                    }
                }
            }
        }
        if augment && configuration.mosaic > 0 { makeMosaics(from: images, count: indices.count, random: &random) }
        let task = configuration.task
        if augment, let range = configuration.gammaAugmentation {
            for slot in 0..<indices.count {
                let u = Float(random.next() >> 40) / Float(1 << 24)
                let gamma = expf(logf(range.lowerBound) + u * (logf(range.upperBound) - logf(range.lowerBound)))
                let luminance = sources.pointer + slot * plane
                for p in 0..<plane { luminance[p] = powf(luminance[p], gamma) }
            }
        }
        let firstIndex = indices.first ?? 0
        task.makeInputs(sources: sources.pointer, count: indices.count, plane: plane, into: inputs.pointer) { slot in
            augment ? SeededRandom(seed: random.next()) : TrainingTask.evaluationNoise(image: firstIndex + slot)
        }
    }

    /// `source` (a `width` × `height` plane) averaged down 2 × 2 into the quadrant of
    /// `target` (a plane of the same size) whose top-left corner is (`left`, `top`).
    static func placeQuadrant(from source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
                              left: Int, top: Int, width: Int, height: Int) {
        for y in 0..<height / 2 {
            for x in 0..<width / 2 {
                let at = 2 * y * width + 2 * x
                target[(top + y) * width + left + x] = 0.25 * (source[at] + source[at + 1] + source[at + width] + source[at + width + 1])
            }
        }
    }

    /// Replaces about `mosaic` of the batch's `count` slots by 2 × 2 mosaics: each quadrant
    /// a random training example (sources and targets alike) averaged down 2 × 2.
    private func makeMosaics(from images: TrainingExamples, count: Int, random: inout SplitMix) {
        let width = images.width, height = images.height, plane = images.plane
        let halfWidth = width / 2, halfHeight = height / 2  // quadrant corners
        for slot in 0..<count where Float(random.next() >> 40) / Float(1 << 24) < configuration.mosaic {
            for quadrant in 0..<4 {
                let index = Int(random.next() % UInt64(images.count))
                let left = quadrant % 2 * halfWidth, top = quadrant / 2 * halfHeight
                for (from, to, channels) in [(images.sources, sources.pointer, images.sourceChannels),
                                             (images.targets, targets.pointer, images.targetChannels)] {
                    from.withUnsafeBufferPointer { from in
                        for c in 0..<channels {
                            Self.placeQuadrant(from: from.baseAddress! + (index * channels + c) * plane, into: to + (slot * channels + c) * plane,
                                               left: left, top: top, width: width, height: height)
                        }
                    }
                }
            }
        }
    }
}

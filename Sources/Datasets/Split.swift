/// Training, validation and test images.
public struct Split: Sendable {
    public let training: ImageSet
    public let validation: ImageSet
    public let test: ImageSet

    public init(training: ImageSet, validation: ImageSet, test: ImageSet) {
        self.training = training
        self.validation = validation
        self.test = test
    }

    /// CIFAR-10's own division: training = the data batches minus their last
    /// `validationCount` images, which are the validation set; test = the test batch.
    /// Throws `DatasetError.tooFewToValidate` (naming `source`, the folder the images
    /// came from) unless there are more training images than `validationCount`.
    public static func standard(training: ImageSet, test: ImageSet, validationCount: Int = 5_000,
                                source: String = "training images") throws -> Split {
        guard training.count > validationCount else {
            throw DatasetError.tooFewToValidate(source: source, images: training.count, validation: validationCount)
        }
        let cut = training.count - validationCount
        return Split(training: training.subset(0..<cut), validation: training.subset(cut..<training.count), test: test)
    }

    /// All images shuffled with `seed` and divided by the given percentages (e.g. 80/10/10).
    public static func proportional(_ all: ImageSet, percentages: (Int, Int, Int), seed: UInt64) -> Split {
        var order = Array(0..<all.count)
        var random = SplitMix(seed: seed)
        order.shuffle(using: &random)
        let total = percentages.0 + percentages.1 + percentages.2
        let a = all.count * percentages.0 / total, b = a + all.count * percentages.1 / total
        return Split(training: all.subset(order[0..<a]), validation: all.subset(order[a..<b]), test: all.subset(order[b...]))
    }
}

/// SplitMix64: the seeded generator for shuffles and augmentation.
public struct SplitMix: RandomNumberGenerator, Sendable, Codable, Equatable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

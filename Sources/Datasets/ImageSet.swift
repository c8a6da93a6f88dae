import ImageIO

/// Equally sized RGB images with optional class labels, stored as CIFAR-10
/// stores them: per image the red plane, then green, then blue, rows top to bottom.
public struct ImageSet: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `count × 3 × height × width` samples, 0…255.
    public private(set) var pixels: [UInt8]
    /// One label per image (0…9 for CIFAR-10); empty when the images have none.
    public private(set) var labels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8], labels: [UInt8] = []) {
        precondition(width > 0 && height > 0 && pixels.count % (3 * width * height) == 0, "pixels do not fill whole images")
        precondition(labels.isEmpty || labels.count == pixels.count / (3 * width * height), "one label per image")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.labels = labels
    }

    public var imageSize: Int { 3 * width * height }
    public var count: Int { pixels.count / imageSize }

    /// The images at `indices`, in that order.
    public func subset<Indices: Collection<Int>>(_ indices: Indices) -> ImageSet {
        var pixels = [UInt8](), labels = [UInt8]()
        pixels.reserveCapacity(indices.count * imageSize)
        for i in indices {
            pixels.append(contentsOf: self.pixels[i * imageSize..<(i + 1) * imageSize])
            if !self.labels.isEmpty { labels.append(self.labels[i]) }
        }
        return ImageSet(width: width, height: height, pixels: pixels, labels: labels)
    }

    /// This set followed by `other`.
    public func appending(_ other: ImageSet) -> ImageSet {
        precondition(other.width == width && other.height == height, "images of different sizes")
        return ImageSet(width: width, height: height, pixels: pixels + other.pixels,
                        labels: labels.isEmpty || other.labels.isEmpty ? [] : labels + other.labels)
    }

    /// Image `index` as an interleaved 8-bit RGB image.
    public func image(_ index: Int) -> Image<UInt8> {
        let plane = width * height, base = index * imageSize
        var samples = [UInt8](repeating: 0, count: 3 * plane)
        for p in 0..<plane {
            samples[3 * p] = pixels[base + p]
            samples[3 * p + 1] = pixels[base + plane + p]
            samples[3 * p + 2] = pixels[base + 2 * plane + p]
        }
        return Image(width: width, height: height, layout: .rgb, samples: samples)
    }

    /// All images side by side in one tall interleaved RGB image (width × count·height),
    /// so one colour conversion handles the whole set.
    public func stacked() -> Image<UInt8> {
        let plane = width * height
        var samples = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            samples.withUnsafeMutableBufferPointer { target in
                for i in 0..<count {
                    let from = i * imageSize, to = i * imageSize
                    for p in 0..<plane {
                        target[to + 3 * p] = source[from + p]
                        target[to + 3 * p + 1] = source[from + plane + p]
                        target[to + 3 * p + 2] = source[from + 2 * plane + p]
                    }
                }
            }
        }
        return Image(width: width, height: height * count, layout: .rgb, samples: samples)
    }
}

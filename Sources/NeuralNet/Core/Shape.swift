/// The shape of one sample: channels × height × width. A batch of `n`
/// samples is stored NCHW, contiguous: sample-major, then channel, row, column.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Floats in one sample.
    public var count: Int { channels * height * width }
    /// Pixels in one channel plane.
    public var plane: Int { height * width }

    public var description: String { "\(channels)×\(height)×\(width)" }
}

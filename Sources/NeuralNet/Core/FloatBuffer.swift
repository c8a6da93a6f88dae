/// A fixed block of floats, allocated once and zeroed: parameters, gradients,
/// activations and scratch space live in these so training allocates nothing per step.
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    public subscript(index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    public var array: [Float] { Array(buffer) }

    /// Sets every value to 0.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// Overwrites the buffer with `values`, which must have exactly `count` elements.
    public func copy(from values: [Float]) {
        precondition(values.count == count, "\(values.count) values for a buffer of \(count)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }
}

import Foundation

/// A fixed block of floats, allocated once and zeroed: parameters, gradients,
/// activations and scratch space live in these so training allocates nothing per step.
public final class FloatBuffer: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int) {
        self.count = count
        // calloc, not allocate and fill: memory fresh from the system is already zero, so
        // the pages of a buffer that a pass never writes (one sized for the largest case and
        // filled only in part) are never touched, and never faulted in.
        guard let zeroed = calloc(max(count, 1), MemoryLayout<Float>.stride) else {
            fatalError("out of memory for \(count) floats")
        }
        pointer = zeroed.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { free(pointer) }

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

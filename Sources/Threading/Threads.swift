import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Work split across threads, in fixed slices, so results do not depend on
/// timing. The one place that decides how many threads chroma uses: the colour
/// conversions, the network engine and the command line all ask here.
public enum Threads {
    /// Cores the process may use: `CHROMA_THREADS` when set (to share a machine
    /// between runs), otherwise the online processors.
    public static let available: Int = {
        if let text = getenv("CHROMA_THREADS").map({ String(cString: $0) }), let count = Int(text), count > 0 {
            return count
        }
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()

    /// Calls `body(thread, slice)` for up to `threads` disjoint, contiguous slices
    /// of `0..<count`, `thread` numbering them from 0. The slices are disjoint by
    /// construction; `body` must only write what its slice owns.
    public static func split(_ count: Int, threads: Int, _ body: (Int, Range<Int>) -> Void) {
        let slices = max(1, min(threads, count))
        if slices == 1 { body(0, 0..<count); return }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                shared.value(slice, count * slice / slices..<count * (slice + 1) / slices)
            }
        }
    }
}

extension Threads {
    /// For work whose result cannot depend on how it is divided (each part
    /// writes only its own outputs from its own inputs, as the per-pixel colour
    /// conversions do): `0..<count` is cut into about eight chunks a thread,
    /// which `threads` workers take in turn, so a core that is slowed (a busy or
    /// stolen virtual CPU) holds the others up by one chunk, not half the work.
    public static func share(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let workers = max(1, min(threads, count))
        if workers == 1 { body(0..<count); return }
        let chunks = min(count, workers * 8)
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while case let chunk = next.wrappingAdd(1, ordering: .relaxed).oldValue, chunk < chunks {
                    shared.value(count * chunk / chunks..<count * (chunk + 1) / chunks)
                }
            }
        }
    }
}

/// A value handed to other threads whose safety the code around it guarantees.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension Array where Element: BitwiseCopyable {
    /// An array of `count` elements whose values are whatever the memory held:
    /// for outputs that are about to be written in full, without paying for zeroing.
    public static func uninitialized(_ count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            LargePages.advise(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }
}

extension UnsafeMutableBufferPointer where Element: BitwiseCopyable {
    /// `count` elements allocated and left uninitialised, as `Array.uninitialized`
    /// leaves them (2 MiB pages where the buffer is large): for buffers that
    /// threads share by pointer. The caller deallocates it.
    public static func allocateUninitialized(_ count: Int) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: count)
        LargePages.advise(UnsafeMutableRawBufferPointer(buffer))
        return buffer
    }
}

/// Large outputs (a 12-megapixel image is 36 MB) are first touched by the
/// conversion that fills them; in 4 KiB pages that costs the kernel one fault
/// per page, as much time as a fast conversion itself. Asking for 2 MiB pages
/// (where the system grants them on request, as Linux's default "madvise"
/// setting does) makes those faults 512 times fewer.
enum LargePages {
    static let size = 2 << 20

    static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard let base = buffer.baseAddress, buffer.count >= 4 * size else { return }
        let start = (Int(bitPattern: base) + size - 1) & ~(size - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(size - 1)
        if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
        #endif
    }
}

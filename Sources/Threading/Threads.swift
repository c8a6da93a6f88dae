import Dispatch
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

/// A value handed to other threads whose safety the code around it guarantees.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension Array where Element: BitwiseCopyable {
    /// An array of `count` elements whose values are whatever the memory held:
    /// for outputs that are about to be written in full, without paying for zeroing.
    public static func uninitialized(_ count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}

import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Work split across threads, in fixed slices, so results do not depend on timing.
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

    /// Calls `body(thread, slice)` for `threads` disjoint slices of `0..<count`.
    /// The slices are disjoint by construction; `body` must only write what its slice owns.
    static func split(_ count: Int, threads: Int, _ body: (Int, Range<Int>) -> Void) {
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

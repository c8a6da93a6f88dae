import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Splitting row ranges across threads.
public enum Parallel {
    /// The number of cores the process may use: `CHROMA_THREADS` when set,
    /// otherwise the online processors.
    public static let defaultThreads: Int = {
        if let text = getenv("CHROMA_THREADS").map({ String(cString: $0) }), let count = Int(text), count > 0 {
            return count
        }
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()

    /// Calls `body` on disjoint, contiguous slices of `0..<count` from up to `threads` threads.
    public static func forEachChunk(_ count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
        let chunks = max(1, min(threads, count))
        if chunks == 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body(count * chunk / chunks..<count * (chunk + 1) / chunks)
        }
    }
}

extension Array where Element: BitwiseCopyable {
    /// An array of `count` elements whose values are whatever the memory held:
    /// for outputs that are about to be written in full, without paying for zeroing.
    public static func uninitialized(_ count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}

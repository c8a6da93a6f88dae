import CShims

/// How the process gets its memory, for programs that work through many images.
public enum ProcessMemory {
    /// Keeps freed large buffers for reuse instead of returning them to the
    /// system. glibc gives every allocation over 32 MiB (a 12-megapixel photo's
    /// planes, its decoded pixels) pages of its own and unmaps them when freed,
    /// so each photo of a batch has the kernel zero fresh pages again: on this
    /// project's 2-core virtual machine, 40 % of colorizing a 12-megapixel JPEG
    /// with the Lab model (perf). Served from the heap and kept there, the next
    /// photo's buffers reuse the same pages. Memory stays at the largest photo's
    /// peak instead of falling between photos. Call once, before the work starts.
    public static func reuseLargeBuffers() {
        chroma_reuse_large_buffers()
    }
}

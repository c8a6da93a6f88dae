#if canImport(Glibc)
import Glibc
#endif

extension Threads {
    /// Runs `stage` on a thread of its own while `body` runs on this one, and
    /// returns (or rethrows `body`'s error) when both have finished: for two
    /// stages of one photo that overlap, such as decoding its rows and working
    /// on those already decoded, each following the other through a `StageProgress`.
    /// A thread of its own, not a shared pool's: `body` may block until `stage`
    /// has made progress, which a pool busy with `body` might never schedule.
    /// `stage` must not throw: it reports a failure through what it shares with `body`.
    /// With `concurrently` false, `stage` runs first and `body` after it, on this
    /// thread (for a caller held to one thread).
    public static func alongside<Result>(concurrently: Bool = true, _ stage: () -> Void, _ body: () throws -> Result) rethrows -> Result {
        guard concurrently else {
            stage()
            return try body()
        }
        return try withoutActuallyEscaping(stage) { stage in
            let context = Unmanaged.passRetained(StageBox(UncheckedSendable(stage)))
            var thread = pthread_t()
            guard pthread_create(&thread, nil, { context in
                let box = Unmanaged<StageBox>.fromOpaque(context!).takeRetainedValue()
                box.stage.value()
                return nil
            }, context.toOpaque()) == 0 else {
                // No thread to be had: the stages one after the other, which `StageProgress` allows.
                context.release()
                stage()
                return try body()
            }
            defer { pthread_join(thread, nil) }
            return try body()
        }
    }
}

private final class StageBox {
    let stage: UncheckedSendable<() -> Void>
    init(_ stage: UncheckedSendable<() -> Void>) { self.stage = stage }
}

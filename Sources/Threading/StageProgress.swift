#if canImport(Glibc)
import Glibc
#endif

/// How many of a stage's items, counted from the first, are finished: raised
/// by the threads doing the stage (`Threads.alongside`), waited on by the
/// stage after it, which follows item by item. Items may finish in any order
/// (`finish(_:)`); the count is of those finished without a gap.
public final class StageProgress: @unchecked Sendable {
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var count = 0
    /// Items finished beyond `count`, out of order.
    private var ahead = Set<Int>()
    private var stopped = false

    public init() {
        pthread_mutex_init(lock, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        changed.deallocate()
    }

    /// Says that the first `count` items are finished (a count lower than one said before is ignored).
    public func advance(to count: Int) {
        pthread_mutex_lock(lock)
        self.count = max(self.count, count)
        ahead = ahead.filter { $0 >= self.count }
        while ahead.remove(self.count) != nil { self.count += 1 }
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
    }

    /// Says that item `item` (0-based) is finished.
    public func finish(_ item: Int) {
        pthread_mutex_lock(lock)
        if item >= count { ahead.insert(item) }
        while ahead.remove(count) != nil { count += 1 }
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
    }

    /// The items finished without a gap, now (without waiting).
    public var finished: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return count
    }

    /// Says that no more items will be finished (the stage failed): every wait returns.
    public func stop() {
        pthread_mutex_lock(lock)
        stopped = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(lock)
    }

    /// Blocks until the first `count` items are finished: true; or until the
    /// stage stopped short of them: false.
    public func wait(for count: Int) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        while self.count < count && !stopped { pthread_cond_wait(changed, lock) }
        return self.count >= count
    }
}

import Foundation

/// One of `count` deterministic slices of a batch's sorted inputs: input i
/// (0-based, in sorted order) belongs to slice `i mod count`, which is shard
/// `index` = `i mod count + 1`. Slices are disjoint and together cover every input.
public struct Shard: Hashable, Sendable, Codable, CustomStringConvertible {
    /// 1…`count`.
    public let index: Int
    /// At least 1.
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= 1_000_000 else { throw ShardError.badCount(count) }
        guard (1...count).contains(index) else { throw ShardError.indexOutOfRange(index: index, count: count) }
        self.index = index
        self.count = count
    }

    /// "K/N", K = 1…N.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else { throw ShardError.malformed(text) }
        try self.init(index: k, count: n)
    }

    /// The elements of `items` (already in their deterministic order) that belong to this shard.
    public func slice<T>(_ items: [T]) -> [T] {
        stride(from: index - 1, to: items.count, by: count).map { items[$0] }
    }

    public var description: String { "\(index)/\(count)" }

    /// The shard a scheduler's environment assigns to this process.
    ///
    /// - Slurm job arrays: `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_MIN` and
    ///   `SLURM_ARRAY_TASK_COUNT` (or `SLURM_ARRAY_TASK_MAX`), and
    ///   `SLURM_ARRAY_TASK_STEP` for `--array=A-B:S`. Task IDs may start anywhere
    ///   (`--array=5-8` is shards 1–4 of 4) but must be evenly spaced. When
    ///   `count` (or `CHROMA_SHARD_COUNT`) is given, the task ID itself is the
    ///   shard number, 1…count, so that one task can be resubmitted alone.
    /// - Kubernetes indexed jobs: `JOB_COMPLETION_INDEX` (0-based). Kubernetes does
    ///   not export the number of completions, so `count` (the Job's
    ///   `completions`) must be given, or `CHROMA_SHARD_COUNT` set.
    /// - GNU parallel: `PARALLEL_SEQ` (1-based), with `count` as for Kubernetes.
    ///
    /// When several are set, Slurm wins over Kubernetes, and Kubernetes over GNU parallel.
    public static func fromEnvironment(_ environment: [String: String], count: Int? = nil) throws -> Shard {
        func integer(_ name: String) throws -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingCharacters(in: [" ", "\t", "\n"])) else { throw ShardError.badVariable(name: name, value: text) }
            return value
        }
        let givenCount = try count ?? integer("CHROMA_SHARD_COUNT")
        if let id = try integer("SLURM_ARRAY_TASK_ID") {
            // With the count given, the task ID is the shard number itself: one task can then be
            // resubmitted alone (sbatch --array=2 with CHROMA_SHARD_COUNT=4 redoes shard 2 of 4).
            if let givenCount { return try Shard(index: id, count: givenCount) }
            guard let minimum = try integer("SLURM_ARRAY_TASK_MIN") else { throw ShardError.missingVariable("SLURM_ARRAY_TASK_MIN", scheduler: "Slurm") }
            let step = try integer("SLURM_ARRAY_TASK_STEP") ?? 1
            guard step >= 1 else { throw ShardError.badVariable(name: "SLURM_ARRAY_TASK_STEP", value: String(step)) }
            let maximum = try integer("SLURM_ARRAY_TASK_MAX")
            let tasks: Int
            if let total = try integer("SLURM_ARRAY_TASK_COUNT") {
                tasks = total
                // Without a step, the IDs must run A, A+1, …: --array=1,3,8 cannot be numbered.
                if let maximum, (maximum - minimum) / step + 1 != total { throw ShardError.unevenSlurmArray(minimum: minimum, maximum: maximum, count: total) }
            } else if let maximum {
                tasks = (maximum - minimum) / step + 1
            } else {
                throw ShardError.missingVariable("SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MAX", scheduler: "Slurm")
            }
            guard id >= minimum, (id - minimum) % step == 0 else { throw ShardError.badVariable(name: "SLURM_ARRAY_TASK_ID", value: String(id)) }
            return try Shard(index: (id - minimum) / step + 1, count: tasks)
        }
        if let index = try integer("JOB_COMPLETION_INDEX") {
            guard let givenCount else { throw ShardError.countNeeded(scheduler: "Kubernetes", variable: "JOB_COMPLETION_INDEX") }
            return try Shard(index: index + 1, count: givenCount)
        }
        if let sequence = try integer("PARALLEL_SEQ") {
            guard let givenCount else { throw ShardError.countNeeded(scheduler: "GNU parallel", variable: "PARALLEL_SEQ") }
            return try Shard(index: sequence, count: givenCount)
        }
        throw ShardError.noScheduler
    }
}

/// Why a shard could not be named.
public enum ShardError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case badCount(Int)
    case indexOutOfRange(index: Int, count: Int)
    case noScheduler
    case missingVariable(String, scheduler: String)
    case badVariable(name: String, value: String)
    case countNeeded(scheduler: String, variable: String)
    case unevenSlurmArray(minimum: Int, maximum: Int, count: Int)

    public var description: String {
        switch self {
        case .malformed(let text): "'\(text)' is not a shard: give K/N (K = 1…N) or auto"
        case .badCount(let count): "a batch cannot be split into \(count) shards (1…1000000)"
        case .indexOutOfRange(let index, let count): "shard \(index) of \(count) does not exist (K = 1…\(count))"
        case .noScheduler:
            "--shard auto found no scheduler: none of SLURM_ARRAY_TASK_ID (Slurm job arrays), JOB_COMPLETION_INDEX "
                + "(Kubernetes indexed jobs) and PARALLEL_SEQ (GNU parallel) is set"
        case .missingVariable(let name, let scheduler): "\(scheduler) set the task ID but not \(name)"
        case .badVariable(let name, let value): "\(name)=\(value) is not a usable task number"
        case .countNeeded(let scheduler, let variable):
            "\(scheduler) gives \(variable) but not the number of tasks: give --shard-count N or set CHROMA_SHARD_COUNT"
        case .unevenSlurmArray(let minimum, let maximum, let count):
            "the Slurm array's \(count) task IDs between \(minimum) and \(maximum) are not evenly spaced; use --array=A-B or A-B:S"
        }
    }
}

import Foundation
import Testing
@testable import Batching

@Suite("shards from schedulers' variables")
struct ShardTests {
    @Test("K/N: parsed, bounded, and the slices are disjoint and cover every input")
    func fixed() throws {
        #expect(try Shard(parsing: "3/16") == Shard(index: 3, count: 16))
        for bad in ["0/4", "5/4", "1/0", "a/b", "3", "1/2/3", "-1/4"] {
            #expect(throws: ShardError.self, "\(bad)") { try Shard(parsing: bad) }
        }
        let items = Array(0..<23)
        let slices = try (1...5).map { try Shard(index: $0, count: 5).slice(items) }
        #expect(slices.flatMap { $0 }.sorted() == items)
        #expect(slices[1] == [1, 6, 11, 16, 21])
    }

    @Test("Slurm job arrays: any first ID, steps, COUNT or MAX; uneven IDs and gaps refused")
    func slurm() throws {
        let array = ["SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "4", "SLURM_ARRAY_TASK_COUNT": "4"]
        #expect(try Shard.fromEnvironment(array.merging(["SLURM_ARRAY_TASK_ID": "3"]) { $1 }) == Shard(index: 3, count: 4))
        // --array=5-8: shards 1–4.
        let shifted = ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_MAX": "8"]
        #expect(try Shard.fromEnvironment(shifted) == Shard(index: 1, count: 4))
        // --array=0-9:3 is 0, 3, 6, 9.
        let stepped = ["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "9",
                       "SLURM_ARRAY_TASK_STEP": "3", "SLURM_ARRAY_TASK_COUNT": "4"]
        #expect(try Shard.fromEnvironment(stepped) == Shard(index: 3, count: 4))
        // --array=1,3,8: three IDs that cannot be numbered 1…3.
        let uneven = ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "8", "SLURM_ARRAY_TASK_COUNT": "3"]
        #expect(throws: ShardError.unevenSlurmArray(minimum: 1, maximum: 8, count: 3)) { try Shard.fromEnvironment(uneven) }
        #expect(throws: ShardError.missingVariable("SLURM_ARRAY_TASK_MIN", scheduler: "Slurm")) {
            try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "2"])
        }
        #expect(throws: ShardError.badVariable(name: "SLURM_ARRAY_TASK_ID", value: "two")) {
            try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "two"])
        }
        // A task resubmitted alone (--array=2) with the count given keeps its number.
        let alone = ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "2", "SLURM_ARRAY_TASK_MAX": "2", "SLURM_ARRAY_TASK_COUNT": "1"]
        #expect(try Shard.fromEnvironment(alone) == Shard(index: 1, count: 1))
        #expect(try Shard.fromEnvironment(alone.merging(["CHROMA_SHARD_COUNT": "4"]) { $1 }) == Shard(index: 2, count: 4))
        #expect(try Shard.fromEnvironment(alone, count: 4) == Shard(index: 2, count: 4))
    }

    @Test("Kubernetes indexed jobs: a 0-based index, and the count given by option or variable")
    func kubernetes() throws {
        #expect(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "0"], count: 8) == Shard(index: 1, count: 8))
        #expect(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "7", "CHROMA_SHARD_COUNT": "8"]) == Shard(index: 8, count: 8))
        #expect(throws: ShardError.countNeeded(scheduler: "Kubernetes", variable: "JOB_COMPLETION_INDEX")) {
            try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "3"])
        }
        #expect(throws: ShardError.indexOutOfRange(index: 9, count: 8)) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "8"], count: 8) }
        #expect(throws: ShardError.badVariable(name: "CHROMA_SHARD_COUNT", value: "many")) {
            try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "1", "CHROMA_SHARD_COUNT": "many"])
        }
    }

    @Test("GNU parallel: PARALLEL_SEQ is 1-based; Slurm wins when several are set; none set is an error")
    func parallelAndPrecedence() throws {
        #expect(try Shard.fromEnvironment(["PARALLEL_SEQ": "2"], count: 3) == Shard(index: 2, count: 3))
        #expect(throws: ShardError.countNeeded(scheduler: "GNU parallel", variable: "PARALLEL_SEQ")) { try Shard.fromEnvironment(["PARALLEL_SEQ": "2"]) }
        let both = ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "2", "PARALLEL_SEQ": "2"]
        #expect(try Shard.fromEnvironment(both) == Shard(index: 1, count: 2))
        #expect(throws: ShardError.noScheduler) { try Shard.fromEnvironment(["HOME": "/root"]) }
        #expect("\(ShardError.noScheduler)".contains("SLURM_ARRAY_TASK_ID"))
    }
}

@Suite("shard manifests and their check")
struct ShardCheckTests {
    static let inputs = (0..<10).map { "in/p\($0).png" }

    static func manifest(_ index: Int, of count: Int, inputs: [String] = inputs, outcome: (String) -> ShardManifest.Entry.Outcome = { _ in .written }) throws -> ShardManifest {
        let shard = try Shard(index: index, count: count)
        let owned = shard.slice(inputs.sorted())
        let recorder = ShardManifest.Recorder(command: "colorize", shard: shard, batchInputs: inputs, owned: owned)
        for input in owned {
            let result = outcome(input)
            if result == .notStarted { continue }
            recorder.record(.init(input: input, outcome: result, output: result == .failed ? nil : "out/" + input.dropFirst(3), bytes: 10,
                                  error: result == .failed ? "corrupt data" : nil))
        }
        return recorder.manifest()
    }

    static func check(_ manifests: [ShardManifest], outputs: Set<String>? = nil) throws -> ShardCheck {
        try ShardCheck(manifests: manifests.enumerated().map { ("m\($0.offset).json", $0.element) }) { path in
            outputs.map { $0.contains(path) ? 10 : nil } ?? 10
        }
    }

    @Test("every shard reporting every input once is complete; manifests survive their JSON")
    func complete() throws {
        let manifests = try (1...3).map { try Self.manifest($0, of: 3) }
        let check = try Self.check(manifests)
        #expect(check.isComplete && check.done == 10, "\(check.report)")
        #expect(try ShardManifest(decoding: manifests[0].encoded()) == manifests[0])
    }

    @Test("a shard without a manifest, a failure, an interrupted input and a lost output are each caught")
    func missing() throws {
        let noShard2 = try Self.check([Self.manifest(1, of: 3), Self.manifest(3, of: 3)])
        #expect(!noShard2.isComplete && noShard2.shardsMissing == [2] && noShard2.notDone == 3, "\(noShard2.report)")
        #expect(noShard2.report.last == "incomplete: 3 inputs not done", "\(noShard2.report)")
        let failing = try Self.check([Self.manifest(1, of: 2) { $0 == "in/p2.png" ? .failed : $0 == "in/p4.png" ? .notStarted : .written },
                                      Self.manifest(2, of: 2)])
        #expect(failing.failed.map(\.input) == ["in/p2.png"] && failing.notStarted == ["in/p4.png"] && !failing.isComplete)
        let lost = try Self.check([Self.manifest(1, of: 1)], outputs: Set(Self.inputs.dropFirst().map { "out/" + $0.dropFirst(3) }))
        #expect(lost.outputsMissing == ["in/p0.png"] && !lost.isComplete)
    }

    @Test("an input done by two shards is caught, and a manifest of another run is left out")
    func duplicated() throws {
        var second = try Self.manifest(2, of: 2)
        second.entries.append(.init(input: "in/p0.png", outcome: .written, output: "out/p0.png", bytes: 10))
        let twice = try Self.check([Self.manifest(1, of: 2), second])
        #expect(twice.doneTwice == ["in/p0.png"] && !twice.isComplete, "\(twice.report)")
        #expect(twice.report.last == "not clean: every input was done, with the problems listed above", "\(twice.report)")
        let other = try Self.manifest(1, of: 2, inputs: Self.inputs + ["in/new.png"])
        let mixed = try Self.check([Self.manifest(1, of: 2), Self.manifest(2, of: 2), other])
        #expect(mixed.foreign == ["m2.json"] && !mixed.isComplete)
    }
}

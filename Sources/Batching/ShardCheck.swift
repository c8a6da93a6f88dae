import Foundation

/// The manifests of one sharded run, merged: did the shards together do every input exactly once?
public struct ShardCheck: Sendable {
    /// Into how many shards the run was divided, and which of them left a manifest.
    public let count: Int
    public let shardsReported: [Int]
    /// Shards that never wrote a manifest (killed, or never started): their inputs are unaccounted for.
    public let shardsMissing: [Int]
    public let batchInputs: Int
    /// Inputs done once: written, or found already there.
    public let done: Int
    /// Inputs that more than one shard reports as done (the shards' slices overlapped).
    public let doneTwice: [String]
    /// Inputs whose last outcome was a failure, with the reason.
    public let failed: [(input: String, reason: String)]
    /// Inputs a shard owned but never reached (it was interrupted).
    public let notStarted: [String]
    /// Inputs reported done whose output is not there (or not of the recorded size).
    public let outputsMissing: [String]
    /// Manifests that belong to another run (another input list or shard count).
    public let foreign: [String]

    /// Whether every input of the batch was done exactly once and every output is where its manifest says.
    public var isComplete: Bool {
        shardsMissing.isEmpty && doneTwice.isEmpty && failed.isEmpty && notStarted.isEmpty && outputsMissing.isEmpty
            && foreign.isEmpty && done == batchInputs
    }

    /// Inputs not done: the batch's count less those done, whatever the reason.
    public var notDone: Int { max(0, batchInputs - done) }

    /// Merges the manifests (name and contents) of one run.
    /// - Parameter manifests: each manifest's file name and contents.
    /// - Parameter outputSize: the size of the file at a path, or nil when there is none.
    public init(manifests: [(name: String, manifest: ShardManifest)], outputSize: (String) -> Int?) throws {
        guard let first = manifests.first?.manifest else { throw ShardCheckError.noManifests }
        // The run is the one most manifests belong to; the others are reported, not merged.
        var votes: [String: Int] = [:]
        for (_, manifest) in manifests { votes["\(manifest.shard.count) \(manifest.digest)", default: 0] += 1 }
        let run = votes.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
        let belongs = manifests.filter { "\($0.manifest.shard.count) \($0.manifest.digest)" == run }
        foreign = manifests.filter { "\($0.manifest.shard.count) \($0.manifest.digest)" != run }.map(\.name).sorted()
        count = belongs.first?.manifest.shard.count ?? first.shard.count
        batchInputs = belongs.first?.manifest.batchInputs ?? first.batchInputs
        let reported = Set(belongs.map(\.manifest.shard.index))
        shardsReported = reported.sorted()
        shardsMissing = (1...count).filter { !reported.contains($0) }
        var doneBy: [String: Int] = [:]
        var failures: [(String, String)] = [], unstarted: [String] = [], missingOutputs: [String] = []
        for (_, manifest) in belongs.sorted(by: { $0.manifest.shard.index < $1.manifest.shard.index }) {
            for entry in manifest.entries {
                switch entry.outcome {
                case .written, .skipped:
                    doneBy[entry.input, default: 0] += 1
                    if let output = entry.output {
                        let size = outputSize(output)
                        if size == nil || (entry.bytes != nil && size != entry.bytes) { missingOutputs.append(entry.input) }
                    }
                case .failed: failures.append((entry.input, entry.error ?? "failed"))
                case .notStarted: unstarted.append(entry.input)
                }
            }
        }
        done = doneBy.count
        doneTwice = doneBy.filter { $0.value > 1 }.map(\.key).sorted()
        failed = failures.sorted { $0.0 < $1.0 }
        notStarted = unstarted.sorted()
        outputsMissing = missingOutputs.sorted()
    }

    /// The manifests in `folder/.chroma-shards/` (and any `*.json` given directly), read.
    public static func manifests(in folder: String) throws -> [(name: String, manifest: ShardManifest)] {
        let directory = folder.hasSuffix("/") ? folder + ".chroma-shards" : folder + "/.chroma-shards"
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted() } catch {
            throw ShardCheckError.noManifestFolder(directory)
        }
        return try names.map { name in
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { throw ShardCheckError.unreadable(path, "cannot be read") }
            do { return (path, try ShardManifest(decoding: Array(data))) } catch {
                throw ShardCheckError.unreadable(path, "is not a chroma shard manifest")
            }
        }
    }

    /// A report for people, a line per finding.
    public var report: [String] {
        var lines = ["\(done) of \(batchInputs) inputs done, by \(shardsReported.count) of \(count) shards"]
        if !shardsMissing.isEmpty {
            lines.append("shards that left no manifest (killed or never run; rerun them with --skip-existing): "
                         + shardsMissing.map(String.init).joined(separator: ", "))
        }
        for input in doneTwice { lines.append("done twice: \(input)") }
        for (input, reason) in failed { lines.append("failed: \(input): \(reason)") }
        for input in notStarted { lines.append("not started (interrupted): \(input)") }
        for input in outputsMissing { lines.append("output missing or changed: \(input)") }
        for name in foreign { lines.append("from another run (other inputs or shard count), left out: \(name)") }
        lines.append(isComplete ? "complete: every input was done exactly once"
                     : notDone > 0 ? "incomplete: \(notDone) inputs not done"
                     : "not clean: every input was done, with the problems listed above")
        return lines
    }
}

public enum ShardCheckError: Error, Equatable, Sendable, CustomStringConvertible {
    case noManifestFolder(String)
    case noManifests
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .noManifestFolder(let folder): "\(folder): no shard manifests here (run colorize or convert with --shard into this folder)"
        case .noManifests: "no shard manifests to check"
        case .unreadable(let path, let reason): "\(path): \(reason)"
        }
    }
}

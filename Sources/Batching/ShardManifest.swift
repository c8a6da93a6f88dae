import Foundation

/// What one shard of a batch did: every input it owned and what became of it.
///
/// Each shard writes its manifest when it stops, finished or interrupted
/// (`.chroma-shards/shard-K-of-N.json` in the output folder unless named
/// otherwise); `ShardCheck` merges the manifests of a run. A shard killed
/// outright writes none, which the check reports as the shard never finishing.
public struct ShardManifest: Codable, Sendable, Equatable {
    /// The manifest format, for readers of the JSON.
    public var version = 1
    /// `colorize` or `convert`.
    public var command: String
    public var shard: Shard
    /// The inputs of the whole batch, before it was divided: the same in every
    /// shard of one run (`digest` checks that they agree on which inputs).
    public var batchInputs: Int
    /// FNV-1a (64-bit, hex) of the batch's sorted input paths, one per line: a
    /// fingerprint that tells two runs' manifests apart, not a security measure.
    public var digest: String
    public var started: Date
    public var finished: Date
    public var entries: [Entry]

    public struct Entry: Codable, Sendable, Equatable {
        public enum Outcome: String, Codable, Sendable {
            /// The output was written by this shard.
            case written
            /// The output was already there (`--skip-existing`): done by an earlier run.
            case skipped
            case failed
            /// The shard was interrupted before it reached this input.
            case notStarted
        }
        public var input: String
        public var outcome: Outcome
        public var output: String?
        /// The output's size in bytes, when it exists.
        public var bytes: Int?
        public var error: String?

        public init(input: String, outcome: Outcome, output: String? = nil, bytes: Int? = nil, error: String? = nil) {
            self.input = input
            self.outcome = outcome
            self.output = output
            self.bytes = bytes
            self.error = error
        }
    }

    public init(command: String, shard: Shard, batchInputs: [String], started: Date, finished: Date, entries: [Entry]) {
        self.command = command
        self.shard = shard
        self.batchInputs = batchInputs.count
        self.digest = Self.digest(batchInputs)
        // Whole seconds: what the JSON's ISO 8601 dates hold.
        self.started = Date(timeIntervalSince1970: started.timeIntervalSince1970.rounded(.down))
        self.finished = Date(timeIntervalSince1970: finished.timeIntervalSince1970.rounded(.down))
        self.entries = entries
    }

    /// The default file name inside an output folder.
    public static func defaultName(for shard: Shard) -> String { ".chroma-shards/shard-\(shard.index)-of-\(shard.count).json" }

    /// A fingerprint of the batch's input list (order-independent: it is sorted first).
    public static func digest(_ inputs: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in inputs.sorted().joined(separator: "\n").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(self)) + [0x0A]
    }

    public init(decoding bytes: [UInt8]) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        self = try decoder.decode(ShardManifest.self, from: Data(bytes))
    }
}

extension ShardManifest {
    /// Collects a shard's outcomes as its workers finish inputs (thread-safe), then makes the manifest.
    public final class Recorder: @unchecked Sendable {
        public let command: String
        public let shard: Shard
        private let batchInputs: [String]
        private let owned: [String]
        private let started = Date()
        private let lock = NSLock()
        private var outcomes: [String: Entry] = [:]

        /// A recorder for one shard's run.
        /// - Parameters:
        ///   - command: the command that ran ("colorize", "convert").
        ///   - shard: which shard this is.
        ///   - batchInputs: every input of the batch, before it was divided.
        ///   - owned: this shard's inputs, in order.
        public init(command: String, shard: Shard, batchInputs: [String], owned: [String]) {
            self.command = command
            self.shard = shard
            self.batchInputs = batchInputs
            self.owned = owned
        }

        public func record(_ entry: Entry) {
            lock.lock(); defer { lock.unlock() }
            outcomes[entry.input] = entry
        }

        /// The manifest as things stand: inputs with no outcome yet are `notStarted`.
        public func manifest() -> ShardManifest {
            lock.lock(); defer { lock.unlock() }
            let entries = owned.map { outcomes[$0] ?? Entry(input: $0, outcome: .notStarted) }
            return ShardManifest(command: command, shard: shard, batchInputs: batchInputs, started: started, finished: Date(), entries: entries)
        }
    }
}

import ArgumentParser
import Batching
import Foundation
import ImageIO

/// `chroma shards`: what a batch divided across machines did, shard by shard.
struct ShardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shards",
        abstract: "Check the shards of a batch divided with --shard.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge the manifests the shards wrote into OUTPUT/.chroma-shards and report what was not done exactly once.",
            discussion: """
                Reports shards that left no manifest (killed, or never run), inputs done by two shards, \
                failures, inputs an interrupted shard never reached, and outputs that are missing or \
                changed since. The exit code is 0 only when every input of the batch was done exactly \
                once. Rerun an incomplete shard with the same command and --skip-existing.

                Example:
                  chroma shards check out/
                """)

        @Argument(help: "The output folder of the sharded run.")
        var folder: String

        @Flag(help: "Print the findings as one JSON object.")
        var json = false

        func run() throws {
            let check = try reporting(folder) { try ShardCheck(manifests: ShardCheck.manifests(in: folder), outputSize: ImageFile.size(of:)) }
            if json {
                let object: [String: Any] = [
                    "complete": check.isComplete, "shards": check.count, "shardsReported": check.shardsReported,
                    "shardsMissing": check.shardsMissing, "inputs": check.batchInputs, "done": check.done,
                    "doneTwice": check.doneTwice, "failed": check.failed.map { ["input": $0.input, "error": $0.reason] },
                    "notStarted": check.notStarted, "outputsMissing": check.outputsMissing, "foreignManifests": check.foreign,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                try StandardStreams.writeOutput(String(decoding: data, as: UTF8.self) + "\n")
            } else {
                try StandardStreams.writeOutput(check.report.map { "chroma: " + $0 }.joined(separator: "\n") + "\n")
            }
            if !check.isComplete { throw ExitCode.failure }
        }
    }
}

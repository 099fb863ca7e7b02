import ArgumentParser
import Checksum
import Foundation
import Sharding
import Unpacking

extension DSPrep {
    /// `dsprep verify`: checks a shard folder against its manifest.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every shard against the manifest: size, SHA-256, structure, shapes, labels, counts.",
            discussion: """
                Exits 1 naming the first bad shard and what is wrong with it. A folder without \
                manifest.json is incomplete (an interrupted 'dsprep shard') and always fails.
                """)

        @Argument(help: "The shards folder.")
        var shards = "shards"

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let progress = ProgressLine(quiet: global.quiet)
            let report = try Verifier.verify(folder: shards, hash: { try SHA256.hash(fileAt: $0) }) { step in
                progress.update("verifying \(step.file): \(step.shardsDone)/\(step.shardCount) shards",
                                fraction: Double(step.bytesDone) / Double(max(step.byteCount, 1)))
            }
            progress.finish()
            if global.json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.keyEncodingStrategy = .convertToSnakeCase
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
                return
            }
            guard !global.quiet else { return }
            print("OK: \(shards)/ holds \(grouped(report.count)) images in \(counted(report.shards, "shard")) "
                  + "(\(ByteCount(Int64(report.bytes)))), all matching manifest.json")
            for split in report.splits {
                let classes = zip(report.classes, split.classCounts).map { "\($0) \(grouped($1))" }.joined(separator: ", ")
                print("  \(split.name): \(grouped(split.count)) images in \(counted(split.shards, "shard"))"
                      + (classes.isEmpty ? "" : " (\(classes))") + (split.unlabeled > 0 ? ", \(grouped(split.unlabeled)) unlabelled" : ""))
            }
            if !report.unlisted.isEmpty {
                print("  note: \(counted(report.unlisted.count, "shard file")) not in the manifest: \(report.unlisted.joined(separator: ", "))")
            }
        }
    }
}

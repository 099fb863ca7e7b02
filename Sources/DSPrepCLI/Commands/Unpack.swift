import ArgumentParser
import Dataset
import Foundation
import Preparation
import Unpacking

extension DSPrep {
    /// `dsprep unpack`: archive -> `data/<class>/...` (or `data/<split>/<class>/...`).
    struct Unpack: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unpack image archives into class folders, checking every image.",
            discussion: """
                Reads zip, tar (plain, .gz, .bz2, .xz, .zst), 7z and whatever else libarchive \
                reads, archives inside the archive included. Class labels come from class folders \
                (PetImages/Cat/0.jpg -> data/Cat/0.jpg) or file-name prefixes (train/cat.0.jpg -> \
                data/cat/cat.0.jpg); pre-split archives keep their splits (data/train/cat/...); \
                unlabelled images go to data/unlabeled/. Junk (__MACOSX, .DS_Store, Thumbs.db) and \
                non-image files are left out; damaged images go to data/.quarantine/. Everything is \
                listed in data/unpack-report.json.
                """)

        @Argument(help: "The archives to unpack (their images are merged).")
        var archives: [String]

        @Option(name: .shortAndLong, help: "The folder to write.")
        var out = "data"

        @Option(help: "How labels are stored; auto detects it.")
        var layout: Layout = .auto

        @Flag(help: "Replace a data set that an earlier unpack wrote into the --out folder.")
        var force = false

        @Option(name: .customLong("max-size"),
                help: ArgumentHelp("Stop when more than this would be written, e.g. 50G (default: 20x the archives' size, at least 1G).",
                                   valueName: "size"))
        var maxSize: ByteSize?

        @Option(help: "Stop after this many archive entries (default: 5,000,000).")
        var maxEntries: Int?

        @Option(help: "How many levels of archives inside archives to open (default: 3).")
        var maxDepth: Int?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if let maxEntries, maxEntries < 1 { throw ValidationError("--max-entries must be at least 1.") }
            if let maxDepth, maxDepth < 1 { throw ValidationError("--max-depth must be at least 1 (1 opens only the archives given).") }
        }

        func run() throws {
            let unpacker = Unpacker(options: UnpackOptions(
                archives: archives, output: out, layout: layout, force: force,
                maxBytes: maxSize?.bytes, maxEntries: maxEntries, maxDepth: maxDepth))
            let progress = ProgressLine(quiet: global.quiet)
            unpacker.onProgress = { step in
                let fraction = step.archiveBytesTotal > 0 ? Double(step.archiveBytesRead) / Double(step.archiveBytesTotal) : nil
                let rate = Double(step.bytesWritten) / max(progress.elapsed, 0.001)
                progress.update("unpacking: \(grouped(step.entries)) entries, \(ByteCount(step.bytesWritten)), "
                                + "\(ByteCount(Int64(rate)))/s", fraction: fraction)
            }
            let report = try unpacker.run()
            progress.finish()
            if global.json {
                print(try UnpackSummary.json(report), terminator: "")
            } else if !global.quiet {
                print(UnpackSummary.text(report), terminator: "")
            }
        }
    }
}

extension Layout: ExpressibleByArgument {}

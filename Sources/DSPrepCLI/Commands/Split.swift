import ArgumentParser
import Foundation
import Preparation

extension DSPrep {
    /// `dsprep split`: `data/<class>/...` -> `data/train|validation|test/<class>/...` + `data/split.csv`.
    struct SplitCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "split",
            abstract: "Divide the images into train, validation and test folders, per class, without leakage.",
            discussion: """
                Each class is divided with exact counts (largest remainder; every split with a share \
                gets an image when the class has enough). Files are sorted by path, then shuffled \
                with the seed, so the same data and seed give the same split on any machine. \
                Identical files (same SHA-256) always land in the same split. A data set that came \
                split keeps its test split (and its validation split, if any); the missing splits \
                are carved from train in the proportion --ratios gives them. unlabeled/, \
                .quarantine/ and junk are left where they are. Every image is listed in \
                <data>/split.csv (path, class, split, sha256); the plan is saved before anything \
                moves, so an interrupted split finishes when run again.
                """)

        @Argument(help: "The data folder, as 'dsprep unpack' wrote it.")
        var data = "data"

        @Option(help: ArgumentHelp("Shares of train/validation[/test], in percent (80/10/10) or fractions (0.8/0.1/0.1).",
                                   valueName: "ratios"))
        var ratios = Ratios.default

        @Option(help: ArgumentHelp("The shuffle's seed, printed and recorded (default: \(SplitOptions.defaultSeed)).", valueName: "n"))
        var seed: UInt64?

        @Flag(help: "Place each image by a hash of its path instead: adding images later never moves existing ones (counts are near the ratios, not exact).")
        var stable = false

        @Option(help: ArgumentHelp("Keep images together whose path below the class folder gives the same first capture group, e.g. '^(patient[0-9]+)_'.",
                                   valueName: "regex"))
        var group: String?

        @Option(help: "How images get into the split folders (default: move, or copy with --out).")
        var mode: SplitMode?

        @Option(name: .shortAndLong, help: ArgumentHelp("Write the split into this new folder instead of DATA (--mode copy, hardlink or symlink).",
                                                       valueName: "dir"))
        var out: String?

        @Flag(help: "Print the plan and change nothing.")
        var dryRun = false

        @Flag(help: "Split an already split folder again: train and validation are pooled; test stays as it is.")
        var resplit = false

        @Option(help: "Threads hashing files (default: one per core). The split does not depend on it.")
        var threads: Int?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if let problem = ratios.problem { throw ValidationError(problem) }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
            if stable && seed != nil { throw ValidationError("--seed has no effect with --stable, which places images by a hash of their paths; drop one of them.") }
            switch (out, mode) {
            case (nil, .copy?), (nil, .hardlink?), (nil, .symlink?):
                throw ValidationError("--mode \(mode?.rawValue ?? "") needs --out DIR: inside the data folder every image would count twice.")
            case (.some, .move?):
                throw ValidationError("--mode move works inside the data folder; with --out, use --mode copy, hardlink or symlink.")
            default:
                break
            }
            if let group {
                let regex = try? NSRegularExpression(pattern: group)
                guard let regex else { throw ValidationError("--group must be a valid regular expression (got '\(group)').") }
                if regex.numberOfCaptureGroups < 1 {
                    throw ValidationError("--group needs a capture group for the key, like '^([^_]+)_' (got '\(group)').")
                }
            }
        }

        func run() throws {
            let runner = SplitRunner(options: SplitOptions(
                data: data, output: out, ratios: ratios.value ?? .default, seed: seed ?? SplitOptions.defaultSeed,
                stable: stable, group: group, mode: mode, dryRun: dryRun, resplit: resplit, threads: threads ?? 0))
            let progress = ProgressLine(quiet: global.quiet)
            // Test hook (tests of crash recovery only): SIGKILL this process once N images have been
            // placed; 0 kills it right after the plan is saved, before anything moves.
            let killAfter = ProcessInfo.processInfo.environment["DSPREP_TEST_KILL_AFTER_PLACED"].flatMap { Int($0) }
            runner.onProgress = { step in
                switch step {
                case .hashing(let done, let total):
                    progress.update("hashing: \(grouped(done))/\(grouped(total)) images", fraction: Double(done) / Double(max(total, 1)))
                case .placing(let done, let placed, let total):
                    if let killAfter, placed >= killAfter { kill(getpid(), SIGKILL) }
                    progress.update("placing: \(grouped(done))/\(grouped(total)) images", fraction: Double(done) / Double(max(total, 1)))
                }
            }
            let report = try runner.run()
            progress.finish()
            if global.json {
                print(try SplitSummary.json(report), terminator: "")
            } else if !global.quiet {
                print(SplitSummary.text(report), terminator: "")
            }
        }
    }
}

extension SplitMode: ExpressibleByArgument {}

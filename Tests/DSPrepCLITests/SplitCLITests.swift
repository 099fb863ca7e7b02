import ArgumentParser
import Dataset
import Foundation
import Testing
@testable import DSPrepCLI

// MARK: - Helpers

/// `folder/data/<class>/<n>.jpg`: `perClass` tiny files in each of `classes` classes.
fileprivate func smallDataSet(in folder: String, classes: Int, perClass: Int) {
    for label in 0..<classes {
        let classFolder = folder + "/data/c\(label)"
        try? FileManager.default.createDirectory(atPath: classFolder, withIntermediateDirectories: true)
        for index in 0..<perClass {
            _ = FileManager.default.createFile(atPath: classFolder + "/\(index).jpg", contents: Data("c\(label) \(index)".utf8))
        }
    }
}

/// The content of every file below `folder`, sorted (links followed), and the names of any
/// leftovers (the plan folder, half-copied parts).
fileprivate func contents(below folder: String) -> (files: [String], leftovers: [String]) {
    var files: [String] = [], leftovers: [String] = []
    let enumerator = FileManager.default.enumerator(atPath: folder)
    while let path = enumerator?.nextObject() as? String {
        let name = (path as NSString).lastPathComponent
        if name.hasPrefix(".dsprep") { leftovers.append(path) }
        guard name.hasSuffix(".jpg") || name.hasSuffix(".png") else { continue }
        files.append(String(decoding: FileManager.default.contents(atPath: folder + "/" + path) ?? Data(), as: UTF8.self))
    }
    return (files.sorted(), leftovers)
}

fileprivate func read(_ path: String) -> String {
    String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
}

// MARK: - Parsing

@Suite struct SplitParsingTests {
    @Test(arguments: [
        ("80/10/10", SplitRatios(train: 80, validation: 10, test: 10)),
        ("0.8/0.1/0.1", SplitRatios(train: 8, validation: 1, test: 1)),
        ("80/20", SplitRatios(train: 80, validation: 20, test: 0)),
        ("0.75/0.25", SplitRatios(train: 75, validation: 25, test: 0)),
        ("70/0/30", SplitRatios(train: 70, validation: 0, test: 30)),
        ("33.3/33.3/33.4", SplitRatios(train: 333, validation: 333, test: 334)),
        (" 90 / 5 / 5 ", SplitRatios(train: 90, validation: 5, test: 5)),
        (".6/.2/.2", SplitRatios(train: 6, validation: 2, test: 2)),
    ])
    func ratiosParse(text: String, ratios: SplitRatios) throws {
        let command = try #require(try DSPrep.parseAsRoot(["split", "--ratios", text]) as? DSPrep.SplitCommand)
        #expect(command.ratios.value == ratios)
    }

    @Test(arguments: [
        ("80/10/5", "--ratios must add up to 100 (got 80/10/5)."),
        ("80/30", "--ratios must add up to 100 (got 80/30)."),
        ("80/10/10.5", "--ratios must add up to 100 (got 80/10/10.5)."),
        ("0.8/0.1/0.05", "--ratios must add up to 1 (got 0.8/0.1/0.05)."),
        ("0/50/50", "--ratios must give train a share above 0 (got 0/50/50)."),
        ("0/1", "--ratios must give train a share above 0 (got 0/1)."),
        ("100", "--ratios takes 2 or 3 numbers separated by '/', like 80/10/10 or 0.8/0.1/0.1 (got 100)."),
        ("70/10/10/10", "--ratios takes 2 or 3 numbers separated by '/', like 80/10/10 or 0.8/0.1/0.1 (got 70/10/10/10)."),
        ("80/-10/30", "--ratios takes 2 or 3 numbers separated by '/', like 80/10/10 or 0.8/0.1/0.1 (got 80/-10/30)."),
        ("80%/20%", "--ratios takes 2 or 3 numbers separated by '/', like 80/10/10 or 0.8/0.1/0.1 (got 80%/20%)."),
        ("80//20", "--ratios takes 2 or 3 numbers separated by '/', like 80/10/10 or 0.8/0.1/0.1 (got 80//20)."),
        ("0.1234567/0.8765433", "--ratios takes 2 or 3 numbers separated by '/', like 80/10/10 or 0.8/0.1/0.1 (got 0.1234567/0.8765433)."),
    ])
    func badRatiosFailWithASentence(text: String, message: String) {
        #expect(DSPrep.message(for: thrownError { try DSPrep.parseAsRoot(["split", "--ratios", text]) }) == message)
    }

    @Test(arguments: [
        (["--mode", "copy"], "--mode copy needs --out DIR: inside the data folder every image would count twice."),
        (["--mode", "symlink"], "--mode symlink needs --out DIR: inside the data folder every image would count twice."),
        (["--out", "x", "--mode", "move"], "--mode move works inside the data folder; with --out, use --mode copy, hardlink or symlink."),
        (["--stable", "--seed", "3"], "--seed has no effect with --stable, which places images by a hash of their paths; drop one of them."),
        (["--threads", "0"], "--threads must be at least 1."),
        (["--group", "patient"], "--group needs a capture group for the key, like '^([^_]+)_' (got 'patient')."),
        (["--group", "(p"], "--group must be a valid regular expression (got '(p')."),
    ])
    func badCombinationsFailWithASentence(arguments: [String], message: String) {
        #expect(DSPrep.message(for: thrownError { try DSPrep.parseAsRoot(["split"] + arguments) }) == message)
    }

    @Test func everyOptionParses() throws {
        let command = try #require(try DSPrep.parseAsRoot([
            "split", "mydata", "--ratios", "90/10", "--seed", "42", "--group", "^(.+)_", "--out", "o",
            "--mode", "hardlink", "--dry-run", "--resplit", "--threads", "3", "--json"]) as? DSPrep.SplitCommand)
        #expect(command.data == "mydata")
        #expect(command.ratios.value == SplitRatios(train: 90, validation: 10, test: 0))
        #expect(command.seed == 42 && command.group == "^(.+)_" && command.out == "o" && command.mode == .hardlink)
        #expect(command.dryRun && command.resplit && command.threads == 3 && command.global.json)
        let defaults = try #require(try DSPrep.parseAsRoot(["split"]) as? DSPrep.SplitCommand)
        #expect(defaults.data == "data" && defaults.ratios.value == .default && defaults.seed == nil && defaults.mode == nil)
    }

    /// The help text at 100 columns, pinned in Help/split.txt (`expectPinnedHelp`).
    @Test func helpIsPinned() throws {
        try expectPinnedHelp(DSPrep.SplitCommand.self, file: "split.txt")
    }

}

// MARK: - The built binary

@Suite struct SplitEndToEndTests {
    @Test func theDemoDataSetSplits() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try dsprep(["unpack", repositoryRoot + "/Fixtures/mnist_png.zip", "-q"], in: folder).status == 0)
        let result = try dsprep(["split"], in: folder)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(lines.prefix(3)) == [
            "Split data/ (seed 1337, ratios 80/10/10, move): 3,500 images, 10 classes",
            "  class        train   validation         test",
            "  0        267  76.3%     33   9.4%     50  14.3%",
        ])
        #expect(lines.contains("  all    2,670  76.3%    330   9.4%    500  14.3%"))
        #expect(lines.contains("  note: kept as it was: test (500); the other 3,000 images divided train 88.89%, validation 11.11% (80:10 from --ratios 80/10/10)"))
        #expect(lines.suffix(2) == ["Record: data/split.csv", ""])
        let csv = read(folder + "/data/split.csv").split(separator: "\n")
        #expect(csv.count == 3501 && csv.first == "path,class,split,sha256")
        #expect(contents(below: folder + "/data").files.count == 3500)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/data").sorted()
            == ["split-report.json", "split.csv", "test", "train", "unpack-report.json", "validation"])

        let again = try dsprep(["split"], in: folder)
        #expect(again.status == 0)
        #expect(again.stdout.hasPrefix("data/ is already split: 3,500 images, 10 classes\n"))
        #expect(again.stdout.contains("  note: nothing changed; add --resplit to pool train and validation and split them again (test is kept)\n"))

        let json = try dsprep(["split", "--json", "--resplit", "--ratios", "90/10", "--seed", "5"], in: folder)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report["status"] as? String == "split" && report["seed"] as? Int == 5 && report["images"] as? Int == 3500)
        #expect((report["counts"] as? [String: [String: Int]])?["3"] == ["train": 270, "validation": 30, "test": 50])
        #expect(read(folder + "/data/split-report.json") == json.stdout)
    }

    @Test func errorsAreOneLineOnStderr() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let missing = try dsprep(["split", "nothere"], in: folder)
        #expect(missing.status == 1 && missing.stdout == "")
        #expect(missing.stderr == "dsprep: nothere: no such folder; run 'dsprep unpack' first or name the data folder\n")
        let usage = try dsprep(["split", "--ratios", "80/10/5"], in: folder)
        #expect(usage.status == 64)
        #expect(usage.stderr.hasPrefix("Error: --ratios must add up to 100 (got 80/10/5).\n"))
    }

    @Test func dryRunPrintsThePlanAndChangesNothing() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        smallDataSet(in: folder, classes: 2, perClass: 9)
        let before = contents(below: folder)
        let result = try dsprep(["split", "--dry-run"], in: folder)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("""
            Dry run: would split data/ (seed 1337, ratios 80/10/10, move): 18 images, 2 classes; nothing changed
              class        train   validation         test
              c0         7  77.8%      1  11.1%      1  11.1%
              c1         7  77.8%      1  11.1%      1  11.1%
              all       14  77.8%      2  11.1%      2  11.1%
              duplicates: none (no two images have the same content)

            """))
        #expect(contents(below: folder) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/data").sorted() == ["c0", "c1"])
    }

    /// The crash test: the process kills itself with SIGKILL (the test hook
    /// `DSPREP_TEST_KILL_AFTER_PLACED`) after N of 3,000 images are placed; a plain re-run must
    /// finish the plan with every image present exactly once, and leave the same split.csv and
    /// split-report.json as a run that was never interrupted.
    @Test(arguments: [0, 1, 1_717, 2_999, 3_000])
    func aKilledSplitIsFinishedByRunningItAgain(killAfter: Int) throws {
        let reference = temporaryFolder(), folder = temporaryFolder()
        defer { for path in [reference, folder] { try? FileManager.default.removeItem(atPath: path) } }
        smallDataSet(in: reference, classes: 3, perClass: 1_000)
        let original = contents(below: reference).files
        #expect(try dsprep(["split", "-q"], in: reference).status == 0)

        smallDataSet(in: folder, classes: 3, perClass: 1_000)
        let killed = try dsprep(["split"], in: folder, environment: ["DSPREP_TEST_KILL_AFTER_PLACED": "\(killAfter)"])
        #expect(killed.signalled && killed.status == SIGKILL)
        #expect(FileManager.default.fileExists(atPath: folder + "/data/.dsprep-split/plan.csv"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/data/split.csv"))
        #expect(contents(below: folder).files == original)  // at the moment of the kill: nothing lost or doubled

        let resumed = try dsprep(["split"], in: folder)
        #expect(resumed.status == 0)
        #expect(resumed.stdout.hasPrefix("Finished the interrupted split of data/ (seed 1337, ratios 80/10/10, move): 3,000 images, 3 classes\n"))
        let after = contents(below: folder)
        #expect(after.files == original)
        #expect(after.leftovers.isEmpty)
        #expect(read(folder + "/data/split.csv") == read(reference + "/data/split.csv"))
        #expect(read(folder + "/data/split-report.json") == read(reference + "/data/split-report.json"))
    }

    @Test func aKilledCopyIsFinishedToo() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        smallDataSet(in: folder, classes: 2, perClass: 1_000)
        let original = contents(below: folder + "/data").files
        let killed = try dsprep(["split", "--out", "out", "--mode", "copy"], in: folder,
                                        environment: ["DSPREP_TEST_KILL_AFTER_PLACED": "777"])
        #expect(killed.signalled)
        let resumed = try dsprep(["split", "--out", "out"], in: folder)
        #expect(resumed.status == 0)
        #expect(resumed.stdout.hasPrefix("Finished the interrupted split of data/ into out/ (seed 1337, ratios 80/10/10, copy)"))
        #expect(contents(below: folder + "/out") == (original, []))
        #expect(contents(below: folder + "/data") == (original, []))  // the originals are untouched
        #expect(read(folder + "/out/split.csv").split(separator: "\n").count == 2_001)
    }
}

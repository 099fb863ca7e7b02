import Checksum
import Dataset
import Foundation
import Testing
@testable import Preparation

// Real files in temporary folders: every test builds a small data set, splits it, and reads the
// folder back.

/// A fresh empty folder.
private func newFolder() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-split-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func write(_ root: String, _ path: String, _ content: String) {
    let file = root + "/" + path
    try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: file, contents: Data(content.utf8))
}

/// `data/<class>/<n>.jpg` for each class, each file with its own content ("cat 3").
private func dataSet(_ classes: [(String, Int)], in root: String = newFolder(), under prefix: String = "") -> String {
    for (label, count) in classes {
        for index in 0..<count { write(root, "\(prefix)\(label)/\(index).jpg", "\(prefix)\(label) \(index)") }
    }
    return root
}

/// Every file below `root` (relative path -> content), links followed; hidden files included.
private func filesBelow(_ root: String) -> [String: String] {
    var result: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let path = enumerator?.nextObject() as? String {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isFolder), !isFolder.boolValue {
            result[path] = String(decoding: FileManager.default.contents(atPath: root + "/" + path) ?? Data(), as: UTF8.self)
        }
    }
    return result
}

/// The contents of the image files below `root`, sorted: a split must keep exactly these.
private func imageContents(_ root: String) -> [String] {
    filesBelow(root).filter { $0.key.hasSuffix(".jpg") && !$0.key.hasPrefix("unlabeled/") && !$0.key.hasPrefix(".") }.values.sorted()
}

private func split(_ data: String, _ configure: (inout SplitOptions) -> Void = { _ in }) throws -> SplitReport {
    var options = SplitOptions(data: data)
    configure(&options)
    return try SplitRunner(options: options).run()
}

private func records(_ folder: String) throws -> [SplitRecord] {
    try SplitCSV.decode(String(decoding: FileManager.default.contents(atPath: folder + "/split.csv") ?? Data(), as: UTF8.self))
}

/// name below the class folder -> split, from a folder's split.csv.
private func splitsByKey(_ folder: String) throws -> [String: Split] {
    Dictionary(uniqueKeysWithValues: try records(folder).map { ($0.path.split(separator: "/").dropFirst().joined(separator: "/"), $0.split) })
}

@Suite struct SplitRunnerTests {
    @Test func moveSplitsEveryClassAndRecordsEveryImage() throws {
        let data = dataSet([("cat", 20), ("dog", 13)])
        write(data, "unlabeled/u.jpg", "u")
        write(data, ".quarantine/bad.jpg", "bad")
        write(data, "unpack-report.json", "{}")
        write(data, "cat/notes.txt", "notes")
        write(data, "dog/Thumbs.db", "junk")
        let before = imageContents(data)

        let report = try split(data)
        #expect(report.status == .split)
        #expect(report.counts == ["cat": ["train": 16, "validation": 2, "test": 2], "dog": ["train": 11, "validation": 1, "test": 1]])
        #expect(report.images == 33 && report.placed == 33)
        #expect(report.left.map(\.path) == [".quarantine/", "cat/notes.txt", "dog/Thumbs.db", "unlabeled/", "unpack-report.json"])
        #expect(report.left.map(\.reason) == ["quarantined by unpack; never split", "not an image file (.txt)",
                                              "junk: Windows thumbnail cache (Thumbs.db)", "unlabelled images are never split", "unpack's report"])

        let after = filesBelow(data)
        #expect(imageContents(data) == before)  // nothing lost, nothing doubled
        #expect(after["unlabeled/u.jpg"] == "u" && after[".quarantine/bad.jpg"] == "bad" && after["cat/notes.txt"] == "notes")
        #expect(!after.keys.contains { $0.hasPrefix("cat/") && $0.hasSuffix(".jpg") })
        #expect(!FileManager.default.fileExists(atPath: data + "/.dsprep-split"))
        let rows = try records(data)
        #expect(rows.count == 33)
        for row in rows {
            #expect(row.path == "\(row.split.rawValue)/\(row.label)/\((row.path as NSString).lastPathComponent)")
            #expect(try SHA256.hash(fileAt: data + "/" + row.path) == row.sha256)
        }
        #expect(Set(rows.map(\.path)) == Set(after.keys.filter { $0.hasSuffix(".jpg") && !$0.hasPrefix("unlabeled/") && !$0.hasPrefix(".") }))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(SplitReport.self, from: FileManager.default.contents(atPath: data + "/split-report.json") ?? Data()) == report)
    }

    @Test func dryRunChangesNothing() throws {
        let data = dataSet([("cat", 12), ("dog", 5)])
        let before = filesBelow(data)
        let report = try split(data) { $0.dryRun = true }
        #expect(report.status == .dryRun)
        #expect(filesBelow(data) == before)
        #expect(report.counts == (try split(dataSet([("cat", 12), ("dog", 5)]))).counts)
    }

    @Test func sameSeedSameSplitWhateverTheThreadCount() throws {
        var outputs: Set<Data> = []
        var reports: [SplitReport] = []
        for threads in [1, 2, 5] {
            let data = dataSet([("a", 40), ("b", 31), ("c", 3)])
            var report = try split(data) { $0.threads = threads; $0.seed = 7 }
            (report.data, report.output, report.plan) = ("", "", "")  // the only differences: the folders' names
            reports.append(report)
            outputs.insert(FileManager.default.contents(atPath: data + "/split.csv") ?? Data())
        }
        #expect(outputs.count == 1)
        #expect(reports.allSatisfy { $0 == reports[0] })
        let other = dataSet([("a", 40), ("b", 31), ("c", 3)])
        _ = try split(other) { $0.seed = 8 }
        #expect(!outputs.contains(FileManager.default.contents(atPath: other + "/split.csv") ?? Data()))
    }

    @Test(arguments: [SplitMode.copy, .hardlink, .symlink])
    func everyModeLeavesTheDataFolderAlone(mode: SplitMode) throws {
        let data = dataSet([("cat", 10), ("dog", 10)])
        write(data, "unlabeled/u.jpg", "u")
        let before = filesBelow(data)
        let out = newFolder() + "/out"
        let report = try split(data) { $0.output = out; $0.mode = mode }
        #expect(report.placed == 20 && report.output == out)
        #expect(filesBelow(data) == before)
        #expect(imageContents(out) == imageContents(data))
        #expect(!FileManager.default.fileExists(atPath: out + "/unlabeled"))
        let source = SplitRunner.absolute(data)
        for row in try records(out) {
            let original = source + "/" + row.label + "/" + (row.path as NSString).lastPathComponent
            var placed = stat(), origin = stat(), link = stat()
            #expect(stat(out + "/" + row.path, &placed) == 0 && stat(original, &origin) == 0)
            #expect(lstat(out + "/" + row.path, &link) == 0)
            switch mode {
            case .copy:
                #expect(placed.st_ino != origin.st_ino && (link.st_mode & S_IFMT) == S_IFREG)
            case .hardlink:
                #expect(placed.st_ino == origin.st_ino && placed.st_nlink == 2)
            case .symlink:
                #expect((link.st_mode & S_IFMT) == S_IFLNK)
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/" + row.path) == original)
            case .move:
                break
            }
        }
    }

    @Test func identicalFilesLandInOneSplitEvenAcrossClasses() throws {
        for seed in UInt64(0)..<6 {
            let data = dataSet([("cat", 10), ("dog", 10)])
            for path in ["cat/1.jpg", "dog/5.jpg", "dog/sub/6.jpg"] { write(data, path, "the same bytes") }
            let report = try split(data) { $0.seed = seed }
            let files = filesBelow(data)
            let rows = try records(data).filter { files[$0.path] == "the same bytes" }
            #expect(rows.count == 3)
            #expect(Set(rows.map(\.split)).count == 1)
            #expect(report.duplicates.groups == 1 && report.duplicates.files == 3 && report.duplicates.acrossClasses == 1)
            #expect(report.warnings.contains { $0.hasPrefix("1 group of identical files carries different classes (e.g. cat/1.jpg, dog/5.jpg, dog/sub/6.jpg)") })
        }
    }

    @Test func groupKeysKeepImagesTogether() throws {
        let data = newFolder()
        for patient in 0..<12 { for scan in 0..<3 { write(data, "x/p\(patient)_\(scan).jpg", "\(patient)-\(scan)") } }
        let report = try split(data) { $0.group = "^(p[0-9]+)_" }
        #expect(report.sharedGroupKeys == 12)
        let bySplit = Dictionary(grouping: try records(data)) { ($0.path as NSString).lastPathComponent.split(separator: "_")[0] }
        #expect(bySplit.count == 12)
        #expect(bySplit.values.allSatisfy { Set($0.map(\.split)).count == 1 })
        #expect(throws: SplitError.badGroupPattern("p", "needs a capture group for the key, e.g. '^([^_]+)_'")) {
            try split(dataSet([("x", 3)])) { $0.group = "p" }
        }
    }

    @Test func aPreSplitDataSetKeepsItsTestSplitAndCarvesValidationFromTrain() throws {
        let data = dataSet([("cat", 30), ("dog", 30)], under: "train/")
        _ = dataSet([("cat", 5), ("dog", 5)], in: data, under: "test/")
        let test = filesBelow(data).filter { $0.key.hasPrefix("test/") }
        let report = try split(data)
        #expect(filesBelow(data).filter { $0.key.hasPrefix("test/") } == test)
        #expect(report.counts["cat"] == ["train": 27, "validation": 3, "test": 5])
        #expect(report.input == .init(layout: .splitFolders, splits: [.train, .test], kept: [.test], pooled: 60))
        #expect(report.pooledShares == ["train": 88.89, "validation": 11.11])
        #expect(report.notes == ["kept as it was: test (10); the other 60 images divided train 88.89%, validation 11.11% (80:10 from --ratios 80/10/10)"])
        #expect(report.placed == 6)  // only the validation images moved
    }

    @Test func aDataSetWithTrainAndValidationKeepsBothAndCarvesTest() throws {
        let data = dataSet([("cat", 20)], under: "train/")
        _ = dataSet([("cat", 4)], in: data, under: "val/")
        let report = try split(data)
        #expect(report.counts["cat"] == ["train": 18, "validation": 4, "test": 2])  // 20 at 80:10
        #expect(try records(data).filter { $0.split == .validation }.map(\.path).sorted()
            == ["validation/cat/0.jpg", "validation/cat/1.jpg", "validation/cat/2.jpg", "validation/cat/3.jpg"])
        #expect(!FileManager.default.fileExists(atPath: data + "/val"))
    }

    @Test func aDataSetWithEverySplitIsAlreadySplit() throws {
        let data = dataSet([("cat", 8)], under: "train/")
        _ = dataSet([("cat", 1)], in: data, under: "validation/")
        _ = dataSet([("cat", 1)], in: data, under: "test/")
        let before = filesBelow(data)
        let report = try split(data)
        #expect(report.status == .alreadySplit)
        #expect(report.counts["cat"] == ["train": 8, "validation": 1, "test": 1])
        #expect(report.notes.first == "the data set came split into train, validation, test, which is every split --ratios 80/10/10 asks for")
        #expect(filesBelow(data) == before)
    }

    @Test func splittingAgainNeedsResplitWhichKeepsTest() throws {
        let data = dataSet([("cat", 40), ("dog", 20)])
        _ = try split(data)
        let before = filesBelow(data)
        let again = try split(data) { $0.seed = 99 }
        #expect(again.status == .alreadySplit)
        #expect(again.notes == ["\(data)/split.csv lists 60 images, split with seed 1337 and ratios 80/10/10",
                                "nothing changed; add --resplit to pool train and validation and split them again (test is kept)"])
        #expect(filesBelow(data) == before)
        let out = newFolder() + "/out"
        #expect(try split(data) { $0.output = out; $0.mode = .copy }.status == .alreadySplit)
        #expect(!FileManager.default.fileExists(atPath: out))

        let test = before.filter { $0.key.hasPrefix("test/") }
        let resplit = try split(data) { $0.seed = 99; $0.resplit = true; $0.ratios = SplitRatios(train: 50, validation: 50, test: 0) }
        #expect(resplit.status == .split)
        #expect(filesBelow(data).filter { $0.key.hasPrefix("test/") } == test)
        #expect(resplit.counts["cat"] == ["train": 18, "validation": 18, "test": 4])
        #expect(imageContents(data) == before.filter { $0.key.hasSuffix(".jpg") }.values.sorted())
        #expect(try records(data).filter { $0.split == .train }.count == 27)  // 18 + 9 of dog's 18 pooled
    }

    @Test func poolingRenamesAClashingNameAndLosesNothing() throws {
        let data = newFolder()
        write(data, "train/cat/1.jpg", "train one")
        write(data, "validation/cat/1.jpg", "validation one")
        write(data, "test/cat/1.jpg", "test one")
        let report = try split(data) { $0.resplit = true; $0.ratios = SplitRatios(train: 100, validation: 0, test: 0) }
        #expect(report.renamed == [.init(path: "validation/cat/1.jpg", savedAs: "train/cat/1~2.jpg", reason: "another image already had this name")])
        #expect(filesBelow(data).filter { $0.key.hasSuffix(".jpg") } == ["train/cat/1.jpg": "train one", "train/cat/1~2.jpg": "validation one", "test/cat/1.jpg": "test one"])
    }

    @Test func stableSplitsNeverMoveExistingImagesWhenImagesAreAdded() throws {
        let small = dataSet([("cat", 60), ("dog", 60)])
        let large = dataSet([("cat", 90), ("dog", 60), ("eel", 20)])
        _ = try split(small) { $0.stable = true }
        let report = try split(large) { $0.stable = true }
        #expect(report.notes == ["--stable: each image placed by a hash of its path, so counts are near the ratios, not exact; --seed is not used"])
        let before = try splitsByKey(small), after = try splitsByKey(large)
        #expect(before.count == 120)
        for (key, split) in before { #expect(after[key] == split, "\(key)") }
    }

    @Test func anInterruptedSplitIsFinishedByTheNextRun() throws {
        let data = dataSet([("cat", 30), ("dog", 30)])
        let contents = imageContents(data)
        let runner = SplitRunner(options: SplitOptions(data: data))
        let (report, planned) = try runner.plan(pattern: nil)
        let rows = try #require(planned)
        try runner.writePlan(rows, report: report)
        var executor = SplitExecutor(source: SplitRunner.absolute(data), target: data, mode: .move)
        for row in rows.prefix(25) { _ = try executor.place(row) }   // then the "crash"
        let pending = try split(data) { $0.dryRun = true }
        #expect(pending.status == .interrupted)
        #expect(pending.notes.last == "an interrupted split is waiting in \(data)/.dsprep-split: 35 of 60 images still to place; run dsprep split again without --dry-run to finish it")

        let finished = try split(data) { $0.seed = 5 }  // other options: the plan wins
        #expect(finished.status == .resumed)
        #expect(finished.counts == report.counts)
        #expect(imageContents(data) == contents)
        #expect(try records(data).map(\.path) == rows.map(\.path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(!FileManager.default.fileExists(atPath: data + "/.dsprep-split"))
    }

    @Test func anImageGoneFromBothPlacesIsReportedNotInvented() throws {
        let data = dataSet([("cat", 10)])
        let runner = SplitRunner(options: SplitOptions(data: data))
        let (report, planned) = try runner.plan(pattern: nil)
        try runner.writePlan(try #require(planned), report: report)
        unlink(data + "/cat/3.jpg")
        let finished = try split(data)
        #expect(finished.images == 9)
        #expect(finished.warnings == ["1 image was neither where it was nor where the plan put it (e.g. cat/3.jpg); left out of split.csv"])
        #expect(try records(data).count == 9)
    }

    @Test func anotherSplitOfTheSameFolderIsRefused() throws {
        let data = dataSet([("cat", 5)])
        let descriptor = open(data, O_RDONLY | O_DIRECTORY)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        #expect(throws: SplitError.busy(data)) { try split(data) }
    }

    @Test func problemsAreOneLineNamingThePath() throws {
        let data = dataSet([("cat", 5)])
        let empty = newFolder()
        write(empty, "unlabeled/u.jpg", "u")
        let cases: [(SplitOptions, String)] = [
            (SplitOptions(data: "/nonexistent/data"), "/nonexistent/data: no such folder; run 'dsprep unpack' first or name the data folder"),
            (SplitOptions(data: empty), "\(empty): no images in class folders to split (expected \(empty)/<class>/<image> or \(empty)/train/<class>/<image>)"),
            (SplitOptions(data: data, mode: .copy), "--mode copy needs --out DIR: inside the data folder every image would count twice"),
            (SplitOptions(data: data, output: empty + "/o", mode: .move), "--mode move works inside the data folder; with --out use --mode copy, hardlink or symlink"),
            (SplitOptions(data: data, output: data + "/cat/out"), "\(data)/cat/out: the --out folder must be outside the data folder"),
            (SplitOptions(data: data, output: empty), "\(empty): folder is not empty; choose a new or empty --out folder"),
        ]
        for (options, message) in cases {
            do {
                _ = try SplitRunner(options: options).run()
                Issue.record("no error for \(message)")
            } catch {
                #expect("\(error)" == message)
            }
        }
        // A failed split into a new --out folder leaves no empty folder behind.
        #expect(throws: SplitError.noImages(empty)) { try split(empty) { $0.output = empty + "-out"; $0.mode = .copy } }
        #expect(!FileManager.default.fileExists(atPath: empty + "-out"))
    }
}

import Foundation
import Testing
@testable import Preparation
import Dataset
import Unpacking

/// An archive fixture of the Unpacking tests (see Tests/UnpackingTests/Fixtures/README.md).
func archiveFixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../UnpackingTests/Fixtures/\(name)").standardized.path
}

/// A fresh empty folder under the system's temporary folder.
func temporaryFolder() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-test-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Every file below `folder`, relative and sorted, hidden ones included.
func tree(_ folder: String) -> [String] {
    let files = FileManager.default
    return ((try? files.subpathsOfDirectory(atPath: folder)) ?? []).filter { path in
        var isFolder: ObjCBool = false
        files.fileExists(atPath: folder + "/" + path, isDirectory: &isFolder)
        return !isFolder.boolValue
    }.sorted()
}

/// Unpacks fixtures into a new folder `out` inside a temporary folder.
func unpack(_ names: [String], layout: Layout = .auto, into out: String? = nil, force: Bool = false,
            maxBytes: Int64? = nil) throws -> (UnpackReport, String) {
    let output = out ?? temporaryFolder() + "/data"
    let options = UnpackOptions(archives: names.map(archiveFixture), output: output, layout: layout, force: force,
                                maxBytes: maxBytes)
    return (try Unpacker(options: options).run(), output)
}

@Suite struct UnpackLayoutTests {
    @Test func classFolders() throws {
        let (report, out) = try unpack(["class_folders.zip"])
        #expect(tree(out) == ["Cat/0.jpg", "Cat/1.jpg", "Dog/0.jpg", "Dog/1.jpg", "Dog/2.png", "unpack-report.json"])
        #expect(report.layout.layout == .classFolders)
        #expect(report.layout.root == "PetImages")
        #expect(report.classes == ["Cat", "Dog"])
        #expect(report.classCounts == ["all": ["Cat": 2, "Dog": 3]])
        #expect(report.images == 5)
    }

    @Test func filenamePrefixesAndUnlabelled() throws {
        let (report, out) = try unpack(["filename_prefix.zip"])
        #expect(tree(out) == ["cat/cat.0.jpg", "cat/cat.1.jpg", "dog/dog.0.jpg", "dog/dog_12.png",
                              "unlabeled/1.jpg", "unlabeled/2.jpg", "unpack-report.json"])
        #expect(report.layout.layout == .filenamePrefix)
        #expect(report.unlabeled == 2)
    }

    @Test func preSplitTree() throws {
        let (report, out) = try unpack(["presplit.tar.gz"])
        #expect(tree(out) == ["test/cats/c3.jpg", "test/dogs/d2.jpg", "train/cats/c1.jpg", "train/cats/c2.jpg",
                              "train/dogs/d1.jpg", "unpack-report.json", "validation/cats/c4.jpg", "validation/dogs/d3.jpg"])
        #expect(report.layout.splits == [.train, .validation, .test])
        #expect(report.classCounts["train"] == ["cats": 2, "dogs": 1])
    }

    @Test func doubledFoldersAndUnlabelledTestSet() throws {
        let (_, out) = try unpack(["doubled_mnist.tar.xz"])
        #expect(tree(out) == ["0/img_1.jpg", "1/img_2.jpg", "unlabeled/img_3.jpg", "unlabeled/img_4.jpg",
                              "unpack-report.json"])
    }

    @Test func nestedKaggleArchive() throws {
        let (report, out) = try unpack(["nested.zip"])
        #expect(tree(out) == ["cat/cat.0.jpg", "cat/cat.1.jpg", "dog/dog.0.jpg", "dog/dog.1.jpg",
                              "unlabeled/1.jpg", "unlabeled/2.jpg", "unpack-report.json"])
        #expect(report.leftOut == [LeftOutEntry(path: "sampleSubmission.csv", reason: "not an image file (.csv)")])
    }

    @Test func forcedLayout() throws {
        let (report, out) = try unpack(["class_folders.zip"], layout: .unlabeled)
        #expect(report.layout.layout == .unlabeled)
        #expect(tree(out).filter { $0.hasPrefix("unlabeled/") }.count == 5)  // 0.jpg twice: one renamed
        #expect(report.renamed.count == 2)
    }

    @Test func severalArchivesMerge() throws {
        let (report, out) = try unpack(["class_folders.zip", "junk.zip"])
        #expect(report.archives.count == 2)
        #expect(tree(out) == ["Cat/0.jpg", "Cat/1.jpg", "Dog/0.jpg", "Dog/1.jpg", "Dog/2.png", "cat/a.jpg", "dog/b.jpg",
                              "unpack-report.json"])
        #expect(report.layout.notes == ["\(archiveFixture("junk.zip")): layout class-folders, root pets/"])
    }
}

@Suite struct UnpackCheckTests {
    @Test func junkAndNonImagesAreLeftOutAndListed() throws {
        let (report, out) = try unpack(["junk.zip"])
        #expect(tree(out) == ["cat/a.jpg", "dog/b.jpg", "unpack-report.json"])
        let reasons = Dictionary(uniqueKeysWithValues: report.leftOut.map { ($0.path, $0.reason) })
        #expect(reasons["__MACOSX/pets/cat/._a.jpg"] == "junk: macOS archive metadata (__MACOSX)")
        #expect(reasons["pets/cat/._a.jpg"] == "junk: macOS resource fork (._ file)")
        #expect(reasons["pets/.DS_Store"] == "junk: macOS folder settings (.DS_Store)")
        #expect(reasons["pets/cat/Thumbs.db"] == "junk: Windows thumbnail cache (Thumbs.db)")
        #expect(reasons["pets/dog/desktop.ini"] == "junk: Windows folder settings (desktop.ini)")
        #expect(reasons["pets/.hidden/c.jpg"] == "junk: inside hidden folder .hidden")
        #expect(reasons["pets/notes.txt"] == "not an image file (.txt)")
        #expect(reasons["pets/labels.csv"] == "not an image file (.csv)")
    }

    @Test func badImagesAreQuarantinedWithReasonsNeverDeleted() throws {
        let (report, out) = try unpack(["bad_images.zip"])
        #expect(tree(out) == [
            ".quarantine/pets/cat/empty.jpg", ".quarantine/pets/cat/text.jpg", ".quarantine/pets/cat/truncated.jpg",
            ".quarantine/pets/dog/anim.gif", ".quarantine/pets/dog/truncated.png",
            "cat/ok.jpg", "dog/ok.png", "dog/png_named.jpg", "unpack-report.json",
        ])
        let reasons = Dictionary(uniqueKeysWithValues: report.quarantined.map { ($0.path, $0.reason) })
        #expect(reasons == [
            "pets/cat/empty.jpg": "empty file",
            "pets/cat/text.jpg": "not an image (unrecognised content)",
            "pets/cat/truncated.jpg": "truncated JPEG (no end-of-image marker)",
            "pets/dog/anim.gif": "unsupported format (GIF)",
            "pets/dog/truncated.png": "truncated PNG (no IEND chunk)",
        ])
        #expect(report.notes == [LeftOutEntry(path: "dog/png_named.jpg", reason: "PNG data in a file named .jpg (kept as it is)")])
        #expect(report.images == 3)
    }

    @Test func unsafeAndCollidingNamesAreRenamedAndReported() throws {
        let (report, out) = try unpack(["names.zip"])
        let files = tree(out)
        #expect(files.contains("cat/A.jpg"))
        #expect(files.contains("cat/a~2.jpg"))
        #expect(files.contains("cat/caf\u{00E9}.jpg"))
        #expect(files.contains("cat/caf\u{00E9}~2.jpg"))
        #expect(files.contains("dog/bell%07.jpg"))
        #expect(files.contains("dog/%FF%FE.jpg"))
        let reasons = Dictionary(report.renamed.map { ($0.savedAs, $0.reason) }, uniquingKeysWith: { a, _ in a })
        #expect(reasons["cat/a~2.jpg"] == "another file already had this name")
        #expect(reasons["dog/bell%07.jpg"] == "name has control characters")
        #expect(reasons["dog/%FF%FE.jpg"] == "name is not valid UTF-8")
    }

    @Test func theReportOnDiskMatchesTheReturnedOne() throws {
        let (report, out) = try unpack(["class_folders.zip"])
        let data = try #require(FileManager.default.contents(atPath: out + "/unpack-report.json"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        #expect(try decoder.decode(UnpackReport.self, from: data) == report)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"class_counts\""))
        #expect(report.archives.first?.sha256.count == 64)
        #expect(report.archives.first?.format.hasPrefix("ZIP") == true)
    }

    @Test func unpackIsDeterministic() throws {
        let parentA = temporaryFolder(), parentB = temporaryFolder()
        let (_, first) = try unpack(["nested.zip"], into: parentA + "/data")
        let (_, second) = try unpack(["nested.zip"], into: parentB + "/data")
        let reportA = FileManager.default.contents(atPath: first + "/unpack-report.json")
            .map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: parentA, with: "") }
        let reportB = FileManager.default.contents(atPath: second + "/unpack-report.json")
            .map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: parentB, with: "") }
        #expect(reportA != nil && reportA == reportB)
        #expect(tree(first) == tree(second))
    }
}

@Suite struct UnpackOutputFolderTests {
    @Test func aNonEmptyForeignFolderIsRefusedEvenWithForce() throws {
        let out = temporaryFolder()
        FileManager.default.createFile(atPath: out + "/mine.txt", contents: Data("keep".utf8))
        for force in [false, true] {
            #expect(throws: OutputFolderError.self) { try unpack(["class_folders.zip"], into: out, force: force) }
        }
        #expect(tree(out) == ["mine.txt"])
    }

    @Test func anEarlierUnpackIsReplacedOnlyWithForce() throws {
        let (_, out) = try unpack(["class_folders.zip"])
        #expect(throws: OutputFolderError.self) { try unpack(["junk.zip"], into: out) }
        #expect(tree(out).contains("Cat/0.jpg"))
        let (report, _) = try unpack(["junk.zip"], into: out, force: true)
        #expect(tree(out) == ["cat/a.jpg", "dog/b.jpg", "unpack-report.json"])
        #expect(report.images == 2)
    }

    @Test func aFailedUnpackLeavesNothingBehind() throws {
        let parent = temporaryFolder()
        let out = parent + "/data"
        #expect(throws: UnpackError.self) { try unpack(["zip_slip.zip"], into: out) }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(throws: UnpackError.self) { try unpack(["bomb.zip"], into: out, maxBytes: 5 << 20) }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(tree(parent).isEmpty)
    }

    @Test func aFailedForcedUnpackKeepsTheEarlierDataSet() throws {
        let (_, out) = try unpack(["class_folders.zip"])
        let before = tree(out)
        #expect(throws: UnpackError.self) { try unpack(["truncated.zip"], into: out, force: true) }
        #expect(tree(out) == before)
    }

    @Test func anInterruptedCommitIsUndoneByTheNextRun() throws {
        // Simulate a run killed half-way through moving its tree into place: a staging folder
        // with a journal, one class folder already moved in, and no report.
        let out = temporaryFolder() + "/data"
        let folder = OutputFolder(path: out, reportName: Unpacker.reportName, commandName: "unpack")
        _ = try folder.prepare(force: false)
        try FileManager.default.createDirectory(atPath: out + "/Cat", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: out + "/Cat/half.jpg", contents: Data([1]))
        try folder.write(try JSONEncoder().encode(["Cat", "Dog", Unpacker.reportName]), to: folder.staging + "/moving.json")
        let (report, _) = try unpack(["class_folders.zip"], into: out)
        #expect(report.images == 5)
        #expect(tree(out) == ["Cat/0.jpg", "Cat/1.jpg", "Dog/0.jpg", "Dog/1.jpg", "Dog/2.png", "unpack-report.json"])
    }

    @Test func anInterruptedExtractionIsClearedByTheNextRun() throws {
        let out = temporaryFolder() + "/data"
        try FileManager.default.createDirectory(atPath: out + "/.dsprep-unpack/files", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: out + "/.dsprep-unpack/files/1", contents: Data([1, 2, 3]))
        let (report, _) = try unpack(["class_folders.zip"], into: out)
        #expect(report.images == 5)
        #expect(!tree(out).contains { $0.hasPrefix(".dsprep-unpack") })
    }
}

import Foundation
import Testing
@testable import Unpacking

/// The archive fixtures (made by `Fixtures/make_fixtures.sh`, described in `Fixtures/README.md`).
func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
}

/// A fresh empty folder under the system's temporary folder.
func temporaryFolder() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-test-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs an `Extractor` over one fixture and keeps what it staged.
struct Extraction {
    var staged: [StagedFile] = []
    var leftOut: [LeftOutEntry] = []
    var error: UnpackError?
    var folder: String

    init(_ name: String, maxBytes: Int64 = 1 << 30, maxEntries: Int = 100_000, maxDepth: Int = 3,
         leaveOut: @escaping (EntryPath) -> String? = { _ in nil }) {
        folder = temporaryFolder()
        let extractor = Extractor(stagingFolder: folder,
                                  limits: ExtractionLimits(maxBytes: maxBytes, maxEntries: maxEntries, maxDepth: maxDepth))
        extractor.leaveOut = leaveOut
        var staged: [StagedFile] = []
        extractor.onFile = { file, _ in staged.append(file) }
        do {
            try extractor.extract(archive: fixture(name), displayName: name)
        } catch {
            self.error = error
        }
        self.staged = staged
        leftOut = extractor.leftOut
    }

    var paths: [String] { staged.map(\.path.description) }

    func contents(_ path: String) -> Data? {
        staged.first { $0.path.description == path }.flatMap { FileManager.default.contents(atPath: $0.stagedPath) }
    }

    /// Every file the extraction wrote, anywhere under its folder.
    var filesWritten: [String] { (try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? [] }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

@Suite struct ExtractorFormatTests {
    @Test(arguments: ["formats.tar", "formats.tgz", "formats.tar.bz2", "formats.tar.zst", "formats.7z", "formats_stored.zip"])
    func everyFormatGivesTheSameFiles(name: String) throws {
        let result = Extraction(name)
        defer { result.remove() }
        #expect(result.error == nil)
        #expect(result.paths == ["shapes/circle/a.png", "shapes/square/b.png"])
        let reference = Extraction("formats.tar")
        defer { reference.remove() }
        for path in result.paths {
            #expect(result.contents(path) == reference.contents(path))
            #expect(result.contents(path)?.starts(with: [0x89, 0x50, 0x4E, 0x47]) == true)
        }
    }

    @Test func nestedArchivesOpenUnderAFolderNamedForThem() {
        let result = Extraction("nested.zip")
        defer { result.remove() }
        #expect(result.error == nil)
        #expect(Set(result.paths) == ["train/train/cat.0.jpg", "train/train/cat.1.jpg", "train/train/dog.0.jpg",
                                      "train/train/dog.1.jpg", "test1/test1/1.jpg", "test1/test1/2.jpg",
                                      "sampleSubmission.csv"])
        #expect(result.staged.first { $0.path.name == "cat.0.jpg" }?.source == ["nested.zip", "train.zip", "train/cat.0.jpg"])
        // The nested archives' own copies are gone once read.
        #expect(result.filesWritten.count == 7)
    }

    @Test func nestingDeeperThanTheLimitIsLeftOut() {
        let result = Extraction("nested.zip", maxDepth: 1)
        defer { result.remove() }
        #expect(result.error == nil)
        #expect(result.paths == ["sampleSubmission.csv"])
        #expect(result.leftOut.map(\.path).sorted() == ["test1.zip", "train.zip"])
        #expect(result.leftOut.first?.reason == "archive nested more than 1 levels deep (see --max-depth)")
    }

    @Test func leftOutEntriesAreNotWritten() {
        let result = Extraction("junk.zip") { $0.name.hasSuffix(".jpg") ? nil : "not wanted" }
        defer { result.remove() }
        #expect(result.error == nil)
        #expect(result.staged.allSatisfy { $0.path.name.hasSuffix(".jpg") })
        #expect(result.filesWritten.count == result.staged.count)
        #expect(result.leftOut.contains(LeftOutEntry(path: "pets/notes.txt", reason: "not wanted")))
    }

    @Test func namesAreMadeSafeAndNoted() {
        let result = Extraction("names.zip")
        defer { result.remove() }
        #expect(result.error == nil)
        let names = result.staged.map(\.path.name)
        #expect(names.filter { $0 == "caf\u{00E9}.jpg" }.count == 2)
        #expect(names.contains("bell%07.jpg"))
        #expect(names.contains("%FF%FE.jpg"))
        #expect(result.staged.first { $0.path.name == "%FF%FE.jpg" }?.path.notes == ["name is not valid UTF-8"])
    }
}

@Suite struct ExtractorSafetyTests {
    @Test(arguments: [
        ("zip_slip.zip", "zip_slip.zip: ../../evil.txt: path with '..' refused (it would be written outside the output folder)"),
        ("absolute.tar", "absolute.tar: /tmp/dsprep-evil.jpg: absolute path refused (it would be written outside the output folder)"),
        ("backslash.zip", "backslash.zip: ../../evil.jpg: path with '..' refused (it would be written outside the output folder)"),
    ])
    func unsafeNamesStopTheRun(name: String, message: String) {
        let result = Extraction(name)
        defer { result.remove() }
        #expect(result.error?.description == message)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/dsprep-evil.jpg"))
    }

    @Test func symbolicLinksAreNeverCreatedOrFollowed() throws {
        let result = Extraction("symlink_escape.tar")
        defer { result.remove() }
        #expect(result.error == nil)
        #expect(result.leftOut == [LeftOutEntry(path: "pets/link", reason: "symbolic link to /tmp (links are never extracted)")])
        // The file "inside" the link is an ordinary file in the staging folder.
        let evil = try #require(result.staged.first { $0.path.description == "pets/link/evil.jpg" })
        #expect(evil.stagedPath.hasPrefix(result.folder + "/"))
        for path in result.filesWritten {
            let attributes = try FileManager.default.attributesOfItem(atPath: result.folder + "/" + path)
            #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        }
    }

    @Test func hardLinksAreLeftOut() {
        let result = Extraction("hardlink.tar")
        defer { result.remove() }
        #expect(result.error == nil)
        #expect(result.paths == ["pets/cat/a.jpg"])
        #expect(result.leftOut == [
            LeftOutEntry(path: "pets/cat/b.jpg", reason: "hard link to /etc/hostname (links are never extracted)"),
            LeftOutEntry(path: "pets/cat/c.jpg", reason: "hard link to pets/cat/a.jpg (links are never extracted)"),
        ])
    }

    @Test func devicesAreLeftOutAndPermissionsAreNotRestored() throws {
        let result = Extraction("device.tar")
        defer { result.remove() }
        #expect(result.error == nil)
        #expect(result.leftOut == [
            LeftOutEntry(path: "pets/cat/fifo.jpg", reason: "FIFO (only regular files are extracted)"),
            LeftOutEntry(path: "pets/cat/null.jpg", reason: "character device (only regular files are extracted)"),
        ])
        let suid = try #require(result.staged.first { $0.path.name == "suid.jpg" })
        let mode = try #require(FileManager.default.attributesOfItem(atPath: suid.stagedPath)[.posixPermissions] as? Int)
        #expect(mode & 0o7000 == 0)
    }

    @Test func aDeflateBombStopsAtTheByteLimit() {
        let result = Extraction("bomb.zip", maxBytes: 10 << 20)
        defer { result.remove() }
        #expect(result.error?.reason == .tooManyBytes(limit: 10 << 20))
        #expect(result.error?.description.hasPrefix("bomb.zip: pets/cat/big.jpg: stopped: unpacking would write more than 10 MiB") == true)
    }

    @Test func manyEntriesStopAtTheEntryLimit() {
        let result = Extraction("bomb_many.zip", maxEntries: 1000)
        defer { result.remove() }
        #expect(result.error?.reason == .tooManyEntries(limit: 1000))
        #expect(result.staged.count < 1000)
    }

    @Test func nestedBombsCountEveryLevelAgainstOneLimit() throws {
        let result = Extraction("nested_bomb.zip", maxBytes: 120 << 20)
        defer { result.remove() }
        let error = try #require(result.error)
        #expect(error.reason == .tooManyBytes(limit: 120 << 20))
        #expect(error.archive.count == 2)  // stopped inside a nested archive
    }

    @Test func overlappingEntryBombsStopEarly() {
        let result = Extraction("overlap_bomb.zip", maxBytes: 50 << 20)
        defer { result.remove() }
        let error = result.error
        #expect(error != nil)
        #expect(result.staged.reduce(0) { $0 + $1.size } <= 50 << 20)
    }
}

@Suite struct ExtractorDamageTests {
    @Test(arguments: [
        ("truncated.zip", "truncated.zip: damaged archive: zip without a central directory (truncated or damaged download)"),
        ("no_central_directory.zip", "no_central_directory.zip: damaged archive: zip without a central directory (truncated or damaged download)"),
        ("zero.zip", "zero.zip: damaged archive: empty file (0 bytes), not an archive"),
        ("empty.zip", "empty.zip: damaged archive: zip archive with no entries"),
    ])
    func damagedArchivesAreReportedWithTheReason(name: String, message: String) {
        let result = Extraction(name)
        defer { result.remove() }
        #expect(result.error?.description == message)
    }

    @Test(arguments: ["truncated.tar.gz", "badcrc.zip", "not_an_archive.zip", "mtree_disguised.zip"])
    func otherDamageIsAnError(name: String) throws {
        let result = Extraction(name)
        defer { result.remove() }
        let error = try #require(result.error)
        guard case .damaged = error.reason else {
            Issue.record("expected damage, got \(error)")
            return
        }
    }

    @Test func aBadCRCNamesTheEntry() throws {
        let result = Extraction("badcrc.zip")
        defer { result.remove() }
        let error = try #require(result.error)
        #expect(error.entry != nil)
        #expect(error.description.contains("CRC"))
    }

    @Test(arguments: ["encrypted.zip", "encrypted.7z", "encrypted_headers.7z"])
    func encryptedArchivesAreReportedNeverPrompted(name: String) throws {
        let result = Extraction(name)
        defer { result.remove() }
        let error = try #require(result.error)
        #expect(error.reason == .encrypted || error.description.lowercased().contains("encrypt")
            || error.description.lowercased().contains("passphrase"))
        #expect(result.staged.isEmpty)
    }
}

import ArgumentParser
import Foundation
import Testing
@testable import DSPrepCLI

@Suite struct UnpackParsingTests {
    @Test func optionsParse() throws {
        let command = try #require(try DSPrep.parseAsRoot(["unpack", "a.zip", "b.tar", "--out", "x", "--layout",
                                                          "split-folders", "--force", "--max-size", "2G",
                                                          "--max-entries", "10", "--max-depth", "1", "--json"]) as? DSPrep.Unpack)
        #expect(command.archives == ["a.zip", "b.tar"])
        #expect(command.out == "x")
        #expect(command.layout == .splitFolders)
        #expect(command.force)
        #expect(command.maxSize?.bytes == 2 << 30)
        #expect(command.maxEntries == 10)
        #expect(command.maxDepth == 1)
        #expect(command.global.json)
    }

    @Test(arguments: [("500M", Int64(500) << 20), ("1.5GiB", Int64(3) << 29), ("100000", 100_000), ("64k", 65536), ("2 TB", Int64(2) << 40)])
    func sizes(text: String, bytes: Int64) {
        #expect(ByteSize(argument: text)?.bytes == bytes)
    }

    @Test(arguments: ["", "-1", "G", "12X", "0", "1e30G"])
    func badSizes(text: String) {
        #expect(ByteSize(argument: text) == nil)
    }

    @Test func badValuesFailWithASentence() {
        #expect(DSPrep.message(for: thrownError { try DSPrep.parseAsRoot(["unpack", "a.zip", "--max-depth", "0"]) })
            == "--max-depth must be at least 1 (1 opens only the archives given).")
        #expect(DSPrep.message(for: thrownError { try DSPrep.parseAsRoot(["unpack"]) })
            == "Missing expected argument '<archives> ...'")
        #expect(DSPrep.message(for: thrownError { try DSPrep.parseAsRoot(["unpack", "a.zip", "--layout", "tree"]) })
            .hasPrefix("The value 'tree' is invalid for '--layout <layout>'"))
    }

}

@Suite struct UnpackHelpTests {
    /// The help text at 100 columns, pinned in Help/unpack.txt (`expectPinnedHelp`).
    @Test func helpIsPinned() throws {
        try expectPinnedHelp(DSPrep.Unpack.self, file: "unpack.txt")
    }

    @Test func rootHelpListsUnpack() {
        let help = DSPrep.helpMessage(columns: 100)
        #expect(help.contains("unpack                  Unpack image archives into class folders, checking every image."))
    }
}

@Suite struct UnpackEndToEndTests {
    private let demo = repositoryRoot + "/Fixtures/mnist_png.zip"
    private func fixture(_ name: String) -> String { repositoryRoot + "/Tests/UnpackingTests/Fixtures/" + name }

    @Test func theDemoDataSetUnpacks() throws {
        let folder = temporaryFolder()
        let result = try dsprep(["unpack", demo], in: folder)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Unpacked \(demo) into data/: 3,500 images, 10 classes (layout: split-folders, root mnist_png/)")
        #expect(lines[1] == "  class      train       test")
        #expect(lines[2] == "  0            300         50")
        #expect(lines.last == "Full report: data/unpack-report.json")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/data").sorted()
        #expect(files == ["test", "train", "unpack-report.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/data/train/7").count == 300)
    }

    @Test func jsonIsTheReport() throws {
        let folder = temporaryFolder()
        let result = try dsprep(["unpack", fixture("bad_images.zip"), "--json"], in: folder)
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["images"] as? Int == 3)
        #expect((json["quarantined"] as? [Any])?.count == 5)
        let onDisk = try #require(FileManager.default.contents(atPath: folder + "/data/unpack-report.json"))
        #expect(String(decoding: onDisk, as: UTF8.self) == result.stdout)
    }

    @Test func theSummaryListsWhatWasSetAside() throws {
        let folder = temporaryFolder()
        let result = try dsprep(["unpack", fixture("bad_images.zip")], in: folder)
        #expect(result.stdout.contains("Quarantined 5 bad images in data/.quarantine/:\n  pets/cat/empty.jpg: empty file\n"))
        #expect(result.stdout.contains("Notes on 1 file:\n  dog/png_named.jpg: PNG data in a file named .jpg (kept as it is)\n"))
    }

    @Test func quietPrintsNothing() throws {
        let result = try dsprep(["unpack", fixture("class_folders.zip"), "-q"], in: temporaryFolder())
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "")
    }

    @Test func unsafeArchivesFailWithOneLine() throws {
        let folder = temporaryFolder()
        let result = try dsprep(["unpack", fixture("zip_slip.zip")], in: folder)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == "dsprep: \(fixture("zip_slip.zip")): ../../evil.txt: path with '..' refused (it would be written outside the output folder)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func aMissingArchiveIsNamed() throws {
        let result = try dsprep(["unpack", "missing.zip"], in: temporaryFolder())
        #expect(result.status == 1)
        #expect(result.stderr == "dsprep: missing.zip: cannot read: No such file or directory\n")
    }

    @Test func aNonEmptyOutputFolderIsRefused() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: folder + "/data/notes.txt", contents: Data()))
        let result = try dsprep(["unpack", fixture("class_folders.zip")], in: folder)
        #expect(result.status == 1)
        #expect(result.stderr == "dsprep: data: folder is not empty and was not written by dsprep; choose a new or empty --out folder\n")
    }

    @Test func aBombStopsWithTheLimitNamed() throws {
        let result = try dsprep(["unpack", fixture("bomb.zip"), "--max-size", "20M"], in: temporaryFolder())
        #expect(result.status == 1)
        #expect(result.stderr == "dsprep: \(fixture("bomb.zip")): pets/cat/big.jpg: stopped: unpacking would write more than 20 MiB "
                + "(an archive bomb?); raise the limit with --max-size if this data set is really that large\n")
    }

    @Test func usageErrorsExitWithCode64() throws {
        let result = try dsprep(["unpack", "a.zip", "--max-depth", "0"], in: temporaryFolder())
        #expect(result.status == 64)
        #expect(result.stderr.contains("--max-depth must be at least 1"))
    }

    @Test func versionAndHelp() throws {
        #expect(try dsprep(["--version"]).stdout == "0.1.0\n")
        let help = try dsprep(["unpack", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: dsprep unpack"))
    }
}

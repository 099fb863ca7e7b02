import Testing
@testable import Unpacking

@Suite struct EntryPathTests {
    private func path(_ text: String) throws -> EntryPath { try EntryPath(raw: Array(text.utf8)) }

    @Test(arguments: [
        ("PetImages/Cat/0.jpg", ["PetImages", "Cat", "0.jpg"]),
        ("PetImages\\Cat\\0.jpg", ["PetImages", "Cat", "0.jpg"]),
        ("./a//b/./c.png", ["a", "b", "c.png"]),
        ("dir/", ["dir"]),
    ])
    func safeNames(raw: String, components: [String]) throws {
        #expect(try path(raw).components == components)
        #expect(try path(raw).notes.isEmpty)
    }

    @Test(arguments: [
        ("/etc/passwd", EntryPath.Refusal.absolute),
        ("\\windows\\evil.jpg", .absolute),
        ("C:\\evil.jpg", .absolute),
        ("c:evil.jpg", .absolute),
        ("../../evil.txt", .parentReference),
        ("pets/../../evil2.jpg", .parentReference),
        ("..\\..\\evil.jpg", .parentReference),
        ("a/..", .parentReference),
        ("./", .empty),
    ])
    func refusedNames(raw: String, refusal: EntryPath.Refusal) {
        #expect(throws: refusal) { try path(raw) }
    }

    @Test func invalidUTF8IsEscapedAndNoted() throws {
        let entry = try EntryPath(raw: Array("pets/dog/".utf8) + [0xFF, 0xFE] + Array(".jpg".utf8))
        #expect(entry.components == ["pets", "dog", "%FF%FE.jpg"])
        #expect(entry.notes == ["name is not valid UTF-8"])
    }

    @Test func controlCharactersAreEscapedAndNoted() throws {
        let entry = try path("pets/dog/bell\u{07}.jpg")
        #expect(entry.components == ["pets", "dog", "bell%07.jpg"])
        #expect(entry.notes == ["name has control characters"])
    }

    @Test func decomposedNamesBecomeNFC() throws {
        let entry = try path("pets/cat/cafe\u{0301}.jpg")
        #expect(entry.components.last == "caf\u{00E9}.jpg")
        #expect(entry.components.last?.utf8.count == "café.jpg".utf8.count)
        #expect(entry.notes == ["name normalised to Unicode NFC"])
    }

    @Test func extensionsAndNames() throws {
        #expect(try path("a/B.JPG").pathExtension == "jpg")
        #expect(try path("a/.hidden").pathExtension == "")
        #expect(try path("a/noext").pathExtension == "")
        #expect(try path("a/x.tar.gz").name == "x.tar.gz")
    }

    @Test func terminalEscapingShowsHostileBytes() {
        #expect(terminalEscaped(Array("bell\u{07}.jpg".utf8)) == "bell\\x07.jpg")
        #expect(terminalEscaped(Array("a\u{1B}[31m.jpg".utf8)) == "a\\x1b[31m.jpg")
        #expect(terminalEscaped([0x61, 0xFF, 0x2E]) == "a\\xff.")
        #expect(terminalEscaped(Array("café.jpg".utf8)) == "café.jpg")
    }

    @Test(arguments: [("train.zip", "train"), ("x.TAR.GZ", "x"), ("a.tgz", "a"), ("b.7z", "b"), ("c.tar.zst", "c")])
    func nestedArchiveNames(name: String, stem: String) {
        #expect(NestedArchive(name: name)?.stem == stem)
    }

    @Test(arguments: ["cat.jpg", ".zip", "zip", "notes.gz"])
    func otherNamesAreNotArchives(name: String) {
        #expect(NestedArchive(name: name) == nil)
    }
}

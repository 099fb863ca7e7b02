import Checksum
import Foundation
import Testing

/// SHA-256 through libcrypto against FIPS 180-2's published digests, in one piece, in pieces
/// and from files (the reader's 1 MiB blocks included).
@Suite struct SHA256Tests {
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    static let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// One million times "a" (FIPS 180-2, appendix B.3).
    static let millionA = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

    @Test func knownDigests() {
        #expect(Data("abc".utf8).withUnsafeBytes { SHA256.hash($0) } == Self.abc)
        #expect(Data().withUnsafeBytes { SHA256.hash($0) } == Self.empty)
    }

    @Test func piecesHashAsTheWhole() {
        let hasher = SHA256()
        for _ in 0..<1000 { hasher.update(Data(repeating: UInt8(ascii: "a"), count: 1000)) }
        #expect(hasher.finalize() == Self.millionA)
    }

    @Test func filesHashInBlocks() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-sha-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Just under one block, and a little over two (1,000,000 bytes, then 2,100,000).
        FileManager.default.createFile(atPath: folder + "/a", contents: Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(try SHA256.hash(fileAt: folder + "/a") == Self.millionA)
        let large = Data((0..<2_100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        FileManager.default.createFile(atPath: folder + "/b", contents: large)
        #expect(try SHA256.hash(fileAt: folder + "/b") == large.withUnsafeBytes { SHA256.hash($0) })
        FileManager.default.createFile(atPath: folder + "/empty", contents: Data())
        #expect(try SHA256.hash(fileAt: folder + "/empty") == Self.empty)
    }

    @Test func aStoppedHashThrowsCancellation() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-sha-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        FileManager.default.createFile(atPath: folder + "/f", contents: Data("abc".utf8))
        #expect(throws: CancellationError.self) { try SHA256.hash(fileAt: folder + "/f", proceed: { false }) }
        #expect(try SHA256.hash(fileAt: folder + "/f", proceed: { true }) == Self.abc)
    }

    @Test func aMissingFileThrowsItsErrno() {
        #expect(throws: POSIXError.self) { try SHA256.hash(fileAt: "/nonexistent/dsprep-sha-test") }
    }
}

import Checksum
import Foundation
import Testing
@testable import Preparation

/// The archives' SHA-256, computed on a thread of its own while unpack extracts, and stopped
/// (and waited for) when the unpack fails: a thread left inside libcrypto while the process
/// exits races OpenSSL's exit-time cleanup, which crashed about one failing unpack in 40.
@Suite struct ArchiveHashesTests {
    @Test func hashesEachArchive() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let paths = [folder + "/a.zip", folder + "/b.tar"]
        FileManager.default.createFile(atPath: paths[0], contents: Data("first archive".utf8))
        FileManager.default.createFile(atPath: paths[1], contents: Data(repeating: 7, count: 3 << 20))
        #expect(ArchiveHashes(paths: paths).wait() == (try paths.map { try SHA256.hash(fileAt: $0) }))
    }

    @Test func stopEndsALongHashAtTheNextBlockAndWaitsForTheThread() throws {
        // A sparse 4 GiB file: reading and hashing all of it takes seconds, stopping takes one
        // 1 MiB block.
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/big.zip"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 4 << 30) == 0)
        let hashes = ArchiveHashes(paths: [path])
        let start = Date()
        hashes.stop()
        #expect(Date().timeIntervalSince(start) < 1)
        #expect(hashes.wait() == [""])  // stopped: no hash
    }
}

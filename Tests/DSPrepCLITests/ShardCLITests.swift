import Foundation
import Testing

/// Unpacks the demo data set into `folder/data` with the built binary.
private func unpackDemo(in folder: String) throws {
    let result = try dsprep(["unpack", repositoryRoot + "/Fixtures/mnist_png.zip", "-q"], in: folder)
    #expect(result.status == 0)
}

private func contents(_ folder: String) throws -> [String: Data] {
    var result: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
        result[name] = FileManager.default.contents(atPath: folder + "/" + name)
    }
    return result
}

@Suite(.serialized) struct ShardEndToEndTests {
    @Test func shardVerifyAndPreviewTheDemoDataSet() throws {
        let folder = temporaryFolder()
        try unpackDemo(in: folder)
        let shard = try dsprep(["shard", "--gray", "--size", "28"], in: folder)
        #expect(shard.status == 0)
        #expect(shard.stderr == "")
        let lines = shard.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Wrote 3,500 images (28x28x1 uint8, gray, stretch) to 2 shards in shards/: 2.6 MiB in ") == true)
        #expect(lines.contains("  total      3,000        500"))
        #expect(lines.last == "Manifest: shards/manifest.json")

        let verify = try dsprep(["verify"], in: folder)
        #expect(verify.status == 0)
        #expect(verify.stdout.hasPrefix("OK: shards/ holds 3,500 images in 2 shards (2.6 MiB), all matching manifest.json\n"))

        let preview = try dsprep(["preview", "--per-class", "5"], in: folder)
        #expect(preview.status == 0)
        #expect(preview.stdout.hasPrefix("Wrote shards/preview-train.png (432x862, split train); rows, top to bottom:\n  1: 0 (5 of 300)\n"))
        let png = try #require(FileManager.default.contents(atPath: folder + "/shards/preview-train.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test func verifyNamesTheFirstBadShard() throws {
        let folder = temporaryFolder()
        try unpackDemo(in: folder)
        #expect(try dsprep(["shard", "--size", "20", "-q"], in: folder).status == 0)
        let shard = folder + "/shards/test-00000.safetensors"
        // A flipped byte in the pixels: the SHA-256 no longer matches.
        var bytes = try #require(FileManager.default.contents(atPath: shard))
        bytes[bytes.count - 5000] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: shard))
        let flipped = try dsprep(["verify"], in: folder)
        #expect(flipped.status == 1)
        #expect(flipped.stderr.hasPrefix("dsprep: shards/test-00000.safetensors: SHA-256 "))
        // Truncated: the size no longer matches.
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: shard))
        let truncated = try dsprep(["verify"], in: folder)
        #expect(truncated.status == 1)
        #expect(truncated.stderr.hasPrefix("dsprep: shards/test-00000.safetensors: "))
        #expect(truncated.stderr.split(separator: "\n").count == 1)
    }

    @Test func aKilledRunLeavesNoManifestAndARerunIsCorrect() throws {
        let folder = temporaryFolder()
        try unpackDemo(in: folder)
        let killed = try dsprep(["shard", "--gray", "--size", "28", "-q"], in: folder,
                                environment: ["DSPREP_TEST_KILL_AFTER_CHUNKS": "3"])
        #expect(killed.status == 9)  // SIGKILL
        #expect(!FileManager.default.fileExists(atPath: folder + "/shards/manifest.json"))
        let verify = try dsprep(["verify"], in: folder)
        #expect(verify.status == 1)
        #expect(verify.stderr.hasPrefix("dsprep: shards: "))

        let rerun = try dsprep(["shard", "--gray", "--size", "28", "-q"], in: folder)
        #expect(rerun.status == 0)
        #expect(try dsprep(["verify", "-q"], in: folder).status == 0)
        // The same as a run that was never interrupted.
        let clean = temporaryFolder()
        try FileManager.default.createSymbolicLink(atPath: clean + "/data", withDestinationPath: folder + "/data")
        #expect(try dsprep(["shard", "--gray", "--size", "28", "-q"], in: clean).status == 0)
        var expected = try contents(clean + "/shards"), actual = try contents(folder + "/shards")
        expected["manifest.json"] = nil
        actual["manifest.json"] = nil
        #expect(actual == expected)
        #expect(FileManager.default.contents(atPath: folder + "/shards/manifest.json")
            == FileManager.default.contents(atPath: clean + "/shards/manifest.json"))
    }

    @Test func badOptionsFailWithASentence() throws {
        let result = try dsprep(["shard", "--size", "0x5"], in: temporaryFolder())
        #expect(result.status == 64)
        #expect(result.stderr.contains("--size"))
        let missing = try dsprep(["shard", "nowhere"], in: temporaryFolder())
        #expect(missing.status == 1)
        #expect(missing.stderr == "dsprep: nowhere: no such folder (run 'dsprep unpack' first, or name the data folder)\n")
    }
}

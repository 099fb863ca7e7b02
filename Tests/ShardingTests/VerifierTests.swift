import Foundation
import Testing
@testable import Sharding

/// A shard folder written by the writers, then damaged in one way: verify must name the file and
/// say exactly what is wrong.
@Suite("Verifier")
struct VerifierTests {
    static func hash(_ path: String) throws -> String { try SHA256Reference.hash(fileAt: path) }

    /// Rewrites the folder's manifest after `change`.
    static func editManifest(_ folder: String, _ change: (inout Manifest) -> Void) throws {
        var manifest = try Manifest.decode(Data(bytes(at: folder + "/manifest.json")))
        change(&manifest)
        try manifest.write(to: folder)
    }

    @Test("a sound folder: counts per split and class, shards and bytes")
    func soundFolder() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let manifest = try writeShardFolder(folder)
        var seen: [VerifyProgress] = []
        let report = try Verifier.verify(folder: folder, hash: Self.hash) { seen.append($0) }
        let train = try #require(manifest.splits["train"]), test = try #require(manifest.splits["test"])
        #expect(train.shards.count > 1)
        #expect(report.splits == [
            VerifyReport.Split(name: "train", count: 10, classCounts: [5, 5], unlabeled: 0, shards: train.shards.count,
                               bytes: train.shards.reduce(0) { $0 + $1.bytes }),
            VerifyReport.Split(name: "test", count: 3, classCounts: [2, 1], unlabeled: 0, shards: test.shards.count,
                               bytes: test.shards.reduce(0) { $0 + $1.bytes }),
        ])
        #expect(report.count == 13 && report.shards == train.shards.count + test.shards.count)
        #expect(report.classes == ["cat", "dog"] && report.unlisted.isEmpty)
        #expect(seen.map(\.file) == (train.shards + test.shards).map(\.file))
        #expect(seen.last?.shardsDone == report.shards - 1)
    }

    @Test("shards without a manifest are incomplete, and say so")
    func noManifest() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try writeShardFolder(folder)
        try FileManager.default.removeItem(atPath: folder + "/manifest.json")
        writeBytes([1, 2, 3], to: folder + "/train-00009.safetensors.tmp")
        let shards = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".safetensors") }.count
        let error = VerifyError.noManifest(folder: folder, shardFiles: shards)
        #expect(throws: error) { try Verifier.verify(folder: folder, hash: Self.hash) }
        #expect(error.description == "\(folder): no manifest.json, so the \(shards) shard files here are incomplete "
                + "(an interrupted or failed shard run); run `dsprep shard` again")
        let empty = temporaryFolder()
        defer { removeFolder(empty) }
        #expect(throws: VerifyError.noManifest(folder: empty, shardFiles: 0)) { try Verifier.verify(folder: empty + "/", hash: Self.hash) }
    }

    @Test("a truncated shard: wrong size; with the manifest made to match, a broken file")
    func truncatedShard() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try writeShardFolder(folder)
        let path = folder + "/train-00001.safetensors"
        let original = bytes(at: path)
        writeBytes(Array(original.dropLast(5)), to: path)
        let error = VerifyError.wrongSize(path: path, expected: original.count, actual: original.count - 5)
        #expect(throws: error) { try Verifier.verify(folder: folder, hash: Self.hash) }
        #expect(error.description == "\(path): \(original.count - 5) bytes, the manifest says \(original.count) (truncated or replaced)")

        try Self.editManifest(folder) { manifest in
            manifest.splits["train"]?.shards[1].bytes = original.count - 5
            manifest.splits["train"]?.shards[1].sha256 = SHA256Reference.hash(Array(original.dropLast(5)))
        }
        let shard = try ShardReader(path: folder + "/train-00000.safetensors")
        let dataSize = original.count - 5 - (shard.file.dataStart)
        let labelsEnd = dataSize + 5
        #expect(throws: VerifyError.damagedShard(.offsetsPastEnd(path: path, tensor: "labels", end: labelsEnd, dataSize: dataSize))) {
            try Verifier.verify(folder: folder, hash: Self.hash)
        }
    }

    @Test("a flipped byte: SHA-256 mismatch")
    func flippedByte() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let manifest = try writeShardFolder(folder)
        let path = folder + "/test-00000.safetensors"
        var damaged = bytes(at: path)
        damaged[damaged.count - 20] ^= 0x01
        writeBytes(damaged, to: path)
        let expected = try #require(manifest.splits["test"]?.shards.first?.sha256)
        #expect(throws: VerifyError.checksumMismatch(path: path, expected: expected, actual: SHA256Reference.hash(damaged))) {
            try Verifier.verify(folder: folder, hash: Self.hash)
        }
    }

    @Test("a wrong count in the manifest, for a split and for a shard")
    func wrongCounts() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try writeShardFolder(folder)
        try Self.editManifest(folder) { $0.splits["train"]?.count = 11 }
        #expect(throws: VerifyError.countMismatch(path: folder + "/manifest.json", reason: "split train: count is 11, but its shards hold 10")) {
            try Verifier.verify(folder: folder, hash: Self.hash)
        }
        try Self.editManifest(folder) { $0.splits["train"]?.count = 10; $0.splits["train"]?.classCounts = [6, 4] }
        #expect(throws: VerifyError.countMismatch(path: folder + "/manifest.json",
                                                  reason: "split train: class_counts is [6, 4], but its shards hold [5, 5]")) {
            try Verifier.verify(folder: folder, hash: Self.hash)
        }
        try Self.editManifest(folder) { manifest in
            manifest.splits["train"]?.classCounts = [5, 5]
            manifest.splits["test"]?.shards[0].count += 1
            manifest.splits["test"]?.count += 1
        }
        let shard = try #require(try Manifest.decode(Data(bytes(at: folder + "/manifest.json"))).splits["test"]?.shards[0])
        #expect(throws: VerifyError.countMismatch(path: folder + "/test-00000.safetensors",
                                                  reason: "holds \(shard.count - 1) samples, the manifest says \(shard.count)")) {
            try Verifier.verify(folder: folder, hash: Self.hash)
        }
        var right: [Int] = [], wrong: [Int] = []
        try Self.editManifest(folder) { manifest in
            manifest.splits["test"]?.shards[0].count -= 1
            manifest.splits["test"]?.count -= 1
            right = manifest.splits["test"]!.shards[0].classCounts
            wrong = right[0] > 0 ? [right[0] - 1, right[1] + 1] : [right[0] + 1, right[1] - 1]
            manifest.splits["test"]!.shards[0].classCounts = wrong
            manifest.splits["test"] = Manifest.SplitEntry(shards: manifest.splits["test"]!.shards, classCount: 2)
        }
        #expect(throws: VerifyError.countMismatch(path: folder + "/test-00000.safetensors",
                                                  reason: "holds class counts \(right), the manifest says \(wrong)")) {
            try Verifier.verify(folder: folder, hash: Self.hash)
        }
    }

    @Test("a label out of range")
    func labelOutOfRange() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let image = ImageLayout(height: 2, width: 2, channels: 1)
        // Written with three classes, described with two: the third class's label is out of range.
        let shards = try writeSplit(folder: folder, split: "train", count: 3, image: image, classes: ["a", "b", "c"])
        var entries = shards.map { Manifest.ShardEntry($0) }
        entries[0].classCounts = [1, 1]
        var statistics = ChannelStatistics(channels: 1)
        statistics.add([0])
        let manifest = Manifest(tool: "dsprep test", classes: ["a", "b"], image: Manifest.Image(image),
                                preprocess: Manifest.Preprocess(color: "gray", resize: "stretch", filter: "box", exif: true),
                                normalize: Manifest.Normalize(statistics: statistics), seed: 1,
                                splits: ["train": Manifest.SplitEntry(shards: entries, classCount: 2)])
        try manifest.write(to: folder)
        let error = VerifyError.labelOutOfRange(path: folder + "/train-00000.safetensors", row: 2, label: 2, classCount: 2)
        #expect(throws: error) { try Verifier.verify(folder: folder, hash: Self.hash) }
        #expect(error.description == "\(folder)/train-00000.safetensors: row 2 has label 2, outside -1..<2")
    }

    @Test("unlabeled samples count in the split but in no class")
    func unlabeled() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let image = ImageLayout(height: 1, width: 2, channels: 1)
        let shards = try writeSplit(folder: folder, split: "unlabeled", count: 6, image: image, classes: ["a"], unlabeledEvery: 2)
        let manifest = Manifest(tool: "t", classes: ["a"], image: Manifest.Image(image),
                                preprocess: Manifest.Preprocess(color: "gray", resize: "crop", filter: "box", exif: false),
                                normalize: Manifest.Normalize(scale: 1, mean: [0], std: [1]), seed: 0,
                                splits: ["unlabeled": Manifest.SplitEntry(shards: shards.map { Manifest.ShardEntry($0) }, classCount: 1)])
        try manifest.write(to: folder)
        let report = try Verifier.verify(folder: folder, hash: Self.hash)
        #expect(report.splits == [VerifyReport.Split(name: "unlabeled", count: 6, classCounts: [3], unlabeled: 3, shards: 1, bytes: shards[0].bytes)])
    }

    @Test("other disagreements with the manifest")
    func otherProblems() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try writeShardFolder(folder)
        let manifestPath = folder + "/manifest.json"
        let cases: [((inout Manifest) -> Void, VerifyError)] = [
            ({ $0.image.width = 5 }, .layoutMismatch(path: folder + "/train-00000.safetensors",
                                                     reason: "images are 4x3x1 uint8, the manifest says 4x5x1 uint8")),
            ({ $0.image.dtype = .float16 }, .layoutMismatch(path: folder + "/train-00000.safetensors",
                                                            reason: "images are 4x3x1 uint8, the manifest says 4x3x1 float16")),
            ({ $0.splits["train"]?.shards[0].file = "../escape.safetensors" },
             .invalidManifest(path: manifestPath, reason: "split train: '../escape.safetensors' is not a shard file name")),
            ({ $0.splits["train"]?.shards[0].file = "missing.safetensors" }, .missingShard(path: folder + "/missing.safetensors")),
            ({ $0.splits["validation"] = $0.splits["test"] }, .invalidManifest(path: manifestPath, reason: "'test-00000.safetensors' is listed twice")),
            ({ $0.splits["test"]?.shards[0].firstRow = 1 },
             .countMismatch(path: folder + "/test-00000.safetensors", reason: "first_row is 0, the manifest says 1")),
            ({ $0.splits["other"] = $0.splits["test"]; $0.splits["test"] = nil },
             .layoutMismatch(path: folder + "/test-00000.safetensors", reason: "its metadata says split 'test', the manifest lists it under 'other'")),
            ({ $0.format = "something" }, .invalidManifest(path: manifestPath, reason: "format 'something' is not dsprep-manifest")),
            ({ $0.version = 2 }, .invalidManifest(path: manifestPath, reason: "version 2 is not one this dsprep reads (1)")),
            ({ $0.normalize.mean = [] }, .invalidManifest(path: manifestPath, reason: "normalize needs one mean and one std per channel (1)")),
            ({ $0.splits["test"]?.shards[0].sha256 = "xyz" },
             .invalidManifest(path: manifestPath, reason: "test-00000.safetensors: sha256 is not 64 hex digits")),
        ]
        let original = bytes(at: manifestPath)
        for (change, expected) in cases {
            writeBytes(original, to: manifestPath)
            try Self.editManifest(folder, change)
            #expect(throws: expected) { try Verifier.verify(folder: folder, hash: Self.hash) }
        }
        writeBytes(Array("{\"format\":".utf8), to: manifestPath)
        #expect(throws: VerifyError.invalidManifest(path: manifestPath, reason: "not valid JSON")) {
            try Verifier.verify(folder: folder, hash: Self.hash)
        }
        writeBytes(original, to: manifestPath)
        struct Unreadable: Error {}
        #expect(throws: VerifyError.hashFailed(path: folder + "/train-00000.safetensors", reason: "cannot compute its SHA-256: Unreadable()")) {
            try Verifier.verify(folder: folder, hash: { _ in throw Unreadable() })
        }
    }

    @Test("files the manifest does not list are reported, not fatal")
    func unlistedFiles() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try writeShardFolder(folder)
        writeBytes([0], to: folder + "/train-00099.safetensors")
        writeBytes([0], to: folder + "/train-00100.safetensors.tmp")
        #expect(try Verifier.verify(folder: folder, hash: Self.hash).unlisted == ["train-00099.safetensors", "train-00100.safetensors.tmp"])
    }
}

@Suite("Test support")
struct TestSupportTests {
    @Test("the tests' SHA-256 gives the FIPS 180-4 digests", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(message: String, digest: String) {
        #expect(SHA256Reference.hash(Array(message.utf8)) == digest)
    }
}

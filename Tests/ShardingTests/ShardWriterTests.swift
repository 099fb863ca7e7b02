import Foundation
import Testing
@testable import Sharding

@Suite("ShardWriter and ShardReader")
struct ShardWriterTests {
    @Test("round trip for every image dtype", arguments: ImageDType.allCases)
    func roundTrip(dtype: ImageDType) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let image = ImageLayout(height: 3, width: 2, channels: 3, dtype: dtype)
        let writer = try ShardWriter(folder: folder, fileName: "train-00000.safetensors", image: image, split: "train",
                                     firstRow: 40, classCount: 3, capacity: 8, metadata: ["source": "unit test"])
        let labels: [Int64] = [2, 0, -1, 1, 2]
        for (row, label) in labels.enumerated() {
            let pixels = patternRow(row, image)
            if dtype == .uint8 {
                try pixels.withUnsafeBytes { try writer.append(row: $0, label: label) }
            } else {
                try pixels.map { Float($0) / 255 }.withUnsafeBufferPointer { try writer.append(values: $0, label: label) }
            }
        }
        let info = try writer.finish()
        #expect(info == ShardInfo(file: "train-00000.safetensors", split: "train", count: 5, bytes: writer.fileSize(count: 5),
                                  firstRow: 40, classCounts: [1, 1, 2], unlabeled: 1))
        #expect(info.lastRow == 44)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["train-00000.safetensors"])

        let shard = try ShardReader(path: folder + "/train-00000.safetensors")
        #expect(shard.count == 5)
        #expect(shard.image == image)
        #expect(shard.split == "train")
        #expect(shard.firstRow == 40)
        #expect(shard.labels == labels)
        #expect(shard.metadata == ["format": "dsprep-shard-1", "split": "train", "first_row": "40", "source": "unit test"])
        #expect(shard.file.fileSize == info.bytes)
        for row in 0..<5 {
            let expected = patternRow(row, image).map { Float($0) }
            switch dtype {
            case .uint8:
                #expect(Array(shard.row(row)) == patternRow(row, image))
                #expect(shard.floats(row: row) == expected)
            case .float16:
                #expect(shard.floats(row: row) == expected.map { Float16Conversion.float(fromBits: Float16Conversion.bits(from: $0 / 255)) })
            case .float32:
                #expect(shard.floats(row: row) == expected.map { $0 / 255 })
            }
        }
    }

    @Test("the byte layout: length, compact header padded with spaces, images, then little-endian labels")
    func byteLayout() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let image = ImageLayout(height: 2, width: 2, channels: 1)
        let writer = try ShardWriter(folder: folder, fileName: "s.safetensors", image: image, split: "train", classCount: 2, capacity: 3)
        for row in 0..<3 { try [UInt8](repeating: UInt8(row + 1), count: 4).withUnsafeBytes { try writer.append(row: $0, label: Int64(row % 2)) } }
        _ = try writer.finish()
        let file = bytes(at: folder + "/s.safetensors")
        let json = #"{"__metadata__":{"first_row":"0","format":"dsprep-shard-1","split":"train"},"#
            + #""images":{"dtype":"U8","shape":[3,2,2,1],"data_offsets":[0,12]},"#
            + #""labels":{"dtype":"I64","shape":[3],"data_offsets":[12,36]}}"#
        let padded = (json.utf8.count + 7) / 8 * 8
        var expected = withUnsafeBytes(of: UInt64(padded).littleEndian) { Array($0) } + Array(json.utf8)
        expected += Array(repeating: UInt8(ascii: " "), count: padded - json.utf8.count)
        expected += [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]
        expected += [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(file == expected)
    }

    @Test("a shard filled below its capacity keeps the reserved header room, padded with spaces")
    func partlyFilledShard() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let image = ImageLayout(height: 2, width: 2, channels: 1)
        let writer = try ShardWriter(folder: folder, fileName: "s.safetensors", image: image, split: "train", classCount: 1,
                                     capacity: 123_456_789)
        try [UInt8](repeating: 7, count: 4).withUnsafeBytes { try writer.append(row: $0, label: 0) }
        let info = try writer.finish()
        let file = bytes(at: folder + "/s.safetensors")
        let length = Int(UInt64(littleEndian: file.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
        #expect(length % 8 == 0)
        #expect(info.bytes == 8 + length + 4 + 8)
        let header = String(decoding: file[8..<(8 + length)], as: UTF8.self)
        let text = header.trimmingCharacters(in: .whitespaces)
        #expect(header == text + String(repeating: " ", count: length - text.utf8.count))
        #expect(length - text.utf8.count >= 24)   // room for 9-digit counts and offsets
        let shard = try ShardReader(path: folder + "/s.safetensors")
        #expect(shard.labels == [0])
        #expect(Array(shard.row(0)) == [7, 7, 7, 7])
    }

    @Test("an empty shard is a valid file")
    func emptyShard() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let writer = try ShardWriter(folder: folder, fileName: "e.safetensors", image: ImageLayout(height: 1, width: 1, channels: 1),
                                     split: "test", classCount: 2, capacity: 10)
        #expect(try writer.finish().count == 0)
        let shard = try ShardReader(path: folder + "/e.safetensors")
        #expect(shard.count == 0 && shard.labels.isEmpty && shard.images.isEmpty)
    }

    @Test("an abandoned or released writer leaves no file")
    func abandonedWriterLeavesNothing() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let image = ImageLayout(height: 1, width: 1, channels: 1)
        let writer = try ShardWriter(folder: folder, fileName: "a.safetensors", image: image, split: "train", classCount: 1, capacity: 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a.safetensors.tmp"])
        writer.abandon()
        do {
            let other = try ShardWriter(folder: folder, fileName: "b.safetensors", image: image, split: "train", classCount: 1, capacity: 2)
            try [UInt8(1)].withUnsafeBytes { try other.append(row: $0, label: 0) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [])
    }

    @Test("identical input gives byte-identical shards and index", arguments: ImageDType.allCases)
    func deterministic(dtype: ImageDType) throws {
        let (first, second) = (temporaryFolder(), temporaryFolder())
        defer { removeFolder(first); removeFolder(second) }
        let image = ImageLayout(height: 5, width: 4, channels: 3, dtype: dtype)
        for folder in [first, second] {
            try writeSplit(folder: folder, split: "train", count: 23, image: image, classes: ["a", "b", "c"],
                           options: .init(shardSize: 1_000), unlabeledEvery: 5)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: first).sorted()
        #expect(names.count > 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: second).sorted() == names)
        for name in names { #expect(bytes(at: first + "/" + name) == bytes(at: second + "/" + name), "\(name)") }
    }

    @Test("shards roll over at the size target, never exceeding it", arguments: [300, 1_000, 4_096, 65_536])
    func rollOverBySize(shardSize: Int) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let image = ImageLayout(height: 6, width: 5, channels: 1)
        let shards = try writeSplit(folder: folder, split: "train", count: 200, image: image, classes: ["a", "b"],
                                    options: .init(shardSize: shardSize))
        #expect(shards.map(\.file) == (0..<shards.count).map { ShardNaming(split: "train").shardFile($0) })
        #expect(shards.allSatisfy { $0.bytes <= shardSize && $0.count > 0 })
        // Every shard but the last is full: one more sample would have gone past the target.
        for shard in shards.dropLast() { #expect(shard.bytes + image.rowByteCount + 8 > shardSize) }
        #expect(shards.reduce(0) { $0 + $1.count } == 200)
        #expect(shards.map(\.firstRow) == shards.indices.map { index in shards[..<index].reduce(0) { $0 + $1.count } })
        for shard in shards {
            let size = try FileManager.default.attributesOfItem(atPath: folder + "/" + shard.file)[.size] as? Int
            #expect(size == shard.bytes)
            let reader = try ShardReader(path: folder + "/" + shard.file)
            #expect(reader.count == shard.count && reader.firstRow == shard.firstRow)
            #expect(Array(reader.row(0)) == patternRow(shard.firstRow, image))
        }
    }

    @Test("shards roll over at the count limit, and one sample larger than the target gets a shard of its own")
    func rollOverByCountAndOversizedSamples() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let image = ImageLayout(height: 4, width: 4, channels: 1)
        let byCount = try writeSplit(folder: folder, split: "train", count: 10, image: image, classes: ["a"],
                                     options: .init(shardSize: 1 << 20, maxCount: 4))
        #expect(byCount.map(\.count) == [4, 4, 2])
        let oversized = try writeSplit(folder: folder, split: "test", count: 3, image: image, classes: ["a"], options: .init(shardSize: 16))
        #expect(oversized.map(\.count) == [1, 1, 1])
        #expect(oversized.map(\.file) == ["test-00000.safetensors", "test-00001.safetensors", "test-00002.safetensors"])
    }

    @Test("a split with no samples writes no shard and an index with only its header")
    func emptySplit() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        #expect(try writeSplit(folder: folder, split: "validation", count: 0, image: ImageLayout(height: 1, width: 1, channels: 1),
                               classes: ["a"]).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["validation-index.csv"])
        #expect(String(decoding: bytes(at: folder + "/validation-index.csv"), as: UTF8.self) == "shard,row,path,label\n")
    }

    @Test("the index traces every row to its source, quoting paths as RFC 4180 asks")
    func indexFile() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let writer = try ShardSetWriter(folder: folder, naming: ShardNaming(split: "train", part: 2),
                                        image: ImageLayout(height: 1, width: 1, channels: 1), classes: ["cat", "dog"],
                                        options: .init(maxCount: 2))
        let sources = ["data/train/cat/1.jpg", "data/train/dog/a,b.jpg", "data/train/dog/say \"hi\".png", "data/x\ny.jpg"]
        for (row, source) in sources.enumerated() {
            try [UInt8(row)].withUnsafeBytes { try writer.append(row: $0, label: row == 3 ? -1 : Int64(row == 0 ? 0 : 1), source: source) }
        }
        let shards = try writer.finish()
        #expect(shards.map(\.file) == ["train-p2-00000.safetensors", "train-p2-00001.safetensors"])
        #expect(writer.classCounts == [1, 2])
        let index = String(decoding: bytes(at: folder + "/train-p2-index.csv"), as: UTF8.self)
        #expect(index == """
            shard,row,path,label
            train-p2-00000.safetensors,0,data/train/cat/1.jpg,cat
            train-p2-00000.safetensors,1,"data/train/dog/a,b.jpg",dog
            train-p2-00001.safetensors,0,"data/train/dog/say ""hi"".png",dog
            train-p2-00001.safetensors,1,"data/x
            y.jpg",

            """)
    }

    @Test("CSV fields", arguments: [
        ("plain.jpg", "plain.jpg"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("cr\rlf", "\"cr\rlf\""),
        (" spaced ", " spaced "), ("", ""), ("ünïcode/猫.jpg", "ünïcode/猫.jpg"),
    ])
    func csvQuoting(field: String, quoted: String) {
        #expect(ShardIndexWriter.quoted(field) == quoted)
    }

    @Test("file names", arguments: [
        (ShardNaming(split: "train"), 0, "train-00000.safetensors", "train-index.csv"),
        (ShardNaming(split: "validation"), 42, "validation-00042.safetensors", "validation-index.csv"),
        (ShardNaming(split: "train", part: 3), 7, "train-p3-00007.safetensors", "train-p3-index.csv"),
        (ShardNaming(split: "test"), 123_456, "test-123456.safetensors", "test-index.csv"),
    ])
    func naming(naming: ShardNaming, index: Int, shard: String, indexFile: String) {
        #expect(naming.shardFile(index) == shard)
        #expect(naming.indexFile == indexFile)
    }

    @Test("split names", arguments: [("train", true), ("all", true), ("my_split-2", true), ("", false), ("../x", false),
                                     ("a/b", false), ("-x", false), (".hidden", false), ("sp ace", false)])
    func splitNames(name: String, valid: Bool) {
        #expect(ShardNaming.isValidSplitName(name) == valid)
    }

    @Test("capacity fills the target exactly as far as whole samples go")
    func capacity() {
        let image = ImageLayout(height: 96, width: 96, channels: 1)
        let capacity = ShardWriter.capacity(image: image, split: "train", firstRow: 0, targetBytes: 64 << 20)
        let header = ShardWriter.header(image: image, count: capacity, metadata: ShardWriter.metadata(split: "train", firstRow: 0, extra: [:]))
        let size = header.encoded().count + capacity * (9216 + 8)
        #expect(capacity == 7275)
        #expect(size <= 64 << 20 && size + 9224 > 64 << 20)
    }
}

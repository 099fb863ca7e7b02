import Foundation
import Testing
@testable import Sharding

/// Files no writer should make: each must give its exact `ShardError`, and nothing may trap.
@Suite("SafetensorsReader on hostile files")
struct ShardReaderHostileTests {
    /// A hostile file and what the reader must say of it (`path` stands for the file's path).
    struct HostileCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var bytes: [UInt8]
        var expected: @Sendable (String) -> ShardError
    }

    /// A safetensors file: the length field (the header's length unless given), header text, data.
    static func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        let text = Array(header.utf8)
        return withUnsafeBytes(of: (length ?? UInt64(text.count)).littleEndian) { Array($0) } + text + data
    }

    static func tensor(_ dtype: String = "U8", shape: String = "[4]", offsets: String = "[0,4]") -> String {
        "{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    static let four: [UInt8] = [1, 2, 3, 4]

    /// The largest end offset in `header`: the data size that makes it cover the data exactly.
    static func dataSize(of header: String) -> Int {
        let ends = header.split(separator: "data_offsets\":[").dropFirst().compactMap { $0.split(separator: "]").first?.split(separator: ",").last }
        return ends.compactMap { Int($0) }.max() ?? 0
    }

    static let cases: [HostileCase] = [
        HostileCase(testDescription: "5 bytes", bytes: [1, 0, 0, 0, 0], expected: { .truncated(path: $0, size: 5) }),
        HostileCase(testDescription: "empty file", bytes: [], expected: { .truncated(path: $0, size: 0) }),
        HostileCase(testDescription: "header length over 100 MB", bytes: file("{}", length: 100_000_001),
                    expected: { .headerTooLarge(path: $0, length: 100_000_001) }),
        HostileCase(testDescription: "header length 2^64 - 1", bytes: file("{}", length: .max),
                    expected: { .headerTooLarge(path: $0, length: .max) }),
        HostileCase(testDescription: "header length past the end", bytes: file("{}", length: 64),
                    expected: { .headerPastEnd(path: $0, length: 64, fileSize: 10) }),
        HostileCase(testDescription: "header not UTF-8", bytes: file("{\"a\u{E9}\":1}").map { $0 == 0xC3 ? 0xFF : $0 },
                    expected: { .headerNotUTF8(path: $0) }),
        HostileCase(testDescription: "JSON cut short", bytes: file("{\"a\":"),
                    expected: { .headerNotJSON(path: $0, reason: "unexpected end at byte 5") }),
        HostileCase(testDescription: "a key twice", bytes: file("{\"x\":\(tensor()),\"x\":\(tensor())}", data: four),
                    expected: { .headerNotJSON(path: $0, reason: "duplicate key \"x\" at byte 53") }),
        HostileCase(testDescription: "nested 17 deep", bytes: file("{\"a\":" + String(repeating: "[", count: 16) + String(repeating: "]", count: 16) + "}"),
                    expected: { .headerNotJSON(path: $0, reason: "nested more than 16 deep at byte 20") }),
        HostileCase(testDescription: "text after the object", bytes: file("{} {}"),
                    expected: { .headerNotJSON(path: $0, reason: "text after the JSON value at byte 3") }),
        HostileCase(testDescription: "a raw newline in a string", bytes: file("{\"a\n\":1}"),
                    expected: { .headerNotJSON(path: $0, reason: "control character in string at byte 3") }),
        HostileCase(testDescription: "a lone surrogate", bytes: file("{\"\\ud800\":1}"),
                    expected: { .headerNotJSON(path: $0, reason: "lone surrogate in string at byte 8") }),
        HostileCase(testDescription: "an array", bytes: file("[1,2]"), expected: { .headerNotObject(path: $0) }),
        HostileCase(testDescription: "whitespace before the object", bytes: file(" {}"), expected: { .headerNotObject(path: $0) }),
        HostileCase(testDescription: "tensor entry not an object", bytes: file("{\"x\":[1]}"),
                    expected: { .invalidTensorEntry(path: $0, tensor: "x", reason: "the entry is not an object") }),
        HostileCase(testDescription: "tensor without dtype", bytes: file("{\"x\":{\"shape\":[4],\"data_offsets\":[0,4]}}", data: four),
                    expected: { .invalidTensorEntry(path: $0, tensor: "x", reason: "no 'dtype' field") }),
        HostileCase(testDescription: "tensor with an extra field", bytes: file("{\"x\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4],\"z\":0}}", data: four),
                    expected: { .invalidTensorEntry(path: $0, tensor: "x", reason: "unexpected field 'z'") }),
        HostileCase(testDescription: "unknown dtype", bytes: file("{\"x\":\(tensor("Q8"))}", data: four),
                    expected: { .unknownDType(path: $0, tensor: "x", dtype: "Q8") }),
        HostileCase(testDescription: "sub-byte dtype F4", bytes: file("{\"x\":\(tensor("F4"))}", data: four),
                    expected: { .unknownDType(path: $0, tensor: "x", dtype: "F4") }),
        HostileCase(testDescription: "negative dimension", bytes: file("{\"x\":\(tensor(shape: "[-4]"))}", data: four),
                    expected: { .invalidShape(path: $0, tensor: "x") }),
        HostileCase(testDescription: "fractional dimension", bytes: file("{\"x\":\(tensor(shape: "[4.0]"))}", data: four),
                    expected: { .invalidShape(path: $0, tensor: "x") }),
        HostileCase(testDescription: "shape not a list", bytes: file("{\"x\":\(tensor(shape: "4"))}", data: four),
                    expected: { .invalidShape(path: $0, tensor: "x") }),
        HostileCase(testDescription: "shape whose size overflows", bytes: file("{\"x\":\(tensor("I64", shape: "[4294967296,4294967296]"))}", data: four),
                    expected: { .invalidShape(path: $0, tensor: "x") }),
        HostileCase(testDescription: "offsets reversed", bytes: file("{\"x\":\(tensor(offsets: "[4,0]"))}", data: four),
                    expected: { .invalidOffsets(path: $0, tensor: "x") }),
        HostileCase(testDescription: "one offset", bytes: file("{\"x\":\(tensor(offsets: "[4]"))}", data: four),
                    expected: { .invalidOffsets(path: $0, tensor: "x") }),
        HostileCase(testDescription: "offset beyond Int", bytes: file("{\"x\":\(tensor(offsets: "[0,99999999999999999999]"))}", data: four),
                    expected: { .invalidOffsets(path: $0, tensor: "x") }),
        HostileCase(testDescription: "offsets outside the data", bytes: file("{\"x\":\(tensor(shape: "[8]", offsets: "[0,8]"))}", data: four),
                    expected: { .offsetsPastEnd(path: $0, tensor: "x", end: 8, dataSize: 4) }),
        HostileCase(testDescription: "size does not match shape", bytes: file("{\"x\":\(tensor(shape: "[3]"))}", data: four),
                    expected: { .sizeMismatch(path: $0, tensor: "x", expected: 3, actual: 4) }),
        HostileCase(testDescription: "size does not match dtype", bytes: file("{\"x\":\(tensor("F16"))}", data: four),
                    expected: { .sizeMismatch(path: $0, tensor: "x", expected: 8, actual: 4) }),
        HostileCase(testDescription: "overlapping tensors",
                    bytes: file("{\"a\":\(tensor()),\"b\":\(tensor(offsets: "[2,6]"))}", data: four + [5, 6]),
                    expected: { .overlappingTensors(path: $0, tensor: "b", other: "a") }),
        HostileCase(testDescription: "two tensors on the same bytes",
                    bytes: file("{\"a\":\(tensor()),\"b\":\(tensor())}", data: four),
                    expected: { .overlappingTensors(path: $0, tensor: "b", other: "a") }),
        HostileCase(testDescription: "gap between tensors",
                    bytes: file("{\"a\":\(tensor(shape: "[2]", offsets: "[0,2]")),\"b\":\(tensor(shape: "[2]", offsets: "[4,6]"))}", data: four + [5, 6]),
                    expected: { .gap(path: $0, begin: 2, end: 4) }),
        HostileCase(testDescription: "gap before the first tensor",
                    bytes: file("{\"a\":\(tensor(shape: "[2]", offsets: "[2,4]"))}", data: four),
                    expected: { .gap(path: $0, begin: 0, end: 2) }),
        HostileCase(testDescription: "bytes after the last tensor", bytes: file("{\"a\":\(tensor())}", data: four + [0]),
                    expected: { .gap(path: $0, begin: 4, end: 5) }),
        HostileCase(testDescription: "data but no tensors", bytes: file("{}", data: four),
                    expected: { .gap(path: $0, begin: 0, end: 4) }),
        HostileCase(testDescription: "metadata value not a string", bytes: file("{\"__metadata__\":{\"k\":1}}"),
                    expected: { .metadataNotStrings(path: $0, key: "k") }),
        HostileCase(testDescription: "metadata not an object", bytes: file("{\"__metadata__\":[\"k\"]}"),
                    expected: { .metadataNotStrings(path: $0, key: "") }),
    ]

    @Test("each malformed file gives its error", arguments: cases)
    func rejects(_ hostile: HostileCase) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let path = folder + "/hostile.safetensors"
        writeBytes(hostile.bytes, to: path)
        #expect(throws: hostile.expected(path)) { try SafetensorsReader(path: path) }
    }

    /// Valid files at the edges of the rules, each as the reader must see it.
    @Test("edge cases the rules allow", arguments: [
        ("{}", [UInt8](), 0),
        ("{}      ", [], 0),                                             // padding spaces
        ("{\"__metadata__\":{}, \"z\":\(tensor(shape: "[0,5]", offsets: "[4,4]")),\"a\":\(tensor())}", four, 2), // empty tensor, any order
        ("{\"a\":\(tensor("F8_E4M3", shape: "[2,2]"))}\n\t", four, 1),
    ])
    func accepts(header: String, data: [UInt8], tensorCount: Int) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let path = folder + "/edge.safetensors"
        writeBytes(Self.file(header, data: data), to: path)
        let reader = try SafetensorsReader(path: path)
        #expect(reader.header.tensors.count == tensorCount)
        #expect(reader.header.dataSize == data.count)
        #expect(reader.dataStart == 8 + header.utf8.count)
    }

    @Test("a FIFO is refused without waiting for a writer")
    func fifo() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let path = folder + "/pipe.safetensors"
        try #require(mkfifo(path, 0o600) == 0)
        #expect(throws: ShardError.io(path: path, reason: "not a regular file")) { try SafetensorsReader(path: path) }
    }

    @Test("a missing file is an I/O error naming it")
    func missingFile() {
        let path = "/nonexistent/dsprep/x.safetensors"
        #expect(throws: ShardError.io(path: path, reason: "cannot open: No such file or directory")) { try SafetensorsReader(path: path) }
    }

    /// Valid safetensors that are not dsprep shards.
    @Test("safetensors that are not shards", arguments: [
        ("no format", "{\"__metadata__\":{\"split\":\"train\"},\"images\":\(tensor(shape: "[1,2,2,1]")),\"labels\":\(tensor("I64", shape: "[1]", offsets: "[4,12]"))}",
         { @Sendable (path: String) in ShardError.notAShard(path: path, format: nil) }),
        ("another format", "{\"__metadata__\":{\"format\":\"pt\",\"split\":\"train\"},\"x\":\(tensor())}",
         { ShardError.notAShard(path: $0, format: "pt") }),
        ("no labels", "{\"__metadata__\":{\"format\":\"dsprep-shard-1\",\"split\":\"train\"},\"images\":\(tensor(shape: "[1,2,2,1]"))}",
         { ShardError.missingTensor(path: $0, tensor: "labels") }),
        ("labels as F32", "{\"__metadata__\":{\"format\":\"dsprep-shard-1\",\"split\":\"train\"},\"images\":\(tensor(shape: "[1,2,2,1]")),\"labels\":\(tensor("F32", shape: "[2]", offsets: "[4,12]"))}",
         { ShardError.wrongLayout(path: $0, tensor: "labels", reason: "dtype F32 is not I64") }),
        ("one label for two images", "{\"__metadata__\":{\"format\":\"dsprep-shard-1\",\"split\":\"train\"},\"images\":\(tensor(shape: "[2,2,1,1]")),\"labels\":\(tensor("I64", shape: "[1]", offsets: "[4,12]"))}",
         { ShardError.wrongLayout(path: $0, tensor: "labels", reason: "shape [1] is not [2], one label per image") }),
        ("images of rank 3", "{\"__metadata__\":{\"format\":\"dsprep-shard-1\",\"split\":\"train\"},\"images\":\(tensor(shape: "[1,2,2]")),\"labels\":\(tensor("I64", shape: "[1]", offsets: "[4,12]"))}",
         { ShardError.wrongLayout(path: $0, tensor: "images", reason: "shape [1, 2, 2] is not [N, H, W, C] with positive H, W, C") }),
        ("an empty shard whose rows would overflow", "{\"__metadata__\":{\"format\":\"dsprep-shard-1\",\"split\":\"train\"},\"images\":\(tensor(shape: "[0,4294967296,4294967296,1]", offsets: "[0,0]")),\"labels\":\(tensor("I64", shape: "[0]", offsets: "[0,0]"))}",
         { ShardError.wrongLayout(path: $0, tensor: "images", reason: "shape [0, 4294967296, 4294967296, 1] is not [N, H, W, C] with positive H, W, C") }),
        ("images as I32", "{\"__metadata__\":{\"format\":\"dsprep-shard-1\",\"split\":\"train\"},\"images\":\(tensor("I32", shape: "[1,1,1,1]")),\"labels\":\(tensor("I64", shape: "[1]", offsets: "[4,12]"))}",
         { ShardError.wrongLayout(path: $0, tensor: "images", reason: "dtype I32 is not U8, F16 or F32") }),
    ] as [(String, String, @Sendable (String) -> ShardError)])
    func notShards(name: String, header: String, expected: @Sendable (String) -> ShardError) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let path = folder + "/other.safetensors"
        writeBytes(Self.file(header, data: Array(repeating: 0, count: Self.dataSize(of: header))), to: path)
        #expect(throws: expected(path)) { try ShardReader(path: path) }
    }

    @Test("every prefix of a valid shard is rejected, every single-byte change is handled without a trap")
    func truncationsAndMutations() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let image = ImageLayout(height: 2, width: 2, channels: 1)
        try writeSplit(folder: folder, split: "train", count: 3, image: image, classes: ["a", "b"])
        let original = bytes(at: folder + "/train-00000.safetensors")
        let path = folder + "/mutated.safetensors"
        for length in 0..<original.count {
            writeBytes(Array(original[0..<length]), to: path)
            #expect(throws: ShardError.self) { try ShardReader(path: path) }
        }
        let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8
        for offset in 0..<headerEnd {
            var mutated = original
            mutated[offset] ^= 0x5A
            writeBytes(mutated, to: path)
            _ = try? ShardReader(path: path)   // either error or a consistent shard; never a trap
        }
    }

    @Test("descriptions name the file and say what is wrong")
    func descriptions() {
        #expect(ShardError.truncated(path: "s/a.safetensors", size: 3).description
                == "s/a.safetensors: truncated: 3 bytes, shorter than the 8-byte header length")
        #expect(ShardError.offsetsPastEnd(path: "s/a.safetensors", tensor: "labels", end: 96, dataSize: 90).description
                == "s/a.safetensors: tensor 'labels' ends at byte 96, past the end of the 90-byte data area")
        #expect(ShardError.gap(path: "s/a.safetensors", begin: 4, end: 5).description
                == "s/a.safetensors: bytes 4..<5 of the data area belong to no tensor")
        #expect(ShardError.overlappingTensors(path: "p", tensor: "b", other: "a").description == "p: tensors 'a' and 'b' overlap")
        #expect(ShardError.notAShard(path: "p", format: nil).description == "p: no format in __metadata__: not a dsprep shard")
    }
}

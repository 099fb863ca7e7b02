import Foundation
import Testing
@testable import Sharding

/// Shards written here, read by the safetensors reference implementation (Python), and a file
/// written by it, read here. Skipped, with a note, only where python3 or its safetensors and numpy
/// packages are missing; `make test` installs them.
@Suite("Interop with the safetensors reference reader")
struct InteropTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("interop/check_shards.py").path

    struct Run {
        var status: Int32
        var output: String
    }

    /// Runs `python3 arguments`, stdout and stderr together.
    static func python(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self))
    }

    static let referenceAvailable: Bool = (try? python(["-c", "import numpy, safetensors.numpy"]).status) == 0

    static let folders: [(ImageLayout, ShardSetWriter.Options)] = [
        (ImageLayout(height: 4, width: 3, channels: 1, dtype: .uint8), .init(shardSize: 600)),
        (ImageLayout(height: 3, width: 5, channels: 3, dtype: .float16), .init(shardSize: 1_000)),
        (ImageLayout(height: 2, width: 2, channels: 3, dtype: .float32), .init(shardSize: 1 << 20, maxCount: 1_000_000)), // one partly filled shard: a header padded well past a multiple of 8
        (ImageLayout(height: 7, width: 1, channels: 1, dtype: .uint8), .init(shardSize: 1 << 20, maxCount: 5)),
    ]

    @Test("safetensors.numpy.load_file reads the shards as the manifest describes them",
          .enabled(if: referenceAvailable, "needs python3 with the safetensors and numpy packages (pip install safetensors numpy)"),
          arguments: folders)
    func referenceReadsShards(image: ImageLayout, options: ShardSetWriter.Options) throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try writeShardFolder(folder, image: image, classes: ["bird", "cat", "dog"], counts: ["train": 25, "validation": 7, "test": 4],
                             options: options)
        let run = try Self.python([Self.script, folder, "--pattern"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.hasPrefix("ok: "))
    }

    @Test("the check fails on a shard whose pixels differ, even with a matching manifest",
          .enabled(if: referenceAvailable, "needs python3 with the safetensors and numpy packages (pip install safetensors numpy)"))
    func checkCatchesDifferences() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try writeShardFolder(folder, counts: ["train": 4])
        let path = folder + "/train-00000.safetensors"
        var damaged = bytes(at: path)
        let dataStart = try ShardReader(path: path).file.dataStart
        damaged[dataStart] ^= 0xFF
        writeBytes(damaged, to: path)
        var manifest = try Manifest.decode(Data(bytes(at: folder + "/manifest.json")))
        manifest.splits["train"]?.shards[0].sha256 = SHA256Reference.hash(damaged)
        try manifest.write(to: folder)
        let run = try Self.python([Self.script, folder, "--pattern"])
        #expect(run.status == 1)
        #expect(run.output == "check_shards.py: \(path): pixels differ from the pattern\n")
    }

    @Test("the reference writer's files pass the reader's checks",
          .enabled(if: referenceAvailable, "needs python3 with the safetensors and numpy packages (pip install safetensors numpy)"))
    func readerReadsReferenceFile() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        let path = folder + "/sample.safetensors"
        let run = try Self.python([Self.script, "--write-sample", path])
        try #require(run.status == 0, "\(run.output)")
        let reader = try SafetensorsReader(path: path)
        #expect(reader.metadata == ["made_by": "safetensors.numpy"])
        #expect(reader.dataStart % 8 == 0)
        let tensors = Dictionary(uniqueKeysWithValues: reader.header.tensors.map { ($0.name, $0) })
        #expect(tensors["pixels"]?.dtype == .uint8 && tensors["pixels"]?.shape == [2, 3])
        #expect(tensors["values"]?.dtype == .float16 && tensors["weights"]?.shape == [2, 1] && tensors["ids"]?.dtype == .int64)
        #expect(Array(reader.bytes(of: try #require(tensors["pixels"]))) == [0, 1, 2, 3, 4, 5])
        let values = reader.bytes(of: try #require(tensors["values"]))
        #expect((0..<3).map { Float16Conversion.float(fromBits: values.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) } == [1.5, -2, 65504])
        let ids = reader.bytes(of: try #require(tensors["ids"]))
        #expect((0..<2).map { ids.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) } == [-1, 1 << 40])
    }
}

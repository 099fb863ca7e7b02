import Checksum
import Foundation
import Imaging
import Sharding
import Testing
@testable import Preparation

/// The shard fixtures' data folder (made by ShardFixtures/make_fixtures.py).
private let fixtureData = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("ShardFixtures/data").path

/// Shards `data` into a new folder and returns the result and the folder.
private func shard(_ data: String = fixtureData, size: Int = 24, gray: Bool = false, grayMethod: GrayMethod = .luma,
                   resize: ResizeMode = .stretch, dtype: ImageDType = .uint8, threads: Int = 2, strict: Bool = false,
                   shardSize: Int = 64 << 20, into out: String? = nil) throws -> (ShardResult, String) {
    let output = out ?? temporaryFolder() + "/shards"
    let options = ShardOptions(data: data, output: output,
                               preprocess: PreprocessOptions(width: size, height: size, gray: gray, grayMethod: grayMethod,
                                                             resize: resize),
                               dtype: dtype, shardSize: shardSize, threads: threads, strict: strict)
    return (try ShardBuilder(options: options).run(), output)
}

private func files(_ folder: String) -> [String: Data] {
    var result: [String: Data] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
        result[name] = FileManager.default.contents(atPath: folder + "/" + name)
    }
    return result
}

@Suite struct ShardBuilderTests {
    @Test func splitsClassesAndCountsFollowTheDataFolder() throws {
        let (result, out) = try shard()
        let manifest = result.manifest
        #expect(manifest.classes == ["cat", "dog"])
        #expect(manifest.splitNames == ["train", "test", "unlabeled"])
        #expect(manifest.splits["train"]?.classCounts == [6, 6])  // 5 PNGs + corrupt.jpg kept with a warning
        #expect(manifest.splits["test"]?.classCounts == [2, 1])
        #expect(manifest.splits["unlabeled"]?.count == 1)
        #expect(manifest.image == Manifest.Image(ImageLayout(height: 24, width: 24, channels: 3, dtype: .uint8)))
        #expect(manifest.preprocess == .init(color: "rgb", resize: "stretch", filter: PreprocessOptions.filterName,
                                             exif: true, background: "white"))
        #expect(FileManager.default.fileExists(atPath: out + "/manifest.json"))
        #expect(!FileManager.default.fileExists(atPath: out + "/.dsprep-shard"))
        let report = try Verifier.verify(folder: out, hash: { try SHA256.hash(fileAt: $0) })
        #expect(report.count == 16)
    }

    @Test func badImagesAreSkippedWithReasonsAndNeverStopTheRun() throws {
        let (result, _) = try shard()
        let reasons = Dictionary(uniqueKeysWithValues: result.manifest.skipped.map { ($0.path, $0.reason) })
        let data = fixtureData
        #expect(reasons == [
            "\(data)/train/dog/empty.jpg": "empty file",
            "\(data)/train/dog/truncated.jpg": "truncated JPEG (no end-of-image marker)",
            "\(data)/train/dog/text.jpg": "not an image (unrecognised content)",
            "\(data)/train/dog/anim.gif": "unsupported format (GIF)",
            "\(data)/test/bird/c.jpg": "class bird is not in the train split",
        ])
        #expect(result.warnings.map(\.path) == ["\(data)/train/dog/corrupt.jpg"])
        #expect(result.warnings.first?.reason.hasPrefix("corrupt data: ") == true)
        #expect(result.manifest.warnings == result.warnings)
    }

    @Test func strictSkipsImagesWithCorruptData() throws {
        let (result, _) = try shard(strict: true)
        #expect(result.warnings.isEmpty)
        #expect(result.manifest.splits["train"]?.classCounts == [6, 5])
        #expect(result.manifest.skipped.contains { $0.path.hasSuffix("corrupt.jpg") && $0.reason.hasPrefix("corrupt data: ") })
    }

    @Test func outputIsByteIdenticalWhateverTheThreadCount() throws {
        let (_, one) = try shard(threads: 1)
        let (_, three) = try shard(threads: 3)
        let a = files(one), b = files(three)
        #expect(a.keys.sorted() == ["manifest.json", "test-00000.safetensors", "test-index.csv", "train-00000.safetensors",
                                    "train-index.csv", "unlabeled-00000.safetensors", "unlabeled-index.csv"])
        #expect(a == b)
    }

    @Test func theSeedShufflesAndIsRecorded() throws {
        let output = temporaryFolder() + "/shards"
        let options = ShardOptions(data: fixtureData, output: output, preprocess: PreprocessOptions(width: 8, height: 8),
                                   seed: 7)
        let result = try ShardBuilder(options: options).run()
        #expect(result.manifest.seed == 7)
        let labels = try ShardReader(path: output + "/train-00000.safetensors").labels
        #expect(labels.sorted() == labels.filter { $0 == 0 } + labels.filter { $0 == 1 })
        #expect(labels != labels.sorted())  // cats and dogs are mixed
    }

    @Test func grayImagesHaveOneChannelAndStatistics() throws {
        let (result, out) = try shard(gray: true)
        #expect(result.manifest.image.channels == 1)
        #expect(result.manifest.preprocess.color == "gray" && result.manifest.preprocess.gray == "luma")
        #expect(result.manifest.normalize.mean.count == 1)
        let reader = try ShardReader(path: out + "/train-00000.safetensors")
        #expect(reader.image == ImageLayout(height: 24, width: 24, channels: 1, dtype: .uint8))
        // The statistics are those of the training split's pixels.
        var sum = 0.0, count = 0.0
        for byte in reader.images { sum += Double(byte); count += 1 }
        let mean = try #require(result.manifest.normalize.mean.first)
        #expect(abs(mean - sum / count / 255) < 1e-12)
    }

    @Test func exactGrayIsRecordedAndGivesPillowsLOfTheRGBRows() throws {
        let (exact, exactOut) = try shard(gray: true, grayMethod: .rgb601)
        #expect(exact.manifest.preprocess.gray == "rgb-601")
        #expect(try shard().0.manifest.preprocess.gray == nil)  // RGB: nothing to record
        // Every JPEG and PNG row equals the Preprocessor's rgb-601 output for its source file.
        let reader = try ShardReader(path: exactOut + "/train-00000.safetensors")
        let index = try String(contentsOfFile: exactOut + "/train-index.csv", encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        let preprocessor = Preprocessor(options: PreprocessOptions(width: 24, height: 24, gray: true, grayMethod: .rgb601))
        preprocessor.keepsCorruptImages = true
        #expect(index.count == reader.count)
        for row in index {
            let image = try preprocessor.process(fileAt: row[2]).get()
            #expect(Array(reader.row(Int(row[1]) ?? -1)) == image.pixels, "\(row[2])")
        }
    }

    @Test func floatShardsHoldScaledPixels() throws {
        let (bytes, bytesOut) = try shard(size: 16)
        let (floats, floatsOut) = try shard(size: 16, dtype: .float32)
        #expect(floats.manifest.normalize.scale == 1.0)
        #expect(bytes.manifest.normalize.scale == 1.0 / 255.0)
        let u8 = try ShardReader(path: bytesOut + "/train-00000.safetensors")
        let f32 = try ShardReader(path: floatsOut + "/train-00000.safetensors")
        #expect(u8.labels == f32.labels)
        for row in 0..<u8.count {
            #expect(Array(u8.row(row)).map { Float($0) / 255 } == f32.floats(row: row))
        }
        let (half, halfOut) = try shard(size: 16, dtype: .float16)
        #expect(half.manifest.image.dtype == .float16)
        let f16 = try ShardReader(path: halfOut + "/train-00000.safetensors")
        #expect(zip(f16.floats(row: 0), f32.floats(row: 0)).allSatisfy { abs($0 - $1) <= 1.0 / 2048 })
    }

    @Test func shardsRollOverAtTheSizeTarget() throws {
        let (result, out) = try shard(size: 32, shardSize: 8 << 10)
        let train = try #require(result.manifest.splits["train"])
        #expect(train.shards.count == 6)  // 12 images of 3,072 bytes: 2 a shard, no more
        #expect(train.shards.allSatisfy { $0.bytes <= 8 << 10 })
        #expect(try Verifier.verify(folder: out, hash: { try SHA256.hash(fileAt: $0) }).count == 16)
    }

    @Test func anEarlierRunIsReplacedOnlyWithForce() throws {
        let (_, out) = try shard()
        #expect(throws: OutputFolderError.self) { try shard(into: out) }
        let options = ShardOptions(data: fixtureData, output: out, preprocess: PreprocessOptions(width: 8, height: 8), force: true)
        let result = try ShardBuilder(options: options).run()
        #expect(result.manifest.image.width == 8)
    }

    @Test func imagesLinkedBySplitSymlinkModeAreSharded() throws {
        let data = temporaryFolder() + "/data"
        for (name, label) in [("0.jpg", "cat"), ("1.jpg", "cat"), ("rgb.png", "dog")] {
            try FileManager.default.createDirectory(atPath: "\(data)/train/\(label)", withIntermediateDirectories: true)
            let source = label == "cat" ? "train/cat/\(name)" : "train/dog/\(name)"
            try FileManager.default.createSymbolicLink(atPath: "\(data)/train/\(label)/\(name)",
                                                       withDestinationPath: fixtureData + "/" + source)
        }
        let (result, _) = try shard(data)
        #expect(result.manifest.splits["train"]?.classCounts == [2, 1])
        #expect(result.manifest.skipped.isEmpty)
    }

    @Test func aMissingDataFolderIsNamed() {
        #expect(throws: (any Error).self) { try shard("no-such-data") }
        do {
            _ = try shard("no-such-data")
        } catch {
            #expect(String(describing: error) == "no-such-data: no such folder (run 'dsprep unpack' first, or name the data folder)")
        }
    }

    @Test func theContactSheetHasARowPerClass() throws {
        let (_, out) = try shard(size: 32)
        let sheet = try ContactSheet.make(folder: out, split: nil, perClass: 4, seed: 1)
        #expect(sheet.split == "train")
        #expect(sheet.rows.map(\.label) == ["cat", "dog"])
        #expect(sheet.rows.map(\.shown) == [4, 4])
        #expect(sheet.width == 4 * (64 + 2) + 2)  // 32-pixel images doubled to 64
        #expect(sheet.height == 2 * (64 + 2) + 2)
        try sheet.write(to: out + "/sheet.png")
        let decoded = try Preprocessor(options: PreprocessOptions(width: sheet.width, height: sheet.height))
            .process(fileAt: out + "/sheet.png").get()
        #expect(decoded.pixels == sheet.image.pixels)
    }
}

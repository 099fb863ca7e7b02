import Foundation
import Testing
@testable import Sharding

@Suite("Manifest and ChannelStatistics")
struct ManifestTests {
    static func small() -> Manifest {
        var statistics = ChannelStatistics(channels: 1)
        statistics.add([0, 255, 255, 0])
        let shard = Manifest.ShardEntry(ShardInfo(file: "train-00000.safetensors", split: "train", count: 3, bytes: 296, firstRow: 0,
                                                  classCounts: [2, 1], unlabeled: 0, sha256: String(repeating: "ab", count: 32)))
        return Manifest(tool: "dsprep 0.1.0", classes: ["cat", "dog"], image: Manifest.Image(ImageLayout(height: 96, width: 96, channels: 1)),
                        preprocess: Manifest.Preprocess(color: "gray", resize: "stretch", filter: "box", exif: true),
                        normalize: Manifest.Normalize(statistics: statistics), seed: 1337,
                        splits: ["train": Manifest.SplitEntry(shards: [shard], classCount: 2),
                                 "test": Manifest.SplitEntry(shards: [], classCount: 2)],
                        skipped: [Manifest.Skipped(path: "data/train/cat/666.jpg", reason: "empty file")])
    }

    @Test("the JSON text of a small manifest")
    func pinnedEncoding() {
        let text = String(decoding: Self.small().encoded(), as: UTF8.self)
        #expect(text == """
            {
              "classes" : [
                "cat",
                "dog"
              ],
              "format" : "dsprep-manifest",
              "image" : {
                "channels" : 1,
                "dtype" : "uint8",
                "height" : 96,
                "layout" : "NHWC",
                "width" : 96
              },
              "normalize" : {
                "mean" : [
                  0.5
                ],
                "scale" : 0.00392156862745098,
                "statistics" : {
                  "channels" : 1,
                  "pixels" : 4,
                  "sum" : [
                    510
                  ],
                  "sum_squares" : [
                    130050
                  ]
                },
                "std" : [
                  0.5
                ]
              },
              "preprocess" : {
                "color" : "gray",
                "exif" : true,
                "filter" : "box",
                "resize" : "stretch"
              },
              "seed" : 1337,
              "skipped" : [
                {
                  "path" : "data/train/cat/666.jpg",
                  "reason" : "empty file"
                }
              ],
              "splits" : {
                "test" : {
                  "class_counts" : [
                    0,
                    0
                  ],
                  "count" : 0,
                  "shards" : [

                  ]
                },
                "train" : {
                  "class_counts" : [
                    2,
                    1
                  ],
                  "count" : 3,
                  "shards" : [
                    {
                      "bytes" : 296,
                      "class_counts" : [
                        2,
                        1
                      ],
                      "count" : 3,
                      "file" : "train-00000.safetensors",
                      "first_row" : 0,
                      "sha256" : "abababababababababababababababababababababababababababababababab"
                    }
                  ]
                }
              },
              "tool" : "dsprep 0.1.0",
              "version" : 1
            }

            """)
    }

    @Test("decoding gives back what was encoded; the same manifest always encodes to the same bytes")
    func roundTrip() throws {
        let manifest = Self.small()
        let decoded = try Manifest.decode(manifest.encoded())
        #expect(decoded == manifest)
        #expect(decoded.encoded() == manifest.encoded())
        #expect(decoded.splitNames == ["train", "test"])
    }

    @Test("written last by rename, and invalidated before a rewrite")
    func writeAndInvalidate() throws {
        let folder = temporaryFolder()
        defer { removeFolder(folder) }
        try Self.small().write(to: folder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["manifest.json"])
        #expect(bytes(at: folder + "/manifest.json") == Array(Self.small().encoded()))
        try Manifest.invalidate(folder: folder)
        try Manifest.invalidate(folder: folder)   // nothing to remove: fine
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [])
    }

    @Test("decoding errors say which key", arguments: [
        (#"{"format": 1}"#, "format is not a string"),
        ("[", "not valid JSON"),
    ])
    func decodingErrors(json: String, reason: String) {
        #expect(throws: ManifestDecodingError(reason: reason)) { try Manifest.decode(Data(json.utf8)) }
    }

    @Test("a missing key is named with its path")
    func missingKey() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Self.small().encoded()) as? [String: Any])
        var image = try #require(object["image"] as? [String: Any])
        image["width"] = nil
        object["image"] = image
        let data = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: ManifestDecodingError(reason: "no 'width' in image")) { try Manifest.decode(data) }
        image["width"] = 96
        image["dtype"] = "int8"
        object["image"] = image
        #expect(throws: ManifestDecodingError.self) { try Manifest.decode(try JSONSerialization.data(withJSONObject: object)) }
    }

    // MARK: ChannelStatistics

    @Test("mean and std of known pixels, scaled")
    func knownStatistics() {
        var gray = ChannelStatistics(channels: 1)
        gray.add([0, 255, 255, 0])
        #expect(gray.mean() == [0.5])
        #expect(gray.std() == [0.5])
        #expect(gray.mean(scale: 1) == [127.5])
        var rgb = ChannelStatistics(channels: 3)
        rgb.add([10, 0, 255, 20, 0, 255, 30, 0, 255, 40, 0, 255])
        #expect(rgb.pixels == 4)
        #expect(rgb.sum == [100, 0, 1020])
        #expect(rgb.mean(scale: 1) == [25, 0, 255])
        #expect(rgb.std(scale: 1) == [Double(125).squareRoot(), 0, 0])
        #expect(ChannelStatistics(channels: 2).std() == [0, 0])
    }

    @Test("order, chunking and merging do not change a single bit", arguments: [1, 3, 4])
    func orderIndependence(channels: Int) {
        var state: UInt64 = 42
        let images: [[UInt8]] = (0..<50).map { _ in
            (0..<(channels * 37)).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
        }
        var forward = ChannelStatistics(channels: channels)
        for image in images { forward.add(image) }
        var backward = ChannelStatistics(channels: channels)
        for image in images.reversed() { backward.add(image) }
        var merged = ChannelStatistics(channels: channels)
        for chunk in stride(from: 0, to: images.count, by: 7).reversed() {
            var part = ChannelStatistics(channels: channels)
            for image in images[chunk..<min(chunk + 7, images.count)] { part.add(image) }
            merged.merge(part)
        }
        var concatenated = ChannelStatistics(channels: channels)
        concatenated.add(images.flatMap { $0 })
        for other in [backward, merged, concatenated] {
            #expect(other == forward)
            #expect(other.mean().map(\.bitPattern) == forward.mean().map(\.bitPattern))
            #expect(other.std().map(\.bitPattern) == forward.std().map(\.bitPattern))
        }
        // Against a direct two-pass computation in Double.
        for c in 0..<channels {
            let values = images.flatMap { image in stride(from: c, to: image.count, by: channels).map { Double(image[$0]) / 255 } }
            let mean = values.reduce(0, +) / Double(values.count)
            let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            #expect(abs(forward.mean()[c] - mean) < 1e-12)
            #expect(abs(forward.std()[c] - std) < 1e-12)
        }
    }

    @Test("statistics encode with snake_case keys and exact integers")
    func statisticsEncoding() throws {
        var statistics = ChannelStatistics(channels: 2)
        statistics.add([1, 2, 3, 4])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(statistics), as: UTF8.self)
                == #"{"channels":2,"pixels":2,"sum":[4,6],"sum_squares":[10,20]}"#)
    }
}

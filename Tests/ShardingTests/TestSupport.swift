import Foundation
@testable import Sharding

/// A fresh empty folder under the system's temporary folder.
func temporaryFolder() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-sharding-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeFolder(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

func bytes(at path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

func writeBytes(_ bytes: [UInt8], to path: String) {
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// The pixel value the test generators put at element `index` of global row `row`.
func patternPixel(row: Int, index: Int) -> UInt8 { UInt8((row * 7 + index * 3) % 256) }

/// The pixels of global row `row` for `image`.
func patternRow(_ row: Int, _ image: ImageLayout) -> [UInt8] { (0..<image.elementCount).map { patternPixel(row: row, index: $0) } }

/// A split of `count` samples written with `ShardSetWriter`: pattern pixels, label `row % classes`
/// (or -1 every `unlabeledEvery` rows), values scaled by 1/255 for F16 and F32.
@discardableResult
func writeSplit(folder: String, split: String, count: Int, image: ImageLayout, classes: [String],
                options: ShardSetWriter.Options = .init(), unlabeledEvery: Int? = nil) throws -> [ShardInfo] {
    let writer = try ShardSetWriter(folder: folder, naming: ShardNaming(split: split), image: image, classes: classes,
                                    options: options, hash: { try SHA256Reference.hash(fileAt: $0) })
    for row in 0..<count {
        let label: Int64 = unlabeledEvery.map { row % $0 == $0 - 1 } == true ? -1 : Int64(row % classes.count)
        let pixels = patternRow(row, image)
        let source = "data/\(split)/\(label < 0 ? "unlabeled" : classes[Int(label)])/\(row).png"
        switch image.dtype {
        case .uint8:
            try pixels.withUnsafeBytes { try writer.append(row: $0, label: label, source: source) }
        case .float16, .float32:
            let values = pixels.map { Float($0) / 255 }
            try values.withUnsafeBufferPointer { try writer.append(values: $0, label: label, source: source) }
        }
    }
    return try writer.finish()
}

/// A whole shard folder: splits written with `writeSplit`, then the manifest.
@discardableResult
func writeShardFolder(_ folder: String, image: ImageLayout = ImageLayout(height: 4, width: 3, channels: 1),
                      classes: [String] = ["cat", "dog"], counts: [String: Int] = ["train": 10, "test": 3],
                      options: ShardSetWriter.Options = .init(shardSize: 256)) throws -> Manifest {
    var splits: [String: Manifest.SplitEntry] = [:]
    var statistics = ChannelStatistics(channels: image.channels)
    for (split, count) in counts.sorted(by: { $0.key < $1.key }) {
        let shards = try writeSplit(folder: folder, split: split, count: count, image: image, classes: classes, options: options)
        splits[split] = Manifest.SplitEntry(shards: shards.map { Manifest.ShardEntry($0) }, classCount: classes.count)
        if split == "train" { for row in 0..<count { statistics.add(patternRow(row, image)) } }
    }
    let manifest = Manifest(tool: "dsprep test", classes: classes, image: Manifest.Image(image),
                            preprocess: Manifest.Preprocess(color: image.channels == 1 ? "gray" : "rgb", resize: "stretch", filter: "box", exif: true),
                            normalize: Manifest.Normalize(statistics: statistics), seed: 1337, splits: splits,
                            skipped: [Manifest.Skipped(path: "data/train/cat/666.jpg", reason: "empty file")])
    try manifest.write(to: folder)
    return manifest
}

/// FIPS 180-4 SHA-256 in plain Swift, for tests only (the module under test takes its hash
/// function from the caller, and the test target depends on Sharding alone).
enum SHA256Reference {
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func hash(fileAt path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return hash(Array(data))
    }

    static func hash(_ message: [UInt8]) -> String {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var padded = message + [0x80]
        while padded.count % 64 != 56 { padded.append(0) }
        let bits = UInt64(message.count) * 8
        for shift in stride(from: 56, through: 0, by: -8) { padded.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: padded.count, by: 64) {
            for i in 0..<16 {
                w[i] = (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(padded[chunk + i * 4 + $1]) }
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
                let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            for (i, value) in [a, b, c, d, e, f, g, hh].enumerated() { h[i] = h[i] &+ value }
        }
        return h.map { word in
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }
}

import Foundation
import Sharding

/// One split of a shard folder, opened for reading: its shards memory-mapped (so memory does
/// not grow with the data set), samples addressed by (shard, row), pixels turned into network
/// inputs by the model card's normalisation.
public final class ShardSplit {
    /// A sample's address: which shard, which row, and its label (-1: unlabelled).
    public struct Sample: Sendable, Equatable {
        public var shard: Int
        public var row: Int
        public var label: Int
    }

    public let name: String
    public let manifest: Manifest
    public let readers: [ShardReader]
    /// Every sample, shard by shard, row by row (the order the shards hold them).
    public let samples: [Sample]
    /// Values per sample: height x width x channels.
    public let sampleSize: Int

    /// Opens `split` of the shard folder `folder`.
    /// - Throws: `ModelCardError` for a missing manifest or split; `ShardError` for a bad shard.
    public init(folder: String, split: String) throws {
        let manifestPath = folder + "/" + Manifest.fileName
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw ModelCardError(path: manifestPath, reason: "no manifest (run 'dsprep shard' first, or name the shards folder)")
        }
        let manifest: Manifest
        do { manifest = try Manifest.decode(data) } catch { throw ModelCardError(path: manifestPath, reason: error.description) }
        guard let entry = manifest.splits[split] else {
            throw ModelCardError(path: folder, reason: "no split '\(split)' (the manifest has: \(manifest.splitNames.joined(separator: ", ")))")
        }
        self.name = split
        self.manifest = manifest
        readers = try entry.shards.map { shard throws(ShardError) in try ShardReader(path: folder + "/" + shard.file) }
        samples = readers.enumerated().flatMap { index, reader in
            reader.labels.enumerated().map { Sample(shard: index, row: $0.offset, label: Int($0.element)) }
        }
        sampleSize = manifest.image.height * manifest.image.width * manifest.image.channels
    }

    public var count: Int { samples.count }

    /// The input shape of one sample: `[height, width, channels]`.
    public var inputShape: [Int] { [manifest.image.height, manifest.image.width, manifest.image.channels] }

    /// Builds a batch tensor `[n, height, width, channels]` of `chosen` samples, normalised by `card`.
    public func batch(_ chosen: ArraySlice<Sample>, normalizedBy card: ModelCard) -> (inputs: Tensor, labels: [Int]) {
        var values = [Float](repeating: 0, count: chosen.count * sampleSize)
        for (index, sample) in chosen.enumerated() {
            let reader = readers[sample.shard]
            let offset = index * sampleSize
            if manifest.image.dtype == .uint8 {
                let row = reader.row(sample.row)
                for i in 0..<sampleSize { values[offset + i] = Float(row[i]) }
            } else {
                let row = reader.floats(row: sample.row)
                for i in 0..<sampleSize { values[offset + i] = row[i] }
            }
        }
        card.normalizeInPlace(&values)
        return (Tensor(shape: [chosen.count] + inputShape, data: values), chosen.map(\.label))
    }
}

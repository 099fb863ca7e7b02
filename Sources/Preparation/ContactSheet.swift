import Dataset
import Foundation
import Imaging
import Randomness
import Sharding

/// A grid of sample images read back from shards: one row per class, `perClass` columns.
/// It shows the pixels exactly as stored (what the network will see), enlarged with nearest
/// neighbour to at least 64 pixels a side, on a mid-grey background.
public struct ContactSheet {
    public struct Row: Sendable, Equatable {
        /// 1-based, top to bottom.
        public var row: Int
        public var label: String
        public var shown: Int
        public var available: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public var split: String
    public var rows: [Row]
    public let image: Image
    public var width: Int { image.width }
    public var height: Int { image.height }

    static let gap = 2, background: UInt8 = 128, minimumTile = 64

    /// Samples `perClass` images of each class of `split` (default: train, else the first split).
    /// - Throws: `Failure` for a folder without a readable manifest or without the split;
    ///   `ShardError` for a shard that cannot be read.
    public static func make(folder: String, split wanted: String?, perClass: Int, seed: UInt64) throws -> ContactSheet {
        let manifestPath = folder + "/" + Manifest.fileName
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw Failure(path: manifestPath, reason: "no manifest (run 'dsprep shard' first, or name the shards folder)")
        }
        let manifest: Manifest
        do { manifest = try Manifest.decode(data) } catch { throw Failure(path: manifestPath, reason: error.description) }
        let names = manifest.splitNames
        guard let split = wanted ?? (names.contains("train") ? "train" : names.first), let entry = manifest.splits[split] else {
            throw Failure(path: folder, reason: "no split '\(wanted ?? "")' (the manifest has: \(names.joined(separator: ", ")))")
        }
        guard let layout = manifest.image.imageLayout else { throw Failure(path: manifestPath, reason: "no image layout") }

        // Every (shard, row) of each label; -1 (unlabelled) gets the last row.
        let readers = try entry.shards.map { shard throws(ShardError) in try ShardReader(path: folder + "/" + shard.file) }
        var byLabel: [Int64: [(Int, Int)]] = [:]
        for (shardIndex, reader) in readers.enumerated() {
            for (row, label) in reader.labels.enumerated() { byLabel[label, default: []].append((shardIndex, row)) }
        }
        let labels = manifest.classes.indices.map(Int64.init).filter { byLabel[$0] != nil } + (byLabel[-1] != nil ? [-1] : [])
        let scale = max(1, (minimumTile + max(layout.width, layout.height) - 1) / max(layout.width, layout.height))
        let tileWidth = layout.width * scale, tileHeight = layout.height * scale
        var sheet = Image(width: perClass * (tileWidth + gap) + gap, height: labels.count * (tileHeight + gap) + gap,
                          channels: layout.channels, filledWith: background)
        var rows: [Row] = []
        var shuffle = RandomGenerator(seed: seed)
        for (rowIndex, label) in labels.enumerated() {
            var candidates = byLabel[label] ?? []
            shuffle.shuffle(&candidates)
            let chosen = candidates.prefix(perClass)
            for (column, (shardIndex, row)) in chosen.enumerated() {
                let pixels = bytes(readers[shardIndex], row: row, dtype: layout.dtype)
                draw(pixels, layout, scale: scale, into: &sheet,
                     x: gap + column * (tileWidth + gap), y: gap + rowIndex * (tileHeight + gap))
            }
            let name = label < 0 ? DataFolder.unlabeledFolder : manifest.classes[Int(label)]
            rows.append(Row(row: rowIndex + 1, label: name, shown: chosen.count, available: candidates.count))
        }
        return ContactSheet(split: split, rows: rows, image: sheet)
    }

    /// Writes the sheet as a PNG (temporary name, then rename).
    public func write(to path: String) throws {
        let png = try PNGEncoder.encode(image)
        let temporary = path + ".tmp"
        do {
            try Data(png).write(to: URL(fileURLWithPath: temporary))
            if rename(temporary, path) != 0 { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// One row's pixels as bytes 0...255, whatever the shard's dtype.
    private static func bytes(_ reader: ShardReader, row: Int, dtype: ImageDType) -> [UInt8] {
        if dtype == .uint8 { return Array(reader.row(row)) }
        return reader.floats(row: row).map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
    }

    private static func draw(_ pixels: [UInt8], _ layout: ImageLayout, scale: Int, into sheet: inout Image, x: Int, y: Int) {
        let channels = layout.channels
        for row in 0..<layout.height * scale {
            for column in 0..<layout.width * scale {
                let source = ((row / scale) * layout.width + column / scale) * channels
                let target = ((y + row) * sheet.width + x + column) * channels
                for channel in 0..<channels { sheet.pixels[target + channel] = pixels[source + channel] }
            }
        }
    }
}

import Foundation
import Imaging
import Preparation
import Sharding
import Unpacking

/// The text summary of `dsprep shard`: per split and class counts, what was skipped, speed.
enum ShardSummary {
    static func text(_ result: ShardResult, folder: String, seconds: Double) -> String {
        let manifest = result.manifest
        let splits = manifest.splitNames
        let total = splits.reduce(0) { $0 + (manifest.splits[$1]?.count ?? 0) }
        let files = splits.reduce(0) { $0 + (manifest.splits[$1]?.shards.count ?? 0) }
        let image = manifest.image
        // "gray" for the luma channel, "gray rgb-601" for --exact-gray.
        let colour = manifest.preprocess.color + (manifest.preprocess.gray == GrayMethod.rgb601.rawValue ? " rgb-601" : "")
        var lines = ["Wrote \(grouped(total)) images (\(image.width)x\(image.height)x\(image.channels) \(image.dtype.rawValue), "
                     + "\(colour), \(manifest.preprocess.resize)) to \(counted(files, "shard")) in \(folder)/: "
                     + "\(ByteCount(Int64(result.bytes))) in \(String(format: "%.1f", seconds)) s, "
                     + "\(grouped(Int(Double(total) / max(seconds, 0.001)))) images/s"]
        let width = max(5, manifest.classes.map(\.count).max() ?? 0)
        lines.append("  " + "class".padding(toLength: width, withPad: " ", startingAt: 0)
                     + splits.map { $0.leftPadded(to: 11) }.joined())
        for (index, label) in manifest.classes.enumerated() {
            lines.append("  " + label.padding(toLength: width, withPad: " ", startingAt: 0)
                         + splits.map { grouped(manifest.splits[$0]?.classCounts[safe: index] ?? 0).leftPadded(to: 11) }.joined())
        }
        lines.append("  " + "total".padding(toLength: width, withPad: " ", startingAt: 0)
                     + splits.map { grouped(manifest.splits[$0]?.count ?? 0).leftPadded(to: 11) }.joined())
        let mean = manifest.normalize.mean.map { String(format: "%.4f", $0) }.joined(separator: ", ")
        let std = manifest.normalize.std.map { String(format: "%.4f", $0) }.joined(separator: ", ")
        lines.append("  normalize: scale \(manifest.normalize.scale), mean [\(mean)], std [\(std)]; seed \(manifest.seed)")
        if !manifest.skipped.isEmpty {
            lines.append("Skipped \(counted(manifest.skipped.count, "file")):")
            lines += manifest.skipped.prefix(10).map { "  \($0.path): \($0.reason)" }
            if manifest.skipped.count > 10 { lines.append("  ... and \(manifest.skipped.count - 10) more in \(folder)/manifest.json") }
        }
        if !result.warnings.isEmpty {
            lines.append("Kept \(counted(result.warnings.count, "image")) with corrupt data (skip them with --strict):")
            lines += result.warnings.prefix(10).map { "  \($0.path): \($0.reason)" }
        }
        lines.append("Manifest: \(folder)/manifest.json")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

import Foundation

/// Checks a shard folder against its manifest, trusting nothing: the manifest's own
/// consistency, then every shard's size, SHA-256, safetensors structure, images and labels.
///
/// Stops at the first problem and throws it as a `VerifyError` naming the file. A folder without
/// `manifest.json` always fails: its shards are incomplete whatever they hold.
public enum Verifier {
    /// Verifies the shard folder `folder`.
    /// - Parameters:
    ///   - hash: a file's SHA-256 as hex, given its path (the caller's `Checksum.SHA256.hash(fileAt:)`).
    ///   - progress: called before each shard.
    /// - Returns: counts per split and class, shards and bytes.
    /// - Throws: the first `VerifyError` found, in the order: manifest, then each split's shards in
    ///   order (size, SHA-256, structure, layout, counts, labels).
    public static func verify(folder: String, hash: (String) throws -> String,
                              progress: (VerifyProgress) -> Void = { _ in }) throws(VerifyError) -> VerifyReport {
        let folder = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let manifest = try readManifest(folder: folder)
        let manifestPath = folder + "/" + Manifest.fileName
        try check(manifest, path: manifestPath)
        guard let image = manifest.image.imageLayout else { preconditionFailure("checked above") }

        let order = manifest.splitNames
        let byteCount = order.reduce(0) { total, name in total + (manifest.splits[name]?.shards.reduce(0) { $0 + $1.bytes } ?? 0) }
        let shardCount = order.reduce(0) { $0 + (manifest.splits[$1]?.shards.count ?? 0) }
        var shardsDone = 0, bytesDone = 0
        var splits: [VerifyReport.Split] = []
        for name in order {
            guard let split = manifest.splits[name] else { continue }
            var unlabeled = 0
            for entry in split.shards {
                progress(VerifyProgress(file: entry.file, shardsDone: shardsDone, shardCount: shardCount,
                                        bytesDone: bytesDone, byteCount: byteCount))
                unlabeled += try check(entry, split: name, folder: folder, image: image, classCount: manifest.classes.count, hash: hash)
                shardsDone += 1
                bytesDone += entry.bytes
            }
            splits.append(VerifyReport.Split(name: name, count: split.count, classCounts: split.classCounts, unlabeled: unlabeled,
                                             shards: split.shards.count, bytes: split.shards.reduce(0) { $0 + $1.bytes }))
        }
        let listed = Set(manifest.splits.values.flatMap { $0.shards.map(\.file) })
        let unlisted = shardFiles(in: folder).filter { !listed.contains($0) }
        return VerifyReport(folder: folder, classes: manifest.classes, image: manifest.image, splits: splits, unlisted: unlisted)
    }

    // MARK: The manifest

    static func readManifest(folder: String) throws(VerifyError) -> Manifest {
        let path = folder + "/" + Manifest.fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw .noManifest(folder: folder, shardFiles: shardFiles(in: folder).count)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableManifest(path: path, reason: "cannot read: \((error as NSError).localizedDescription)")
        }
        do {
            return try Manifest.decode(data)
        } catch {
            throw .invalidManifest(path: path, reason: error.reason)
        }
    }

    /// The manifest's own consistency: format, version, image, normalize, and per split the shard
    /// entries against the totals.
    static func check(_ manifest: Manifest, path: String) throws(VerifyError) {
        func invalid(_ reason: String) -> VerifyError { .invalidManifest(path: path, reason: reason) }
        guard manifest.format == Manifest.formatName else { throw invalid("format '\(manifest.format)' is not \(Manifest.formatName)") }
        guard manifest.version == Manifest.currentVersion else {
            throw invalid("version \(manifest.version) is not one this dsprep reads (\(Manifest.currentVersion))")
        }
        let image = manifest.image
        guard image.layout == "NHWC" else { throw invalid("image layout '\(image.layout)' is not NHWC") }
        guard image.imageLayout != nil else { throw invalid("image height, width and channels must be positive") }
        guard Set(manifest.classes).count == manifest.classes.count else { throw invalid("a class is listed twice") }
        guard manifest.normalize.mean.count == image.channels, manifest.normalize.std.count == image.channels else {
            throw invalid("normalize needs one mean and one std per channel (\(image.channels))")
        }
        let classCount = manifest.classes.count
        var files = Set<String>()
        for name in manifest.splitNames {
            guard let split = manifest.splits[name] else { continue }
            guard ShardNaming.isValidSplitName(name) else { throw invalid("'\(name)' is not a valid split name") }
            guard split.classCounts.count == classCount else {
                throw invalid("split \(name): class_counts has \(split.classCounts.count) entries for \(classCount) classes")
            }
            var count = 0
            var classCounts = Array(repeating: 0, count: classCount)
            for shard in split.shards {
                guard isPlainShardName(shard.file) else { throw invalid("split \(name): '\(shard.file)' is not a shard file name") }
                guard files.insert(shard.file).inserted else { throw invalid("'\(shard.file)' is listed twice") }
                guard shard.classCounts.count == classCount else {
                    throw invalid("\(shard.file): class_counts has \(shard.classCounts.count) entries for \(classCount) classes")
                }
                guard shard.count >= 0, shard.classCounts.allSatisfy({ $0 >= 0 }), shard.classCounts.reduce(0, +) <= shard.count else {
                    throw invalid("\(shard.file): class_counts add up to more than count \(shard.count)")
                }
                guard shard.sha256.utf8.count == 64, shard.sha256.utf8.allSatisfy({ isHexDigit($0) }) else {
                    throw invalid("\(shard.file): sha256 is not 64 hex digits")
                }
                count += shard.count
                for (label, n) in shard.classCounts.enumerated() { classCounts[label] += n }
            }
            guard split.count == count else {
                throw .countMismatch(path: path, reason: "split \(name): count is \(split.count), but its shards hold \(count)")
            }
            guard split.classCounts == classCounts else {
                throw .countMismatch(path: path, reason: "split \(name): class_counts is \(split.classCounts), but its shards hold \(classCounts)")
            }
        }
    }

    // MARK: One shard

    /// Checks one shard against its manifest entry.
    /// - Returns: the number of unlabeled samples in it.
    static func check(_ entry: Manifest.ShardEntry, split: String, folder: String, image: ImageLayout, classCount: Int,
                      hash: (String) throws -> String) throws(VerifyError) -> Int {
        let path = folder + "/" + entry.file
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { throw .missingShard(path: path) }
        guard Int(status.st_size) == entry.bytes else { throw .wrongSize(path: path, expected: entry.bytes, actual: Int(status.st_size)) }
        let digest: String
        do {
            digest = try hash(path).lowercased()
        } catch {
            throw .hashFailed(path: path, reason: "cannot compute its SHA-256: \(error)")
        }
        guard digest == entry.sha256.lowercased() else {
            throw .checksumMismatch(path: path, expected: entry.sha256.lowercased(), actual: digest)
        }

        let shard: ShardReader
        do {
            shard = try ShardReader(path: path)
        } catch {
            throw .damagedShard(error)
        }
        guard shard.image == image else {
            throw .layoutMismatch(path: path, reason: "images are \(describe(shard.image)), the manifest says \(describe(image))")
        }
        guard shard.split == split else {
            throw .layoutMismatch(path: path, reason: "its metadata says split '\(shard.split)', the manifest lists it under '\(split)'")
        }
        guard shard.count == entry.count else {
            throw .countMismatch(path: path, reason: "holds \(shard.count) samples, the manifest says \(entry.count)")
        }
        guard shard.firstRow == entry.firstRow else {
            let found = shard.firstRow.map(String.init) ?? "none"
            throw .countMismatch(path: path, reason: "first_row is \(found), the manifest says \(entry.firstRow)")
        }
        var classCounts = Array(repeating: 0, count: classCount)
        var unlabeled = 0
        for (row, label) in shard.labels.enumerated() {
            guard label >= -1 && label < Int64(classCount) else {
                throw .labelOutOfRange(path: path, row: row, label: label, classCount: classCount)
            }
            if label < 0 { unlabeled += 1 } else { classCounts[Int(label)] += 1 }
        }
        guard classCounts == entry.classCounts else {
            throw .countMismatch(path: path, reason: "holds class counts \(classCounts), the manifest says \(entry.classCounts)")
        }
        return unlabeled
    }

    // MARK: Helpers

    /// `96x96x1 uint8`.
    static func describe(_ image: ImageLayout) -> String { "\(image.height)x\(image.width)x\(image.channels) \(image.dtype.rawValue)" }

    /// A name with no folder part that ends in `.safetensors`.
    static func isPlainShardName(_ name: String) -> Bool {
        !name.contains("/") && !name.contains("\\") && !name.hasPrefix(".") && name.hasSuffix("." + ShardFormat.fileExtension)
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    /// Shard files and temporary files in `folder`, sorted.
    static func shardFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix("." + ShardFormat.fileExtension) || $0.hasSuffix(".\(ShardFormat.fileExtension).tmp") }
            .sorted()
    }
}

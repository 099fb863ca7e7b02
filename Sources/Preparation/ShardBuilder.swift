import Checksum
import Dataset
import Foundation
import Imaging
import Randomness
import Sharding

/// How far `dsprep shard` has come, for progress displays.
public struct ShardProgress: Sendable {
    public var split: String
    public var done: Int
    public var total: Int
}

/// What `dsprep shard` did: the manifest it wrote, and what the user should hear about.
public struct ShardResult: Sendable {
    public var manifest: Manifest
    /// Images kept although their decoder warned about corrupt data (skipped with `--strict`).
    public var warnings: [Manifest.Skipped]
    /// Bytes of shard files written.
    public var bytes: Int
}

/// Turns a data folder into shards (DESIGN.md §3), streaming: images are decoded and resized
/// in chunks on all cores, then appended in order, so memory does not grow with the data set
/// and the output is byte-identical whatever the thread count.
///
/// 1. `DataFolder.scan` lists the images with their split and class. Classes come from the
///    training split (or `all`), sorted; other splits use the same indices, and images of a
///    class the training split lacks are skipped.
/// 2. Each split is sorted by path, then shuffled with the seed (`RandomGenerator`).
/// 3. Chunks of images are preprocessed in parallel (one `Preprocessor` per thread) into one
///    buffer; the good ones go to the split's `ShardSetWriter` in order, the others to the
///    manifest's `skipped` list with the reason.
/// 4. Per-channel mean and standard deviation are accumulated over the training split
///    (exact integer sums, so independent of order).
/// 5. `OutputFolder` stages everything in `.dsprep-shard/` and moves it into place, the
///    manifest last: a folder without `manifest.json` is never presented as complete.
public final class ShardBuilder {
    public var onProgress: (ShardProgress) -> Void = { _ in }
    private let options: ShardOptions
    private static let chunkSize = 512

    public init(options: ShardOptions) {
        self.options = options
    }

    public func run() throws -> ShardResult {
        let scan = try DataFolder.scan(options.data) { ImageFormat.expected(forExtension: $0) != nil }
        let classSplit = scan.files.contains { $0.split == Split.train.rawValue } ? Split.train.rawValue : "all"
        let classes = Set(scan.files.filter { $0.split == classSplit }.compactMap(\.label)).sorted {
            $0.utf8.lexicographicallyPrecedes($1.utf8)
        }
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })

        let folder = OutputFolder(path: options.output, reportName: Manifest.fileName, commandName: "shard")
        let replaced = try folder.prepare(force: options.force)
        let staging = folder.staging + "/tree"
        do {
            try folder.createFolder(staging)
            var skipped = scan.leftOut.map { Manifest.Skipped(path: source($0.path), reason: $0.reason) }
            var warnings: [Manifest.Skipped] = []
            var splits: [String: Manifest.SplitEntry] = [:]
            var statistics = ChannelStatistics(channels: options.preprocess.channels)
            var bytes = 0
            let splitNames = Self.ordered(Set(scan.files.map(\.split)))
            for split in splitNames {
                var files = scan.files.filter { $0.split == split }
                var shuffle = RandomGenerator(seed: options.seed ^ Self.splitSalt(split))
                shuffle.shuffle(&files)
                var samples: [(file: DataFile, label: Int64)] = []
                for file in files {
                    if let label = file.label {
                        guard let index = classIndex[label] else {
                            skipped.append(.init(path: source(file.path), reason: "class \(label) is not in the \(classSplit) split"))
                            continue
                        }
                        samples.append((file, Int64(index)))
                    } else {
                        samples.append((file, -1))
                    }
                }
                guard !samples.isEmpty else { continue }
                let shards = try write(split: split, samples: samples, classes: classes, into: staging,
                                       statistics: &statistics, collectsStatistics: split == classSplit,
                                       skipped: &skipped, warnings: &warnings)
                bytes += shards.reduce(0) { $0 + $1.bytes }
                splits[split] = Manifest.SplitEntry(shards: shards.map { Manifest.ShardEntry($0, sha256: $0.sha256 ?? "") },
                                                    classCount: classes.count)
            }
            let manifest = Manifest(
                tool: "dsprep \(dsprepVersion)", classes: classes,
                image: .init(ImageLayout(height: options.preprocess.height, width: options.preprocess.width,
                                         channels: options.preprocess.channels, dtype: options.dtype)),
                preprocess: .init(color: options.preprocess.gray ? "gray" : "rgb",
                                  gray: options.preprocess.gray ? options.preprocess.grayMethod.rawValue : nil,
                                  resize: options.preprocess.resize.rawValue,
                                  filter: PreprocessOptions.filterName, exif: true, background: "white"),
                normalize: .init(statistics: statistics, scale: options.dtype == .uint8 ? 1.0 / 255.0 : 1.0),
                seed: options.seed, splits: splits, skipped: skipped, warnings: warnings.isEmpty ? nil : warnings)
            try folder.commit(tree: staging, replacing: replaced, report: manifest.encoded())
            return ShardResult(manifest: manifest, warnings: warnings, bytes: bytes)
        } catch {
            try? folder.recover()
            if replaced.isEmpty { rmdir(options.output) }
            throw error
        }
    }

    /// Preprocesses and writes one split's samples, in order, chunk by chunk.
    private func write(split: String, samples: [(file: DataFile, label: Int64)], classes: [String], into folder: String,
                       statistics: inout ChannelStatistics, collectsStatistics: Bool, skipped: inout [Manifest.Skipped],
                       warnings: inout [Manifest.Skipped]) throws -> [ShardInfo] {
        let layout = ImageLayout(height: options.preprocess.height, width: options.preprocess.width,
                                 channels: options.preprocess.channels, dtype: options.dtype)
        let writer = try ShardSetWriter(folder: folder, naming: ShardNaming(split: split), image: layout, classes: classes,
                                        options: .init(shardSize: options.shardSize), hash: { try SHA256.hash(fileAt: $0) })
        let rowBytes = options.preprocess.outputByteCount
        let pool = WorkerPool(count: options.threads, options: options.preprocess, keepsCorrupt: !options.strict)
        // Two chunk buffers: while this thread writes one chunk (and waits for a finished shard's
        // fsync), the workers already decode the next into the other.
        var chunk = ChunkBuffer(capacity: Self.chunkSize, rowBytes: rowBytes)
        var spare = ChunkBuffer(capacity: Self.chunkSize, rowBytes: rowBytes)
        var floats = [Float](repeating: 0, count: rowBytes)
        let ranges = stride(from: 0, to: samples.count, by: Self.chunkSize).map { $0..<min($0 + Self.chunkSize, samples.count) }
        let pathsOf = { (range: Range<Int>) in range.map { self.options.data + "/" + samples[$0].file.path } }
        var ahead = Prefetch(pool: pool, paths: pathsOf(ranges[0]), into: chunk)
        for (number, range) in ranges.enumerated() {
            let outcomes = ahead.wait()
            if number + 1 < ranges.count {
                ahead = Prefetch(pool: pool, paths: pathsOf(ranges[number + 1]), into: spare)
            }
            for (slot, index) in range.enumerated() {
                let path = source(samples[index].file.path)
                switch outcomes[slot] {
                case .failed(let reason):
                    skipped.append(.init(path: path, reason: reason))
                    continue
                case .decoded(let warning):
                    if let warning { warnings.append(.init(path: path, reason: warning)) }
                }
                let row = chunk.row(slot)
                if collectsStatistics { statistics.add(UnsafeBufferPointer(row.bindMemory(to: UInt8.self))) }
                if options.dtype == .uint8 {
                    try writer.append(row: UnsafeRawBufferPointer(row), label: samples[index].label, source: path)
                } else {
                    for i in 0..<rowBytes { floats[i] = Float(row[i]) / 255 }
                    try floats.withUnsafeBufferPointer {
                        try writer.append(values: $0, label: samples[index].label, source: path)
                    }
                }
            }
            swap(&chunk, &spare)
            onProgress(ShardProgress(split: split, done: range.upperBound, total: samples.count))
        }
        return try writer.finish()
    }

    private func source(_ relative: String) -> String { options.data + "/" + relative }

    /// train, validation, test, all, then any other split, then unlabeled.
    static func ordered(_ splits: Set<String>) -> [String] {
        let known = ["train", "validation", "test", "all"]
        return known.filter(splits.contains) + splits.subtracting(known + ["unlabeled"]).sorted()
            + (splits.contains("unlabeled") ? ["unlabeled"] : [])
    }

    /// Gives each split its own shuffle from the one seed (FNV-1a of the name).
    static func splitSalt(_ split: String) -> UInt64 {
        split.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
}

/// A chunk being preprocessed on the worker pool in the background, on a thread of its own
/// (a global-queue block that runs `concurrentPerform` counts as a busy libdispatch worker,
/// which can delay the pool's next worker).
private struct Prefetch {
    private final class Result: @unchecked Sendable { var outcomes: [ImageOutcome] = [] }
    private let result = Result()
    private let done = DispatchSemaphore(value: 0)

    init(pool: WorkerPool, paths: [String], into chunk: ChunkBuffer) {
        let (result, done) = (self.result, self.done)
        Thread {
            result.outcomes = pool.process(paths, into: chunk)
            done.signal()
        }.start()
    }

    /// The outcomes, once every image of the chunk is done (call once).
    func wait() -> [ImageOutcome] {
        done.wait()
        return result.outcomes
    }
}

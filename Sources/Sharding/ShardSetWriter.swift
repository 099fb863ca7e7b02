/// Writes one split (or one part of it) as a series of shards that roll over by size or count,
/// plus its row-to-source index.
///
/// Samples go to `<prefix>-00000.safetensors` until the next would take the file past
/// `shardSize` bytes (or `maxCount` samples), then to `<prefix>-00001.safetensors`, and so on
/// (names: `ShardNaming`). Each shard is finished (and hashed, given a hash function) as soon as it
/// is full, so at most one shard is open and memory stays bounded. Rows are numbered from 0
/// across the split: a shard's `first_row` is the number of samples written before it.
/// Nothing is global: several writers (splits, parts) can share a folder.
public final class ShardSetWriter {
    public struct Options: Sendable {
        /// The size a shard file may reach: 64 MiB unless told otherwise.
        public var shardSize: Int
        /// The most samples a shard may hold, if limited by count too.
        public var maxCount: Int?
        /// fsync each shard, the index and the folder when they are finished.
        public var durable: Bool
        /// More `__metadata__` strings for every shard.
        public var metadata: [String: String]

        public init(shardSize: Int = ShardFormat.defaultShardSize, maxCount: Int? = nil, durable: Bool = true,
                    metadata: [String: String] = [:]) {
            precondition(shardSize > 0 && (maxCount ?? 1) > 0, "shard size and count limits must be positive")
            self.shardSize = shardSize
            self.maxCount = maxCount
            self.durable = durable
            self.metadata = metadata
        }
    }

    public let folder: String
    public let naming: ShardNaming
    public let image: ImageLayout
    /// The manifest's classes: labels index them; the index names them.
    public let classes: [String]
    public let options: Options
    /// The shards finished so far, in order.
    public private(set) var shards: [ShardInfo] = []
    /// Samples written so far.
    public private(set) var count = 0

    private let hash: ((String) throws -> String)?
    private var current: ShardWriter?
    private var index: ShardIndexWriter?

    /// Starts the split's index file; the first shard starts with the first sample.
    /// - Parameters:
    ///   - hash: computes a file's SHA-256 as hex (the caller's `Checksum`), called on each shard
    ///     right after it is finished, while it is still in the page cache; its result goes to
    ///     `ShardInfo.sha256`.
    /// - Throws: `ShardError.io` if the index cannot be created.
    public init(folder: String, naming: ShardNaming, image: ImageLayout, classes: [String], options: Options = Options(),
                hash: ((String) throws -> String)? = nil) throws(ShardError) {
        self.folder = folder
        self.naming = naming
        self.image = image
        self.classes = classes
        self.options = options
        self.hash = hash
        index = try ShardIndexWriter(folder: folder, fileName: naming.indexFile, durable: options.durable)
    }

    /// Appends one image already encoded in the shard dtype; see `ShardWriter.append(row:label:)`.
    /// - Parameter source: the image's path, for the index.
    public func append(row: UnsafeRawBufferPointer, label: Int64, source: String) throws(ShardError) {
        let writer = try openShard()
        try writer.append(row: row, label: label)
        try recorded(writer, label: label, source: source)
    }

    /// Appends one image as `Float`s for an F16 or F32 shard; see `ShardWriter.append(values:label:)`.
    /// - Parameter source: the image's path, for the index.
    public func append(values: UnsafeBufferPointer<Float>, label: Int64, source: String) throws(ShardError) {
        let writer = try openShard()
        try writer.append(values: values, label: label)
        try recorded(writer, label: label, source: source)
    }

    /// Finishes the last shard and the index.
    /// - Returns: every shard of the split, in order (none if no sample was appended).
    public func finish() throws(ShardError) -> [ShardInfo] {
        if let current { try finishShard(current) }
        guard let index else { preconditionFailure("finish called twice") }
        self.index = nil
        try index.finish()
        return shards
    }

    /// Samples per class over the shards finished so far.
    public var classCounts: [Int] {
        shards.reduce(into: Array(repeating: 0, count: classes.count)) { total, shard in
            for (label, count) in shard.classCounts.enumerated() { total[label] += count }
        }
    }

    private func openShard() throws(ShardError) -> ShardWriter {
        if let current { return current }
        precondition(index != nil, "append after finish")
        let capacity = min(options.maxCount ?? .max,
                           ShardWriter.capacity(image: image, split: naming.split, firstRow: count, metadata: options.metadata,
                                                targetBytes: options.shardSize))
        let writer = try ShardWriter(folder: folder, fileName: naming.shardFile(shards.count), image: image, split: naming.split,
                                     firstRow: count, classCount: classes.count, capacity: capacity,
                                     metadata: options.metadata, durable: options.durable)
        current = writer
        return writer
    }

    private func recorded(_ writer: ShardWriter, label: Int64, source: String) throws(ShardError) {
        guard let index else { preconditionFailure("append after finish") }
        try index.append(shard: writer.fileName, row: writer.count - 1, path: source, label: label < 0 ? "" : classes[Int(label)])
        count += 1
        if writer.isFull { try finishShard(writer) }
    }

    private func finishShard(_ writer: ShardWriter) throws(ShardError) {
        current = nil
        var info = try writer.finish()
        if let hash {
            do {
                info.sha256 = try hash(writer.path)
            } catch {
                throw .io(path: writer.path, reason: "cannot compute its SHA-256: \(error)")
            }
        }
        shards.append(info)
    }
}

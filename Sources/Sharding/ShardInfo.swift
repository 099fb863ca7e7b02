/// What a finished shard holds: enough to list it in the manifest (with its SHA-256) and to merge
/// partial manifests later (its rows and classes).
public struct ShardInfo: Sendable, Equatable {
    /// The file's name inside its folder: `train-00000.safetensors`.
    public var file: String
    public var split: String
    /// Samples in the shard.
    public var count: Int
    /// The file's size in bytes.
    public var bytes: Int
    /// The row number, within the split (or its part), of the shard's first sample.
    public var firstRow: Int
    /// Samples per class, indexed like the manifest's classes.
    public var classCounts: [Int]
    /// Samples labelled -1.
    public var unlabeled: Int
    /// The file's SHA-256 as lower-case hex, when the writer was given a hash function.
    public var sha256: String?

    public init(file: String, split: String, count: Int, bytes: Int, firstRow: Int, classCounts: [Int],
                unlabeled: Int, sha256: String? = nil) {
        self.file = file
        self.split = split
        self.count = count
        self.bytes = bytes
        self.firstRow = firstRow
        self.classCounts = classCounts
        self.unlabeled = unlabeled
        self.sha256 = sha256
    }

    /// The row number of the last sample (`firstRow - 1` when the shard is empty).
    public var lastRow: Int { firstRow + count - 1 }
}

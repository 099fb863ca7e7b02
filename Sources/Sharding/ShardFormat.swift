/// The name and version of dsprep's shard format, stored in every shard's `__metadata__`, and the
/// limits every reader and writer of it shares. The byte layout is described in
/// `SafetensorsHeader.swift`; what a shard holds in `ShardWriter.swift`.
public enum ShardFormat {
    public static let name = "dsprep-shard-1"

    /// The file-name extension of a shard.
    public static let fileExtension = "safetensors"

    /// The largest header a reader accepts, in bytes: the safetensors reference reader's limit.
    public static let maximumHeaderLength = 100_000_000

    /// The size a shard set rolls over at unless told otherwise: 64 MiB.
    public static let defaultShardSize = 64 << 20

    /// Metadata keys that every dsprep shard carries and callers cannot set.
    public enum MetadataKey {
        /// `dsprep-shard-1`.
        public static let format = "format"
        /// The split the shard belongs to: `train`, `validation`, `test`, ...
        public static let split = "split"
        /// The row number (within its split, or its part of the split) of the shard's first sample,
        /// in decimal: the shards of a split, ordered by it, list the split's samples in order.
        public static let firstRow = "first_row"

        static let reserved: Set<String> = [format, split, firstRow]
    }
}

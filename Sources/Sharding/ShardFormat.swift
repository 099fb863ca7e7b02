/// The name and version of dsprep's shard format, stored in every shard's `__metadata__`.
public enum ShardFormat {
    public static let name = "dsprep-shard-1"
}

import Imaging
import Sharding

/// What `dsprep shard` is asked to do.
public struct ShardOptions: Sendable {
    /// The data folder (`data/<split>/<class>/...` or `data/<class>/...`).
    public var data: String
    /// The shards folder to write.
    public var output: String
    /// Size, colour, resize mode and pixel limit of every image.
    public var preprocess: PreprocessOptions
    /// How pixels are stored: `uint8` as decoded, or `float16`/`float32` scaled to 0...1.
    public var dtype: ImageDType
    /// The size a shard file may reach before the next one starts.
    public var shardSize: Int
    /// Shuffles each split before sharding.
    public var seed: UInt64
    /// Decoding threads (all cores by default); the output does not depend on it.
    public var threads: Int
    /// Skip images whose decoder warned about corrupt data, instead of keeping and listing them.
    public var strict: Bool
    /// Replace shards an earlier run wrote into `output`.
    public var force: Bool

    public static let defaultSeed: UInt64 = 1337

    public init(data: String = "data", output: String = "shards", preprocess: PreprocessOptions = PreprocessOptions(),
                dtype: ImageDType = .uint8, shardSize: Int = ShardFormat.defaultShardSize, seed: UInt64 = defaultSeed,
                threads: Int = ProcessInfoCores.count, strict: Bool = false, force: Bool = false) {
        self.data = data
        self.output = output
        self.preprocess = preprocess
        self.dtype = dtype
        self.shardSize = shardSize
        self.seed = seed
        self.threads = threads
        self.strict = strict
        self.force = force
    }
}

/// The number of cores this process may use.
public enum ProcessInfoCores {
    public static var count: Int { max(1, sysconfCount()) }
    private static func sysconfCount() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}

import Foundation

/// The names of a split's files in a shard folder.
///
///     train-00000.safetensors, train-00001.safetensors, ...   train-index.csv
///
/// and, for a deterministic slice of the data made by one of several machines (DESIGN.md §6),
///
///     train-p3-00000.safetensors, ...                           train-p3-index.csv
public struct ShardNaming: Sendable, Hashable {
    public let split: String
    /// The part number when the split is written in parts, nil otherwise.
    public let part: Int?

    /// - Precondition: `split` is a valid split name (see `isValidSplitName`), `part` non-negative.
    public init(split: String, part: Int? = nil) {
        precondition(Self.isValidSplitName(split), "'\(split)' cannot name a split's files")
        precondition((part ?? 0) >= 0, "a part number cannot be negative")
        self.split = split
        self.part = part
    }

    /// `train` or `train-p3`: what every file name of the split (or part) starts with.
    public var prefix: String { part.map { "\(split)-p\($0)" } ?? split }

    /// `train-00007.safetensors`: the name of shard `index` (five digits at least).
    public func shardFile(_ index: Int) -> String {
        let digits = String(index)
        return prefix + "-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "." + ShardFormat.fileExtension
    }

    /// `train-index.csv`.
    public var indexFile: String { prefix + "-index.csv" }

    /// Whether `name` can name a split in file names: ASCII letters, digits, `_` and `-`, not
    /// starting with `-`, at most 64 characters.
    public static func isValidSplitName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: "-"), name.utf8.count <= 64 else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}

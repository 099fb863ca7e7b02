/// The first thing `Verifier` found wrong in a shard folder. `description` is one line,
/// `<folder>/<file>: <what is wrong>`.
public enum VerifyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `manifest.json`; `shardFiles` counts the shard (and temporary) files present.
    case noManifest(folder: String, shardFiles: Int)
    /// `manifest.json` cannot be read.
    case unreadableManifest(path: String, reason: String)
    /// `manifest.json` does not decode, or contradicts itself.
    case invalidManifest(path: String, reason: String)
    /// A shard the manifest lists is not there.
    case missingShard(path: String)
    /// A shard's size differs from the manifest's.
    case wrongSize(path: String, expected: Int, actual: Int)
    /// The hash function failed on a shard.
    case hashFailed(path: String, reason: String)
    /// A shard's SHA-256 differs from the manifest's.
    case checksumMismatch(path: String, expected: String, actual: String)
    /// A shard breaks a rule of the format.
    case damagedShard(ShardError)
    /// A shard's images or metadata disagree with the manifest.
    case layoutMismatch(path: String, reason: String)
    /// A label outside `-1..<classCount`.
    case labelOutOfRange(path: String, row: Int, label: Int64, classCount: Int)
    /// Sample or class counts disagree with the manifest's.
    case countMismatch(path: String, reason: String)

    /// The file (or folder) the error is about.
    public var path: String {
        switch self {
        case .noManifest(let folder, _): folder
        case .damagedShard(let error): error.path
        case .unreadableManifest(let path, _), .invalidManifest(let path, _), .missingShard(let path), .wrongSize(let path, _, _),
             .hashFailed(let path, _), .checksumMismatch(let path, _, _), .layoutMismatch(let path, _),
             .labelOutOfRange(let path, _, _, _), .countMismatch(let path, _):
            path
        }
    }

    /// What is wrong, without the path.
    public var reason: String {
        switch self {
        case .noManifest(_, let shardFiles) where shardFiles > 0:
            "no \(Manifest.fileName), so the \(shardFiles) shard file\(shardFiles == 1 ? "" : "s") here are incomplete "
                + "(an interrupted or failed shard run); run `dsprep shard` again"
        case .noManifest:
            "no \(Manifest.fileName) and no shards: not a shard folder (make one with `dsprep shard`)"
        case .unreadableManifest(_, let reason), .invalidManifest(_, let reason), .hashFailed(_, let reason),
             .layoutMismatch(_, let reason), .countMismatch(_, let reason):
            reason
        case .missingShard:
            "missing (the manifest lists it)"
        case .wrongSize(_, let expected, let actual):
            "\(actual) bytes, the manifest says \(expected) (truncated or replaced)"
        case .checksumMismatch(_, let expected, let actual):
            "SHA-256 \(actual) differs from the manifest's \(expected) (the file is damaged)"
        case .damagedShard(let error):
            error.reason
        case .labelOutOfRange(_, let row, let label, let classCount):
            "row \(row) has label \(label), outside -1..<\(classCount)"
        }
    }

    public var description: String { "\(path): \(reason)" }
}

/// How far `Verifier` has got: called before each shard is checked.
public struct VerifyProgress: Sendable, Equatable {
    /// The shard about to be checked.
    public var file: String
    public var shardsDone: Int
    public var shardCount: Int
    public var bytesDone: Int
    public var byteCount: Int
}

/// What `Verifier` found in a sound shard folder.
public struct VerifyReport: Sendable, Equatable, Codable {
    public var folder: String
    public var classes: [String]
    public var image: Manifest.Image
    /// In reading order: train, validation, test, then the others.
    public var splits: [Split]
    /// Shard or temporary files in the folder that the manifest does not list (left by an earlier run).
    public var unlisted: [String]

    public struct Split: Sendable, Equatable, Codable {
        public var name: String
        public var count: Int
        public var classCounts: [Int]
        public var unlabeled: Int
        public var shards: Int
        public var bytes: Int

        enum CodingKeys: String, CodingKey {
            case name, count, unlabeled, shards, bytes
            case classCounts = "class_counts"
        }
    }

    public var count: Int { splits.reduce(0) { $0 + $1.count } }
    public var shards: Int { splits.reduce(0) { $0 + $1.shards } }
    public var bytes: Int { splits.reduce(0) { $0 + $1.bytes } }
}

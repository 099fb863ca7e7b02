import Foundation

/// `shards/manifest.json`: what a shard folder holds and how it was made (DESIGN.md §3).
///
///     { "classes" : [ "cat", "dog" ], "format" : "dsprep-manifest",
///       "image" : { "channels" : 1, "dtype" : "uint8", "height" : 96, "layout" : "NHWC", "width" : 96 },
///       "normalize" : { "mean" : [ .. ], "scale" : 0.00392156862745098, "std" : [ .. ] },
///       "preprocess" : { "color" : "gray", "exif" : true, "filter" : "..", "gray" : "luma", "resize" : "stretch" },
///       "seed" : 1337, "skipped" : [ { "path" : "..", "reason" : ".." } ],
///       "splits" : { "train" : { "class_counts" : [ .. ], "count" : 20000,
///                                "shards" : [ { "bytes" : .., "class_counts" : [ .. ], "count" : ..,
///                                               "file" : "train-00000.safetensors", "first_row" : 0,
///                                               "sha256" : ".." } ] } },
///       "tool" : "dsprep 0.1.0", "version" : 1 }
///
/// Encoded deterministically: keys sorted, pretty-printed by `JSONEncoder`, numbers in Swift's
/// shortest round-trip form, a final newline. Written last, by rename: a folder without it is
/// incomplete. Each shard entry carries its rows and class counts, and `normalize.statistics`
/// the exact pixel sums, so partial manifests (`shard --part i/N`) can be merged without reading
/// the shards.
public struct Manifest: Sendable, Equatable, Codable {
    public static let formatName = "dsprep-manifest"
    public static let currentVersion = 1
    public static let fileName = "manifest.json"

    public var format: String
    public var version: Int
    /// `dsprep <version>`.
    public var tool: String
    /// Class names; labels index them. Sorted, the same for every split.
    public var classes: [String]
    public var image: Image
    public var preprocess: Preprocess
    public var normalize: Normalize
    public var seed: UInt64
    /// By split name: `train`, `validation`, `test`, ...
    public var splits: [String: SplitEntry]
    public var skipped: [Skipped]
    /// Images kept although their decoder warned about corrupt data (absent when none).
    public var warnings: [Skipped]?

    public init(tool: String, classes: [String], image: Image, preprocess: Preprocess, normalize: Normalize, seed: UInt64,
                splits: [String: SplitEntry], skipped: [Skipped] = [], warnings: [Skipped]? = nil) {
        format = Self.formatName
        version = Self.currentVersion
        self.tool = tool
        self.classes = classes
        self.image = image
        self.preprocess = preprocess
        self.normalize = normalize
        self.seed = seed
        self.splits = splits
        self.skipped = skipped
        self.warnings = warnings
    }

    /// The shape and element type of every image: `images [N, height, width, channels]`.
    public struct Image: Sendable, Equatable, Codable {
        public var height: Int
        public var width: Int
        public var channels: Int
        public var dtype: ImageDType
        /// Always `NHWC`.
        public var layout: String

        public init(_ image: ImageLayout) {
            height = image.height
            width = image.width
            channels = image.channels
            dtype = image.dtype
            layout = "NHWC"
        }

        /// As an `ImageLayout`, or nil if a dimension is not positive.
        public var imageLayout: ImageLayout? {
            guard height > 0, width > 0, channels > 0 else { return nil }
            return ImageLayout(height: height, width: width, channels: channels, dtype: dtype)
        }
    }

    /// How images were turned into rows (the values of the shard command's options).
    public struct Preprocess: Sendable, Equatable, Codable {
        /// `gray` or `rgb`.
        public var color: String
        /// How colour became gray, when `color` is `gray`: `luma` (a JPEG's luma channel, decoded
        /// directly; `--gray`) or `rgb-601` (Pillow's `convert("L")` of the decoded RGB;
        /// `--exact-gray`). Absent for `rgb`, and in manifests written before it existed, which
        /// were made the `luma` way.
        public var gray: String?
        /// `stretch`, `crop` or `pad`.
        public var resize: String
        /// The downscaling filter.
        public var filter: String
        /// Whether EXIF orientation was applied.
        public var exif: Bool
        /// The colour alpha was composited on, when it matters.
        public var background: String?

        public init(color: String, gray: String? = nil, resize: String, filter: String, exif: Bool, background: String? = nil) {
            self.color = color
            self.gray = gray
            self.resize = resize
            self.filter = filter
            self.exif = exif
            self.background = background
        }
    }

    /// How the trainer scales values: `x * scale`, or `(x * scale - mean) / std` per channel.
    public struct Normalize: Sendable, Equatable, Codable {
        public var scale: Double
        /// Per channel, over the training split, after scaling.
        public var mean: [Double]
        public var std: [Double]
        /// The exact sums `mean` and `std` come from, for merging partial manifests.
        public var statistics: ChannelStatistics?

        public init(scale: Double, mean: [Double], std: [Double], statistics: ChannelStatistics? = nil) {
            self.scale = scale
            self.mean = mean
            self.std = std
            self.statistics = statistics
        }

        /// Mean and std from `statistics`, which are kept too.
        public init(statistics: ChannelStatistics, scale: Double = 1.0 / 255.0) {
            self.init(scale: scale, mean: statistics.mean(scale: scale), std: statistics.std(scale: scale), statistics: statistics)
        }
    }

    public struct SplitEntry: Sendable, Equatable, Codable {
        public var count: Int
        /// Samples per class, indexed like `classes`; unlabeled samples count in `count` only.
        public var classCounts: [Int]
        public var shards: [ShardEntry]

        enum CodingKeys: String, CodingKey {
            case count, shards
            case classCounts = "class_counts"
        }

        public init(count: Int, classCounts: [Int], shards: [ShardEntry]) {
            self.count = count
            self.classCounts = classCounts
            self.shards = shards
        }

        /// The entry for `shards`, with the totals summed from them.
        public init(shards: [ShardEntry], classCount: Int) {
            var totals = Array(repeating: 0, count: classCount)
            for shard in shards {
                for (label, count) in shard.classCounts.enumerated() where label < classCount { totals[label] += count }
            }
            self.init(count: shards.reduce(0) { $0 + $1.count }, classCounts: totals, shards: shards)
        }
    }

    public struct ShardEntry: Sendable, Equatable, Codable {
        /// The file's name in the manifest's folder.
        public var file: String
        public var count: Int
        public var bytes: Int
        /// Lower-case hex.
        public var sha256: String
        /// The row number, within the split (or part), of the shard's first sample.
        public var firstRow: Int
        /// Samples per class, indexed like `classes`.
        public var classCounts: [Int]

        enum CodingKeys: String, CodingKey {
            case file, count, bytes, sha256
            case firstRow = "first_row"
            case classCounts = "class_counts"
        }

        public init(file: String, count: Int, bytes: Int, sha256: String, firstRow: Int, classCounts: [Int]) {
            self.file = file
            self.count = count
            self.bytes = bytes
            self.sha256 = sha256
            self.firstRow = firstRow
            self.classCounts = classCounts
        }

        /// The entry for a finished shard.
        /// - Precondition: `sha256` is given, or `info` carries one.
        public init(_ info: ShardInfo, sha256: String? = nil) {
            guard let hash = sha256 ?? info.sha256 else { preconditionFailure("shard \(info.file) has no SHA-256") }
            self.init(file: info.file, count: info.count, bytes: info.bytes, sha256: hash, firstRow: info.firstRow,
                      classCounts: info.classCounts)
        }
    }

    /// An image left out, and why.
    public struct Skipped: Sendable, Equatable, Codable {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    /// Split names in reading order: train, validation, test, then the others sorted.
    public var splitNames: [String] {
        let known = ["train", "validation", "test"]
        return known.filter { splits[$0] != nil } + splits.keys.filter { !known.contains($0) }.sorted()
    }
}

extension Manifest {
    /// The manifest's JSON text: sorted keys, pretty-printed, slashes unescaped, a final newline.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding fails only for non-finite doubles, which mean/std/scale never are.
        guard var data = try? encoder.encode(self) else { preconditionFailure("the manifest holds a non-finite number") }
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Writes `<folder>/manifest.json` crash-safely: a temporary name, fsync, rename, fsync the folder.
    /// Call it last, after every shard and index is in place.
    public func write(to folder: String) throws(ShardError) {
        try AtomicFile.write(Array(encoded()), folder: folder, name: Self.fileName)
    }

    /// Removes `<folder>/manifest.json` (durably) if it is there: call it before rewriting a
    /// folder's shards, so that a run killed midway leaves a folder without a manifest, never one
    /// whose manifest describes shards that are being replaced.
    public static func invalidate(folder: String) throws(ShardError) {
        let path = folder + "/" + fileName
        guard unlink(path) == 0 else {
            if errno == ENOENT { return }
            throw .io(path: path, reason: "cannot remove: \(SafetensorsReader.systemError())")
        }
        try AtomicFile.syncFolder(of: path)
    }

    /// Decodes a manifest from its JSON text.
    /// - Throws: a `ManifestDecodingError` naming the key that does not fit.
    public static func decode(_ data: Data) throws(ManifestDecodingError) -> Manifest {
        do {
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch let error as DecodingError {
            throw ManifestDecodingError(error)
        } catch {
            throw ManifestDecodingError(reason: "\(error)")
        }
    }
}

/// Why a manifest's JSON does not decode, in one line.
public struct ManifestDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    init(_ error: DecodingError) {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the top level" : String(keys.dropFirst(keys.hasPrefix(".") ? 1 : 0))
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            reason = "no '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(at)")
        case .typeMismatch(let type, let context):
            reason = "\(path(context)) is not \(Self.name(of: type))"
        case .valueNotFound(let type, let context):
            reason = "\(path(context)) is null, expected \(Self.name(of: type))"
        case .dataCorrupted(let context):
            reason = context.codingPath.isEmpty ? "not valid JSON" : "\(path(context)): \(context.debugDescription)"
        @unknown default:
            reason = "\(error)"
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "of the right type"
        }
    }

    public var description: String { reason }
}

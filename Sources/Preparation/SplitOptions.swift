import Dataset

/// How `dsprep split` puts images into their split folders.
public enum SplitMode: String, Sendable, Codable, CaseIterable {
    /// Rename within the data folder (the default without `--out`).
    case move
    /// Copy into the `--out` folder (the default with it).
    case copy
    /// Hard-link into the `--out` folder: no extra space; same file system only.
    case hardlink
    /// Symbolic links in the `--out` folder to the images' absolute paths.
    case symlink
}

/// What `dsprep split` is asked to do.
public struct SplitOptions: Sendable {
    /// The seed used when none is given: recorded in the report like any other.
    public static let defaultSeed: UInt64 = 1337

    /// The data folder (`data`), as `unpack` wrote it.
    public var data: String
    /// Where to put the split; nil splits inside `data` (with `.move`).
    public var output: String?
    public var ratios: SplitRatios
    public var seed: UInt64
    /// Assign each image by a hash of its path instead of a seeded shuffle.
    public var stable: Bool
    /// `--group`: a regular expression whose first capture group keys images that stay together.
    public var group: String?
    public var mode: SplitMode
    /// Plan and report, but change nothing.
    public var dryRun: Bool
    /// Split an already-split folder again (train and validation pooled; test kept).
    public var resplit: Bool
    /// Threads hashing files; 0 means one per core.
    public var threads: Int

    public init(data: String = "data", output: String? = nil, ratios: SplitRatios = .default,
                seed: UInt64 = SplitOptions.defaultSeed, stable: Bool = false, group: String? = nil,
                mode: SplitMode? = nil, dryRun: Bool = false, resplit: Bool = false, threads: Int = 0) {
        self.data = data
        self.output = output
        self.ratios = ratios
        self.seed = seed
        self.stable = stable
        self.group = group
        self.mode = mode ?? (output == nil ? .move : .copy)
        self.dryRun = dryRun
        self.resplit = resplit
        self.threads = threads
    }
}

/// Why `dsprep split` stopped. The description is the line a user sees after `dsprep: `.
public enum SplitError: Error, Equatable, CustomStringConvertible {
    case noDataFolder(String)
    case noImages(String)
    case modeNeedsOutput(SplitMode)
    case moveWithOutput
    case outputInsideData(String)
    case outputNotEmpty(String)
    case badGroupPattern(String, String)
    case busy(String)
    case unreadablePlan(String, String)
    case io(String, String)

    public var description: String {
        switch self {
        case .noDataFolder(let path):
            "\(path): no such folder; run 'dsprep unpack' first or name the data folder"
        case .noImages(let path):
            "\(path): no images in class folders to split (expected \(path)/<class>/<image> or \(path)/train/<class>/<image>)"
        case .modeNeedsOutput(let mode):
            "--mode \(mode.rawValue) needs --out DIR: inside the data folder every image would count twice"
        case .moveWithOutput:
            "--mode move works inside the data folder; with --out use --mode copy, hardlink or symlink"
        case .outputInsideData(let path):
            "\(path): the --out folder must be outside the data folder"
        case .outputNotEmpty(let path):
            "\(path): folder is not empty; choose a new or empty --out folder"
        case .badGroupPattern(let pattern, let reason):
            "--group \(pattern): \(reason)"
        case .busy(let path):
            "\(path): another dsprep split is working on this folder"
        case .unreadablePlan(let path, let reason):
            "\(path): cannot read the plan of an interrupted split (\(reason)); remove the folder \(parentFolder(path)) to start over"
        case .io(let path, let reason):
            "\(path): \(reason)"
        }
    }
}

/// `a/b/c` -> `a/b`; `c` -> `.`.
func parentFolder(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

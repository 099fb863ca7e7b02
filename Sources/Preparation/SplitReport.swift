import Dataset

/// What `dsprep split` did (or, for a dry run, would do): printed by `--json` and written to
/// `<folder>/split-report.json` beside `split.csv`. Keys are snake_case in JSON; nothing in it
/// depends on time or thread count.
public struct SplitReport: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// The images were placed and `split.csv` written.
        case split
        /// Nothing changed; this is the plan.
        case dryRun = "dry-run"
        /// The folder was split already (by dsprep, or by the archive); nothing changed.
        case alreadySplit = "already-split"
        /// An interrupted split was finished from its plan.
        case resumed
        /// A dry run found an interrupted split waiting to be finished.
        case interrupted
    }

    /// What the data folder held.
    public struct Input: Codable, Sendable, Equatable {
        /// `class-folders` (`data/<class>/`) or `split-folders` (`data/<split>/<class>/`).
        public var layout: Layout
        /// The split folders found, for `split-folders`.
        public var splits: [Split]
        /// The splits left as they were (a pre-split data set's test, and its validation when
        /// not `--resplit`).
        public var kept: [Split]
        /// Images divided by the ratios (everything not kept).
        public var pooled: Int
    }

    /// Files that are not split, left where they are.
    public struct Left: Codable, Sendable, Equatable {
        public var path: String
        /// How many files, for a folder.
        public var files: Int?
        public var reason: String
    }

    /// Images with identical content, kept in one split.
    public struct Duplicates: Codable, Sendable, Equatable {
        /// Groups of two or more identical files.
        public var groups: Int
        /// Files in those groups.
        public var files: Int
        /// Groups whose files carry different classes (a labelling problem worth a look).
        public var acrossClasses: Int
        /// Every group, as the files' paths after the split.
        public var list: [[String]]
    }

    public var format = "dsprep-split-report"
    public var version = 1
    public var tool = "dsprep \(dsprepVersion)"
    public var status: Status
    public var data: String
    /// The folder holding the split folders and `split.csv` (`data`, or `--out`).
    public var output: String
    public var mode: SplitMode
    /// The requested ratios, as percentages (`80/10/10`).
    public var ratios: String
    /// The share of the pooled images each split gets, in percent (differs from `ratios` when
    /// a split was kept).
    public var pooledShares: [String: Double]
    public var seed: UInt64
    public var stable: Bool
    public var group: String?
    public var input: Input
    /// Class names, sorted.
    public var classes: [String]
    /// Images per class, by split, after the split.
    public var counts: [String: [String: Int]]
    public var images: Int
    /// Images moved, copied or linked into place (0 for a dry run).
    public var placed: Int
    public var duplicates: Duplicates
    /// `--group` keys shared by two or more images.
    public var sharedGroupKeys: Int
    /// Pooled images that went to a kept split to stay with identical or grouped images there.
    public var joinedKept: Int
    /// Images given a new name because another image already had theirs in the same folder.
    public var renamed: [UnpackReport.Moved]
    public var warnings: [String]
    public var notes: [String]
    public var left: [Left]
    /// The record of every image, relative to the working folder.
    public var plan: String

    /// Images in `split` over all classes.
    public func total(_ split: Split) -> Int {
        counts.values.reduce(0) { $0 + ($1[split.rawValue] ?? 0) }
    }
}

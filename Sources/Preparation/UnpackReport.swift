import Dataset
import Foundation
import Unpacking

/// What `dsprep unpack` did: written to `<out>/unpack-report.json` and printed by `--json`.
/// Keys are snake_case in JSON; nothing in it depends on time or thread count.
public struct UnpackReport: Codable, Sendable, Equatable {
    public struct Archive: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int64
        public var sha256: String
        /// The format libarchive detected, e.g. "ZIP 2.0 (deflation)".
        public var format: String
    }

    /// A file that is in the output, but not as the archive had it.
    public struct Moved: Codable, Sendable, Equatable {
        /// The entry's path in the archive (escaped for the terminal).
        public var path: String
        /// Where it is now, relative to the output folder.
        public var savedAs: String
        public var reason: String
    }

    public var format = "dsprep-unpack-report"
    public var version = 1
    public var tool: String
    public var archives: [Archive]
    public var output: String
    public var layout: LayoutReport
    /// Class names, sorted.
    public var classes: [String]
    /// Images per class, by split (`all` when the data set is not pre-split).
    public var classCounts: [String: [String: Int]]
    public var images: Int
    public var unlabeled: Int
    /// Bad images, moved to `.quarantine/` (never deleted), with the reason.
    public var quarantined: [Moved]
    /// Entries not written: junk, non-image files, links, devices.
    public var leftOut: [LeftOutEntry]
    /// Images kept under another name (unsafe characters, a name collision).
    public var renamed: [Moved]
    /// Images kept as they are, with something worth knowing (a PNG named .jpg).
    public var notes: [LeftOutEntry]
}

/// What `dsprep shapes` found: printed as text, or in full by `--json`.
///
/// Keys are snake_case in JSON and every list is in a fixed order, so the same files, options
/// and seed give the same report byte for byte, whatever the thread count. Nothing in it
/// depends on time or on the machine.
public struct ShapeReport: Codable, Sendable, Equatable {
    /// A file (or folder) and what is wrong with it, or worth knowing about it.
    public struct FileNote: Codable, Sendable, Equatable {
        /// Relative to the data folder.
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    /// The random sample surveyed with `--sample`.
    public struct Sample: Codable, Sendable, Equatable {
        /// Files in the sample (at most the population).
        public var size: Int
        public var seed: UInt64
        /// Files it was drawn from.
        public var population: Int
    }

    /// What the walk passed over without reading.
    public struct Skipped: Codable, Sendable, Equatable {
        /// Junk files: `._*`, `.DS_Store`, `Thumbs.db`, `desktop.ini`, hidden files.
        public var junkFiles: Int
        /// Files whose extension is not an image format's, and files with no extension whose
        /// content is not an image (`unpack-report.json`, `split.csv`, `LICENSE`).
        public var nonImageFiles: Int
        /// Folders not entered: hidden ones (`.quarantine`) and `__MACOSX`.
        public var folders: [String]
    }

    public var format = "dsprep-shapes-report"
    public var version = 1
    public var tool: String
    /// The data folder, as given.
    public var data: String
    public var sample: Sample?
    public var skipped: Skipped
    /// Files surveyed per class (`unlabeled` for files outside class folders).
    public var classCounts: [String: Int]
    /// Everything surveyed.
    public var all: ShapeStatistics
    /// Per class, with `--by-class`.
    public var classes: [String: ShapeStatistics]?
    /// Files with an image's name whose header could not be read, and folders that could not
    /// be listed, sorted by path.
    public var unreadable: [FileNote]
    /// Images whose content is not what the name's extension promises (a PNG named .jpg), or
    /// that have no extension; they are surveyed by their content.
    public var misnamed: [FileNote]
    /// nil when no image could be read.
    public var recommendation: SizeRecommendation?
}

/// Counts and distributions over a set of images (all of them, or one class).
///
/// Sizes are as displayed, after the EXIF orientation (an 8x6 JPEG with orientation 6 counts
/// as 6x8). Medians are the lower middle value for an even count, so they are always sizes
/// that occur.
public struct ShapeStatistics: Codable, Sendable, Equatable {
    /// A displayed size and how many images have it.
    public struct SizeCount: Codable, Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var count: Int
        /// Of the images, rounded to 2 decimals.
        public var percent: Double
    }

    /// The smallest, middle and largest value.
    public struct Spread: Codable, Sendable, Equatable {
        public var min: Int64
        public var median: Int64
        public var max: Int64
    }

    /// Colour models. `gray`, `rgb` and `cmyk` are exclusive and add up to the images; the
    /// others are properties that combine with them and with each other (a palette PNG with
    /// tRNS counts in `rgb`, `palette` and `alpha`).
    public struct ColorModels: Codable, Sendable, Equatable {
        /// Gray, with or without alpha.
        public var gray = 0
        /// RGB, RGBA and palette images.
        public var rgb = 0
        /// CMYK and YCCK JPEGs.
        public var cmyk = 0
        /// Palette (indexed-colour) PNGs.
        public var palette = 0
        /// An alpha channel or a tRNS chunk.
        public var alpha = 0
        /// More than 8 bits per sample (16-bit PNG, 12-bit JPEG).
        public var sixteenBit = 0
    }

    /// Histograms of displayed width, height and aspect ratio (width / height).
    public struct Histograms: Codable, Sendable, Equatable {
        public var width: ShapeHistogram
        public var height: ShapeHistogram
        public var aspect: ShapeHistogram
    }

    /// Files surveyed (readable or not).
    public var files: Int
    /// Files whose header was read.
    public var images: Int
    /// Files whose header could not be read.
    public var unreadable: Int
    /// Files per format of their content (`jpeg`, `png`, `gif`, ...), readable or not;
    /// files whose content is no known format are not counted here.
    public var formats: [String: Int]
    public var colorModels: ColorModels
    /// Images whose EXIF orientation is not 1, so that they are displayed turned or flipped.
    public var exifRotated: Int
    /// The most common displayed sizes, most common first (ties: narrower, then lower, first).
    public var topSizes: [SizeCount]
    public var distinctSizes: Int
    /// nil when there are no images.
    public var width: Spread?
    public var height: Spread?
    public var fileBytes: Spread?
    public var histograms: Histograms
}

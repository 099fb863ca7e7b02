/// How an archive's folders carry the labels.
public enum Layout: String, Sendable, Codable, CaseIterable {
    /// Detect the layout from the paths (the default).
    case auto
    /// `<root>/<class>/<file>`: the first folder under the common root names the class.
    case classFolders = "class-folders"
    /// `<root>/<split>/<class>/<file>`: already split into train/validation/test.
    case splitFolders = "split-folders"
    /// `<root>/<class>.<n>.jpg` or `<class>_<n>.png`: the class is the file-name prefix.
    case filenamePrefix = "filename-prefix"
    /// No labels: every image goes to `unlabeled/`.
    case unlabeled
}

/// Where one image goes in the normalised layout (DESIGN.md §1).
public struct Placement: Sendable, Equatable {
    /// The split folder, for pre-split data sets; nil otherwise.
    public var split: Split?
    /// The class, or nil for an unlabelled image.
    public var label: String?
    /// The file's name in its class folder (sub-folders below the class joined with `_`).
    public var fileName: String

    public init(split: Split?, label: String?, fileName: String) {
        self.split = split
        self.label = label
        self.fileName = fileName
    }

    /// The path relative to the data folder: `[split/]class/file` or `unlabeled/file`.
    public var components: [String] {
        guard let label else { return ["unlabeled", fileName] }
        return (split.map { [$0.rawValue] } ?? []) + [label, fileName]
    }
}

/// What the layout inference found.
public struct LayoutReport: Sendable, Equatable, Codable {
    /// The layout in use (never `.auto`).
    public var layout: Layout
    /// The folders common to every image, which were dropped (`PetImages`), joined with `/`.
    public var root: String
    /// The splits present, for a pre-split data set.
    public var splits: [Split]
    /// Things the user should know about the guess.
    public var notes: [String]

    public init(layout: Layout, root: String, splits: [Split], notes: [String]) {
        self.layout = layout
        self.root = root
        self.splits = splits
        self.notes = notes
    }
}

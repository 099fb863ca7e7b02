/// Caps that stop archive bombs while they are being written. libarchive has no limits of its
/// own, so the `Extractor` counts every entry and every byte it writes, across nested archives.
public struct ExtractionLimits: Sendable, Equatable {
    /// Most bytes written in all (nested archives included).
    public var maxBytes: Int64
    /// Most entries read in all (folders and nested archives' entries included).
    public var maxEntries: Int
    /// How deep archives inside archives are opened (1: only the archives given).
    public var maxDepth: Int

    public init(maxBytes: Int64, maxEntries: Int, maxDepth: Int) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        self.maxDepth = maxDepth
    }

    /// The defaults: 20 times the archives' size but at least 1 GiB (images are already
    /// compressed, so real data sets unpack to about their archive's size), 5 million entries
    /// (ImageNet's training set has 1.28 million), 3 levels of nesting.
    public static func defaults(archiveBytes: Int64) -> ExtractionLimits {
        ExtractionLimits(maxBytes: max(1 << 30, archiveBytes.multipliedReportingOverflow(by: 20).partialValue),
                         maxEntries: 5_000_000, maxDepth: 3)
    }
}

/// A problem that stops an unpack. Its description is the one line the user sees:
/// `<archive>[: <entry>]: <reason>`.
public struct UnpackError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// libarchive could not read the archive or an entry (damaged, truncated, bad CRC, ...).
        case damaged(String)
        case unsafeEntry(EntryPath.Refusal)
        case encrypted
        case tooManyBytes(limit: Int64)
        case tooManyEntries(limit: Int)
        case cannotWrite(String)
        case cannotRead(String)
    }

    /// The chain of archives, outermost first (`["dogs-vs-cats.zip", "train.zip"]`).
    public var archive: [String]
    /// The entry, escaped for the terminal, when the problem belongs to one.
    public var entry: String?
    public var reason: Reason

    public init(archive: [String], entry: String?, reason: Reason) {
        self.archive = archive
        self.entry = entry
        self.reason = reason
    }

    public var description: String {
        ((archive + [entry].compactMap { $0 }) + [reasonText]).joined(separator: ": ")
    }

    private var reasonText: String {
        switch reason {
        case .damaged(let message):
            "damaged archive: \(message)"
        case .unsafeEntry(let refusal):
            "\(refusal)"
        case .encrypted:
            "entry is encrypted; dsprep does not decrypt archives (extract it with its password first)"
        case .tooManyBytes(let limit):
            "stopped: unpacking would write more than \(ByteCount(limit)) (an archive bomb?); "
                + "raise the limit with --max-size if this data set is really that large"
        case .tooManyEntries(let limit):
            "stopped: the archive has more than \(limit) entries (an archive bomb?); "
                + "raise the limit with --max-entries if this data set is really that large"
        case .cannotWrite(let message):
            "cannot write: \(message)"
        case .cannotRead(let message):
            "cannot read: \(message)"
        }
    }
}

/// A byte count for people: "1.5 GiB", "512 MiB", "900 B".
public struct ByteCount: CustomStringConvertible, Sendable {
    public var bytes: Int64
    public init(_ bytes: Int64) { self.bytes = bytes }

    public var description: String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
    }
}

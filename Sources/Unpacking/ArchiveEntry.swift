/// One entry's header, as the archive states it. Nothing here has been checked yet.
struct ArchiveEntry {
    enum Kind: Equatable {
        case file
        case directory
        case symbolicLink(target: String)
        case hardLink(target: String)
        /// A device, FIFO or socket: never extracted.
        case special(String)
    }

    /// The entry's name exactly as stored (any encoding, any separators).
    var rawPath: [UInt8]
    var kind: Kind
    /// The size the header declares, when it declares one.
    var size: Int64?
    var isEncrypted: Bool
    /// Permission bits as stored; reported, never restored.
    var mode: UInt32
}

import CArchive
import Foundation

/// Reads the entries of one archive, in order, through libarchive.
///
/// This is the only file that calls libarchive. It reads every format and filter the linked
/// libarchive reads (zip, tar with gzip/bzip2/xz/zstd/lz4, 7z, rar, cpio, iso9660, ...), but
/// registers the *seekable* zip reader only: the streaming one would silently accept a zip whose
/// central directory is missing (a truncated download), and dsprep reports that as damage.
/// It never extracts anything itself: `ArchiveReader` hands out entry headers and data blocks,
/// and the `Extractor` decides what reaches the disk. No passphrase is ever set, so encrypted
/// entries fail with an error instead of prompting.
final class ArchiveReader {
    private let archive: OpaquePointer
    private let entryBuffer: UnsafeMutablePointer<OpaquePointer?>

    /// Opens the archive file at `path`.
    /// - Throws: `ArchiveFailure` when libarchive cannot open it or recognises no format.
    ///   The corresponding C function is `archive_read_open_filename`.
    init(path: String) throws(ArchiveFailure) {
        Self.useUTF8Locale()
        guard let archive = archive_read_new() else {
            throw ArchiveFailure(function: "archive_read_new", message: "out of memory")
        }
        self.archive = archive
        entryBuffer = .allocate(capacity: 1)
        entryBuffer.initialize(to: nil)
        Self.registerFormats(archive)
        try check("archive_read_open_filename", archive_read_open_filename(archive, path, 1 << 20))
    }

    deinit {
        archive_read_free(archive)
        entryBuffer.deallocate()
    }

    /// The next entry's header, or nil after the last entry.
    /// - Throws: `ArchiveFailure` for a damaged or unreadable header (warnings count as failures:
    ///   libarchive reports some damage, such as a bad header checksum, only as a warning).
    ///   The corresponding C function is `archive_read_next_header`.
    func nextEntry() throws(ArchiveFailure) -> ArchiveEntry? {
        let status = archive_read_next_header(archive, entryBuffer)
        if status == ARCHIVE_EOF { return nil }
        guard let entry = entryBuffer.pointee else {
            throw failure("archive_read_next_header")
        }
        // A header warning about the name's character set is expected (dsprep reads the raw
        // bytes itself); any other non-OK status is damage.
        if status != ARCHIVE_OK && !(status == ARCHIVE_WARN && isCharsetWarning()) {
            throw failure("archive_read_next_header")
        }
        return ArchiveEntry(
            rawPath: Self.bytes(archive_entry_pathname(entry)),
            kind: Self.kind(of: entry),
            size: archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : nil,
            isEncrypted: archive_entry_is_encrypted(entry) != 0,
            mode: UInt32(archive_entry_perm(entry))
        )
    }

    /// Reads the current entry's next block of data into `buffer`.
    /// - Returns: the number of bytes read; 0 at the end of the entry.
    /// - Throws: `ArchiveFailure` on damaged data: a bad CRC, a truncated archive, a missing
    ///   passphrase (warnings count as failures). The corresponding C function is `archive_read_data`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveFailure) -> Int {
        let count = archive_read_data(archive, buffer.baseAddress, buffer.count)
        guard count >= 0 else { throw failure("archive_read_data") }
        return count
    }

    /// Skips the rest of the current entry's data.
    /// The corresponding C function is `archive_read_data_skip`.
    func skipData() throws(ArchiveFailure) {
        try check("archive_read_data_skip", archive_read_data_skip(archive))
    }

    /// Bytes of the archive file consumed so far (for progress).
    var compressedBytesRead: Int64 { archive_filter_bytes(archive, -1) }

    /// The format libarchive detected, e.g. "ZIP 2.0 (deflation)" or "GNU tar format".
    var formatName: String {
        archive_format_name(archive).map { String(cString: $0) } ?? "unknown"
    }

    // MARK: - Helpers

    private func check(_ function: String, _ status: Int32) throws(ArchiveFailure) {
        if status != ARCHIVE_OK { throw failure(function) }
    }

    private func failure(_ function: String) -> ArchiveFailure {
        let message = archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
        return ArchiveFailure(function: function, message: message)
    }

    private func isCharsetWarning() -> Bool {
        guard let message = archive_error_string(archive) else { return false }
        let text = String(cString: message)
        return text.contains("cannot be converted") || text.contains("charset")
    }

    private static func registerFormats(_ archive: OpaquePointer) {
        archive_read_support_filter_all(archive)
        for register in [archive_read_support_format_7zip, archive_read_support_format_ar,
                         archive_read_support_format_cab, archive_read_support_format_cpio,
                         archive_read_support_format_iso9660, archive_read_support_format_lha,
                         archive_read_support_format_rar, archive_read_support_format_rar5,
                         archive_read_support_format_tar, archive_read_support_format_xar,
                         archive_read_support_format_zip_seekable] {
            _ = register(archive)
        }
    }

    private static func kind(of entry: OpaquePointer) -> ArchiveEntry.Kind {
        if let target = archive_entry_hardlink(entry) {
            return .hardLink(target: String(decoding: bytes(target), as: UTF8.self))
        }
        switch archive_entry_filetype(entry) {
        case dsprep_AE_IFREG: return .file
        case dsprep_AE_IFDIR: return .directory
        case dsprep_AE_IFLNK:
            let target = archive_entry_symlink(entry).map { String(decoding: bytes($0), as: UTF8.self) } ?? ""
            return .symbolicLink(target: target)
        case dsprep_AE_IFCHR: return .special("character device")
        case dsprep_AE_IFBLK: return .special("block device")
        case dsprep_AE_IFIFO: return .special("FIFO")
        case dsprep_AE_IFSOCK: return .special("socket")
        default: return .special("unknown entry type")
        }
    }

    private static func bytes(_ string: UnsafePointer<CChar>?) -> [UInt8] {
        guard let string else { return [] }
        return Array(UnsafeRawBufferPointer(start: string, count: strlen(string)))
    }

    /// libarchive converts entry names through the C library's locale; in the default "C"
    /// locale UTF-8 names fail to convert. Under C.UTF-8 they pass through unchanged and names
    /// in legacy encodings arrive as their raw bytes, which `EntryPath` then checks.
    private static let localeOnce: Void = { _ = setlocale(LC_CTYPE, "C.UTF-8") }()
    private static func useUTF8Locale() { _ = localeOnce }
}

/// A failure reported by libarchive: the C function and libarchive's own message.
public struct ArchiveFailure: Error, Equatable, CustomStringConvertible {
    public var function: String
    public var message: String
    public var description: String { message }
}

import Foundation

/// A regular file written to the staging folder, with the path it had in the archive.
public struct StagedFile: Sendable {
    /// The path inside the archive; entries of nested archives sit under a folder named after
    /// the nested archive (`train.zip` holding `train/cat.0.jpg` gives `train/train/cat.0.jpg`).
    public var path: EntryPath
    /// The archive chain and entry, for messages: `["dogs-vs-cats.zip", "train.zip", "train/cat.0.jpg"]`.
    public var source: [String]
    /// Where the bytes were written.
    public var stagedPath: String
    public var size: Int64
}

/// An entry that was read but not written, and why.
public struct LeftOutEntry: Sendable, Codable, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// How far an extraction has come, for progress displays.
public struct ExtractionProgress: Sendable {
    public var entries: Int
    public var bytesWritten: Int64
    /// Bytes of the outermost archive consumed so far, and its size (for an ETA).
    public var archiveBytesRead: Int64
    public var archiveBytesTotal: Int64
}

/// Extracts archives into a staging folder, safely.
///
/// Only regular files are written, each under a fresh numbered name in the staging folder
/// (so no stored name, link or permission from the archive ever reaches the file system);
/// the caller decides later where each file belongs. Links, devices and FIFOs are left out;
/// unsafe names, encrypted entries, damaged data and exceeded limits stop the extraction.
/// Archives inside the archive are opened too, up to `limits.maxDepth` levels.
public final class Extractor {
    /// Returns the reason to leave an entry out without writing it, or nil to write it.
    public var leaveOut: (EntryPath) -> String? = { _ in nil }
    /// Called for each file written, with its bytes when they fit in memory (64 MiB).
    public var onFile: (StagedFile, UnsafeRawBufferPointer?) -> Void = { _, _ in }
    public var onProgress: (ExtractionProgress) -> Void = { _ in }

    /// Entries read but not written, in archive order.
    public private(set) var leftOut: [LeftOutEntry] = []
    public private(set) var entriesRead = 0
    public private(set) var bytesWritten: Int64 = 0
    public private(set) var filesWritten = 0

    private let stagingFolder: String
    private let limits: ExtractionLimits
    private var buffer: UnsafeMutableRawBufferPointer
    private static let memoryLimit = 64 << 20
    private static let blockSize = 1 << 20
    private var outerProgress: (read: () -> Int64, total: Int64) = ({ 0 }, 0)

    public init(stagingFolder: String, limits: ExtractionLimits) {
        self.stagingFolder = stagingFolder
        self.limits = limits
        buffer = .allocate(byteCount: 4 << 20, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Extracts one archive file.
    /// - Parameters:
    ///   - path: the archive on disk.
    ///   - displayName: its name in messages and in the staged files' `source`.
    /// - Returns: the format libarchive detected.
    /// - Throws: `UnpackError` naming the archive (and entry) for anything that must stop the run,
    ///   including an archive with no entries at all (an empty download is never a success).
    @discardableResult
    public func extract(archive path: String, displayName: String) throws(UnpackError) -> String {
        let total = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        let entriesBefore = entriesRead
        let format = try extract(path: path, chain: [displayName], prefix: [], depth: 1, outerTotal: total)
        if entriesRead == entriesBefore {
            throw UnpackError(archive: [displayName], entry: nil, reason: .damaged("archive has no entries"))
        }
        return format
    }

    private func extract(path: String, chain: [String], prefix: [String], depth: Int,
                         outerTotal: Int64?) throws(UnpackError) -> String {
        let reader: ArchiveReader
        do {
            reader = try ArchiveReader(path: path)
        } catch {
            throw UnpackError(archive: chain, entry: nil, reason: .damaged(Self.explain(error.message, path: path)))
        }
        if let outerTotal { outerProgress = ({ reader.compressedBytesRead }, outerTotal) }
        var previous: String?
        while true {
            let entry: ArchiveEntry?
            do {
                entry = try reader.nextEntry()
            } catch {
                throw UnpackError(archive: chain, entry: previous.map { "after \($0)" },
                                  reason: .damaged(Self.explain(error.message, path: path)))
            }
            guard let entry else { break }
            entriesRead += 1
            let shownName = terminalEscaped(entry.rawPath)
            previous = shownName
            if entriesRead > limits.maxEntries {
                throw UnpackError(archive: chain, entry: shownName, reason: .tooManyEntries(limit: limits.maxEntries))
            }
            let entryPath: EntryPath
            do {
                entryPath = try EntryPath(raw: entry.rawPath)
            } catch {
                if entry.kind == .directory, error == .empty { continue }  // "./"
                throw UnpackError(archive: chain, entry: shownName, reason: .unsafeEntry(error))
            }
            let fullPath = EntryPath(components: prefix + entryPath.components)
            var staged = fullPath
            staged.notes = entryPath.notes
            try handle(entry, path: staged, shownName: shownName, reader: reader,
                       chain: chain, depth: depth)
            if entriesRead % 64 == 0 { reportProgress() }
        }
        reportProgress()
        return reader.formatName
    }

    private func handle(_ entry: ArchiveEntry, path: EntryPath, shownName: String, reader: ArchiveReader,
                        chain: [String], depth: Int) throws(UnpackError) {
        let display = path.description
        switch entry.kind {
        case .directory:
            return
        case .symbolicLink(let target):
            leftOut.append(LeftOutEntry(path: display, reason: "symbolic link to \(target) (links are never extracted)"))
            return
        case .hardLink(let target):
            leftOut.append(LeftOutEntry(path: display, reason: "hard link to \(target) (links are never extracted)"))
            return
        case .special(let kind):
            leftOut.append(LeftOutEntry(path: display, reason: "\(kind) (only regular files are extracted)"))
            return
        case .file:
            break
        }
        if let reason = leaveOut(path) {
            leftOut.append(LeftOutEntry(path: display, reason: reason))
            return
        }
        if entry.isEncrypted {
            throw UnpackError(archive: chain, entry: shownName, reason: .encrypted)
        }
        let nested = NestedArchive(name: path.name)
        if nested != nil && depth >= limits.maxDepth {
            leftOut.append(LeftOutEntry(path: display, reason: "archive nested more than \(limits.maxDepth) levels deep (see --max-depth)"))
            return
        }
        if let declared = entry.size, declared > limits.maxBytes - bytesWritten {
            throw UnpackError(archive: chain, entry: shownName, reason: .tooManyBytes(limit: limits.maxBytes))
        }
        filesWritten += 1
        let stagedPath = stagingFolder + "/" + String(filesWritten)
        let (size, inMemory) = try write(from: reader, to: stagedPath, chain: chain, entry: shownName,
                                         sizeHint: entry.size)
        if let nested {
            let folder = Array(path.components.dropLast()) + [nested.stem]
            _ = try extract(path: stagedPath, chain: chain + [shownName], prefix: folder, depth: depth + 1, outerTotal: nil)
            unlink(stagedPath)
            return
        }
        let file = StagedFile(path: path, source: chain + [shownName], stagedPath: stagedPath, size: size)
        onFile(file, inMemory ? UnsafeRawBufferPointer(rebasing: buffer[0..<Int(size)]) : nil)
    }

    /// Copies the current entry's data to `stagedPath`, enforcing the byte limit block by block.
    /// - Returns: the size, and whether all the bytes are still in `buffer`.
    private func write(from reader: ArchiveReader, to stagedPath: String, chain: [String], entry: String,
                       sizeHint: Int64?) throws(UnpackError) -> (Int64, Bool) {
        let fd = open(stagedPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw UnpackError(archive: chain, entry: entry, reason: .cannotWrite("\(stagedPath): \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }
        if let sizeHint, sizeHint < Self.memoryLimit { reserve(Int(sizeHint) + Self.blockSize) }
        var used = 0           // bytes held in `buffer`
        var total: Int64 = 0
        var inMemory = true
        while true {
            reserve(used + Self.blockSize)
            let count: Int
            do {
                count = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[used..<used + Self.blockSize]))
            } catch {
                throw UnpackError(archive: chain, entry: entry, reason: .damaged(error.message))
            }
            if count == 0 { break }
            total += Int64(count)
            if bytesWritten + total > limits.maxBytes {
                throw UnpackError(archive: chain, entry: entry, reason: .tooManyBytes(limit: limits.maxBytes))
            }
            used += count
            if used >= Self.memoryLimit {  // too big to keep: stream the rest to disk
                try writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<used]), chain: chain, entry: entry)
                used = 0
                inMemory = false
            }
        }
        try writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<used]), chain: chain, entry: entry)
        bytesWritten += total
        return (total, inMemory)
    }

    private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, chain: [String], entry: String) throws(UnpackError) {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw UnpackError(archive: chain, entry: entry, reason: .cannotWrite(String(cString: strerror(errno))))
            }
            offset += written
        }
    }

    private func reserve(_ capacity: Int) {
        guard capacity > buffer.count else { return }
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, buffer.count * 2), alignment: 64)
        bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
        buffer.deallocate()
        buffer = bigger
    }

    private func reportProgress() {
        onProgress(ExtractionProgress(entries: entriesRead, bytesWritten: bytesWritten,
                                      archiveBytesRead: outerProgress.read(), archiveBytesTotal: outerProgress.total))
    }

    /// Whether a file name promises an archive that `extract` opens too (`train.zip`, `x.tar.gz`).
    public static func looksLikeArchive(_ name: String) -> Bool { NestedArchive(name: name) != nil }

    /// Turns libarchive's terse open errors into what happened, in the user's words.
    static func explain(_ message: String, path: String) -> String {
        guard message.contains("Unrecognized archive format") else { return message }
        guard let handle = FileHandle(forReadingAtPath: path) else { return message }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: 4)
        if head.isEmpty { return "empty file (0 bytes), not an archive" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return "zip without a central directory (truncated or damaged download)"
        }
        if head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return "zip archive with no entries" }
        return "not an archive that libarchive can read (\(message))"
    }
}

/// A file name that promises an archive (`train.zip`, `photos.tar.gz`), and its stem.
struct NestedArchive {
    static let suffixes = [".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz", ".tbz2", ".txz",
                           ".tzst", ".zip", ".tar", ".7z", ".rar"]
    var stem: String

    init?(name: String) {
        let lower = name.lowercased()
        guard let suffix = Self.suffixes.first(where: { lower.hasSuffix($0) && lower.count > $0.count }) else {
            return nil
        }
        stem = String(name.dropLast(suffix.count))
    }
}

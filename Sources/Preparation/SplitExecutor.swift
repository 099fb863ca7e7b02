import Dataset
import Foundation

/// Carries out a split plan, one image at a time, so that it can be interrupted anywhere and
/// finished by running it again.
///
/// Every step is atomic and never replaces an existing file, and whether a step was done can be
/// read off the disk:
/// - move: `rename` with `RENAME_NOREPLACE`. Done when the destination exists; the planner never
///   gives an image a destination that is any image's current path, so a destination that
///   exists is this image.
/// - copy: copy to a hidden `.dsprep-part-<name>` beside the destination, then rename it into
///   place; a half-written part is deleted and copied again.
/// - hardlink / symlink: `link` / `symlink` (to the source's absolute path) create the name
///   atomically.
/// An image found in neither place is reported as missing, never invented.
struct SplitExecutor {
    /// The data folder (sources).
    let source: String
    /// The folder the split goes into (destinations): the data folder, or `--out`.
    let target: String
    let mode: SplitMode

    enum Outcome: Equatable {
        /// Was already in place (an earlier, interrupted run did it, or it stays where it is).
        case alreadyDone
        case done
        /// Neither at its source nor at its destination.
        case missing
    }

    private var madeFolders = Set<String>()

    init(source: String, target: String, mode: SplitMode) {
        self.source = source
        self.target = target
        self.mode = mode
    }

    /// Places one image.
    /// - Throws: `SplitError.io` when the file system refuses (permissions, a full disk, a hard
    ///   link across file systems).
    mutating func place(_ record: SplitRecord) throws -> Outcome {
        let from = source + "/" + (record.from ?? record.path)
        let to = target + "/" + record.path
        if mode == .move && record.from == record.path {
            return exists(to) ? .alreadyDone : .missing
        }
        if mode == .move {
            // One system call in the usual case; the checks only when it fails.
            try makeFolder(parentFolder(to))
            if try renameNoReplace(from, to) { return .done }
            return exists(to) ? .alreadyDone : .missing
        }
        if exists(to) { return .alreadyDone }
        guard exists(from) else { return .missing }
        try makeFolder(parentFolder(to))
        switch mode {
        case .move:
            break
        case .copy:
            let part = parentFolder(to) + "/.dsprep-part-" + (to as NSString).lastPathComponent
            unlink(part)
            try copyFile(from, part)
            if try !renameNoReplace(part, to) { throw failure(part, "cannot move to \(to)") }
        case .hardlink:
            if link(from, to) != 0 { throw failure(to, "cannot hard-link to \(from)", hint: errno == EXDEV ? " (another file system: use --mode copy or symlink)" : "") }
        case .symlink:
            let absolute = from.hasPrefix("/") ? from : FileManager.default.currentDirectoryPath + "/" + from
            if symlink(absolute, to) != 0 { throw failure(to, "cannot make a symbolic link to \(absolute)") }
        }
        return .done
    }

    private func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private mutating func makeFolder(_ folder: String) throws {
        guard !madeFolders.contains(folder) else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw SplitError.io(folder, "cannot create folder: \(error.localizedDescription)")
        }
        madeFolders.insert(folder)
    }

    private func failure(_ path: String, _ what: String, hint: String = "") -> SplitError {
        .io(path, "\(what): \(String(cString: strerror(errno)))\(hint)")
    }

    /// `rename` that never replaces an existing file: `renameat2(RENAME_NOREPLACE)` where the
    /// kernel and file system have it, else a check followed by `rename`.
    /// - Returns: false, with nothing changed, when `to` exists or `from` does not.
    private func renameNoReplace(_ from: String, _ to: String) throws -> Bool {
        if let renameat2 = Self.renameat2 {
            if renameat2(AT_FDCWD, from, AT_FDCWD, to, 1 /* RENAME_NOREPLACE */) == 0 { return true }
            if errno == EEXIST || errno == ENOENT { return false }
            if errno != EINVAL && errno != ENOSYS { throw failure(from, "cannot move to \(to)") }
        }
        if exists(to) || !exists(from) { return false }
        if Foundation.rename(from, to) != 0 { throw failure(from, "cannot move to \(to)") }
        return true
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// Glibc 2.28+ has it, but its module map hides it (a GNU extension); macOS does not.
    private static let renameat2: RenameAt2? = {
        guard let symbol = dlsym(nil, "renameat2") else { return nil }  // nil: RTLD_DEFAULT on glibc
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Copies `from` to a new file `to` (mode 0644), in 1 MiB blocks.
    private func copyFile(_ from: String, _ to: String) throws {
        let input = open(from, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure(from, "cannot read") }
        defer { close(input) }
        let output = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw failure(to, "cannot create") }
        defer { close(output) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(from, "cannot read")
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = write(output, buffer.baseAddress! + offset, count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure(to, "cannot write")
                }
                offset += written
            }
        }
    }
}

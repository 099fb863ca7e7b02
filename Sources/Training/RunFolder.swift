import Foundation

/// `runs/<name>/`: what one training run leaves behind.
///
///     options.json             the run's options, written first (what --resume reads)
///     checkpoint.safetensors   after every epoch: weights, optimiser state, random streams,
///                              trainer state (epoch, history, best epoch, schedule, patience)
///     history.csv, curves.svg  after every epoch
///     model.safetensors        the best epoch's weights (lowest val_loss; the last epoch's
///     model.json               without a validation split) and its model card
///
/// Every file is written under a temporary name in the folder, fsynced and renamed into place,
/// so a run killed at any moment leaves each file whole: the old version or the new one.
public struct RunFolder: Sendable, Equatable {
    public static let optionsFileName = "options.json"
    public static let checkpointFileName = "checkpoint.safetensors"
    /// Where new runs go when no folder is named.
    public static let defaultParent = "runs"

    /// The folder's path as given (`runs/run-001`), without a trailing slash.
    public let path: String

    public init(path: String) {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.path = path
    }

    public var optionsPath: String { path + "/" + Self.optionsFileName }
    public var checkpointPath: String { path + "/" + Self.checkpointFileName }
    public var historyPath: String { path + "/" + History.fileName }
    public var curvesPath: String { path + "/" + Curves.fileName }
    public var weightsPath: String { path + "/" + ModelCard.weightsFileName }
    public var cardPath: String { path + "/" + ModelCard.fileName }

    /// Claims the next free `run-NNN` folder in `parent` (one above the highest number there,
    /// from `run-001`), creating it; a folder created at the same moment by another run is
    /// skipped.
    /// - Throws: `FileError` when `parent` cannot be created or read.
    public static func next(in parent: String = defaultParent) throws -> RunFolder {
        let manager = FileManager.default
        try makeFolders(parent)
        let names = (try? manager.contentsOfDirectory(atPath: parent)) ?? []
        var number = names.compactMap { name -> Int? in
            guard name.hasPrefix("run-") else { return nil }
            return Int(name.dropFirst(4))
        }.max() ?? 0
        while true {
            number += 1
            let folder = RunFolder(path: parent + "/" + "run-" + (number < 1000 ? String(format: "%03d", number) : String(number)))
            if mkdir(folder.path, 0o755) == 0 { return folder }
            guard errno == EEXIST else {
                throw FileError(path: folder.path, reason: "cannot create the folder: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Creates the folder named by `--out`: new, or existing and empty.
    /// - Throws: `FileError` when it holds files already (another run's, say).
    public static func create(_ path: String) throws -> RunFolder {
        let folder = RunFolder(path: path)
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw FileError(path: folder.path, reason: "not a folder") }
            let entries = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            if entries.contains(optionsFileName) {
                throw FileError(path: folder.path, reason: "holds a run already: continue it with --resume \(folder.path), or name a new folder with --out")
            }
            guard entries.isEmpty else {
                throw FileError(path: folder.path, reason: "is not empty: name a new folder with --out")
            }
            return folder
        }
        try makeFolders(folder.path)
        return folder
    }

    /// Writes `data` to `<folder>/<name>` crash-safely: `<name>.tmp`, fsync, rename, fsync the folder.
    /// - Throws: `FileError` naming the file and the step that failed.
    public func write(_ data: Data, to name: String) throws {
        let target = path + "/" + name, temporary = target + ".tmp"
        func failure(_ what: String) -> FileError {
            FileError(path: target, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(temporary)") }
        var ok = data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        if ok && fsync(fd) != 0 { ok = false }
        let error = failure("cannot write")
        close(fd)
        guard ok else {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, target) == 0 else {
            let error = failure("cannot rename \(temporary) into place")
            unlink(temporary)
            throw error
        }
        let folderFD = open(path, O_RDONLY | O_CLOEXEC)
        if folderFD >= 0 {
            fsync(folderFD)
            close(folderFD)
        }
    }

    /// Writes `text` as UTF-8 to `<folder>/<name>`, crash-safely.
    public func write(_ text: String, to name: String) throws {
        try write(Data(text.utf8), to: name)
    }

    /// `mkdir -p`, with the system's reason when it fails.
    static func makeFolders(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw FileError(path: path, reason: "not a folder") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeFolders(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw FileError(path: path, reason: "cannot create the folder: \(String(cString: strerror(errno)))")
        }
    }
}


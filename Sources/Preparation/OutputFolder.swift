import Foundation

/// The folder a command writes its results into, made safe against interruption.
///
/// Work happens in a hidden staging folder inside it (`.dsprep-unpack/`). When the new tree is
/// complete, a journal names every top-level entry about to move in; the entries are renamed into
/// place; the report is renamed in last. Killed at any point, the folder holds either the old
/// state plus staging, or a journal that lets the next run undo the half-finished move, so a
/// re-run always starts clean and a folder without its report is never presented as complete.
///
/// The journal and the report are flushed to disk (fsync) before they are renamed; the data
/// files are not, one by one or with `syncfs`: like tar and unzip, dsprep leaves their write-back
/// to the kernel (a full flush doubled the time of a 25,000-image unpack, see Benchmarks/). A kill
/// or Ctrl-C loses nothing; after a power cut during or just after an unpack, run it again.
struct OutputFolder {
    let path: String
    let reportName: String
    let commandName: String
    var staging: String { path + "/.dsprep-\(commandName)" }
    private var journal: String { staging + "/moving.json" }

    typealias Problem = OutputFolderError
}

extension OutputFolder {
    /// Checks the folder, recovers from an interrupted run, and creates an empty staging folder.
    /// - Returns: the existing entries that will be replaced (only with `force`).
    func prepare(force: Bool) throws -> [String] {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
            throw Problem.notAFolder(path)
        }
        if files.fileExists(atPath: staging) { try recover() }
        let existing = ((try? files.contentsOfDirectory(atPath: path)) ?? []).filter { $0 != (staging as NSString).lastPathComponent }
        if !existing.isEmpty {
            let madeByDSPrep = existing.contains(reportName)
            guard force && madeByDSPrep else { throw Problem.notEmpty(path, madeByDSPrep: madeByDSPrep) }
        }
        try createFolder(staging)
        return existing.sorted()
    }

    /// Moves the finished tree in `staging/tree` into place, replacing `old` entries, then
    /// writes the report (already encoded) last and removes the staging folder.
    func commit(tree: String, replacing old: [String], report: Data) throws {
        let files = FileManager.default
        let newEntries = try files.contentsOfDirectory(atPath: tree).sorted()
        let reportTemp = staging + "/report.json.tmp"
        try write(report, to: reportTemp)
        try write(try JSONEncoder().encode(newEntries + [reportName]), to: journal)
        let trash = staging + "/replaced"
        if !old.isEmpty { try createFolder(trash) }
        for name in old { try rename(path + "/" + name, trash + "/" + name) }
        for name in newEntries { try rename(tree + "/" + name, path + "/" + name) }
        try rename(reportTemp, path + "/" + reportName)
        unlink(journal)
        try? files.removeItem(atPath: staging)
    }

    /// Removes what an interrupted run left: the staging folder, and the entries that a
    /// half-finished commit had already moved in (named by its journal).
    func recover() throws {
        if let data = FileManager.default.contents(atPath: journal),
           let names = try? JSONDecoder().decode([String].self, from: data) {
            for name in names where !name.isEmpty && !name.contains("/") && name != ".." {
                try? FileManager.default.removeItem(atPath: path + "/" + name)
            }
        }
        do {
            try FileManager.default.removeItem(atPath: staging)
        } catch {
            throw Problem.io(staging, "cannot remove what an interrupted run left: \(error.localizedDescription)")
        }
    }

    func createFolder(_ folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw Problem.io(folder, "cannot create folder: \(error.localizedDescription)")
        }
    }

    func rename(_ from: String, _ to: String) throws {
        if Foundation.rename(from, to) != 0 {
            throw Problem.io(from, "cannot move to \(to): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `data` to `file` and flushes it to disk.
    func write(_ data: Data, to file: String) throws {
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Problem.io(file, String(cString: strerror(errno))) }
        defer { close(fd) }
        let ok = data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 { if errno == EINTR { continue }; return false }
                offset += written
            }
            return fsync(fd) == 0
        }
        if !ok { throw Problem.io(file, String(cString: strerror(errno))) }
    }
}

/// A folder that a command cannot write its results into.
public enum OutputFolderError: Error, CustomStringConvertible {
    case notAFolder(String)
    case notEmpty(String, madeByDSPrep: Bool)
    case io(String, String)

    public var description: String {
        switch self {
        case .notAFolder(let path):
            "\(path): exists and is not a folder"
        case .notEmpty(let path, true):
            "\(path): already holds the output of an earlier run; add --force to replace it"
        case .notEmpty(let path, false):
            "\(path): folder is not empty and was not written by dsprep; choose a new or empty --out folder"
        case .io(let path, let reason):
            "\(path): \(reason)"
        }
    }
}

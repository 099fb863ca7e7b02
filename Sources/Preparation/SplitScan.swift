import Dataset
import Foundation
import Imaging

/// The images in a data folder, found by walking it (no file is opened).
///
/// - `data/<class>/...`: pooled images of `<class>` (any depth below the class folder).
/// - `data/<split>/<class>/...`, where `<split>` is a name `Split.recognise` knows: images
///   already in that split. Class folders beside split folders are pooled too.
/// - Left where they are, and listed: `unlabeled/`, `.quarantine/`, files outside class folders,
///   files whose extension says they are not images, symbolic links to folders.
///   Junk (`Junk.reason`: `.DS_Store`, `Thumbs.db`, hidden files) is listed as junk.
/// - dsprep's own files are skipped: `split.csv`, `split-report.json`, `unpack-report.json`
///   (listed), the `.dsprep-split/` state folder.
struct SplitScan {
    struct File: Equatable {
        /// Relative to the data folder.
        var path: String
        /// The split folder it is in, or nil for a class folder directly in the data folder.
        var split: Split?
        var label: String
        /// The path below the class folder (`1.jpg`, or `sub/1.jpg`).
        var rest: String
        var key: String { label + "/" + rest }
    }

    static let stateFolder = ".dsprep-split"
    static let csvName = "split.csv"
    static let reportName = "split-report.json"

    var files: [File] = []
    var left: [SplitReport.Left] = []
    /// Split folders holding at least one image.
    var splits: Set<Split> = []

    var hasLooseClasses: Bool { files.contains { $0.split == nil } }

    /// Walks `data`.
    /// - Throws: `SplitError.noDataFolder` when `data` is not a folder.
    static func scan(_ data: String) throws -> SplitScan {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isFolder), isFolder.boolValue else {
            throw SplitError.noDataFolder(data)
        }
        var scan = SplitScan()
        for entry in entries(data) {
            let path = entry.name
            switch entry.kind {
            case .file:
                if [csvName, reportName].contains(entry.name) { continue }
                let reason = entry.name == Unpacker.reportName ? "unpack's report" : Junk.reason(for: [entry.name]) ?? "not in a class folder"
                scan.left.append(.init(path: path, reason: reason))
            case .folder where entry.name == stateFolder:
                continue
            case .folder where entry.name == Unpacker.quarantineName:
                scan.left.append(.init(path: path + "/", files: countFiles(data + "/" + path), reason: "quarantined by unpack; never split"))
            case .folder where entry.name == "unlabeled":
                scan.left.append(.init(path: path + "/", files: countFiles(data + "/" + path), reason: "unlabelled images are never split"))
            case .folder where Junk.reason(for: [entry.name, ""]) != nil:
                scan.left.append(.init(path: path + "/", files: countFiles(data + "/" + path), reason: Junk.reason(for: [entry.name, ""]) ?? "junk"))
            case .folder:
                if let split = Split.recognise(entry.name) {
                    for inner in entries(data + "/" + path) {
                        let innerPath = path + "/" + inner.name
                        switch inner.kind {
                        case .folder where Junk.reason(for: [inner.name, ""]) == nil:
                            scan.walkClass(data, folder: innerPath, split: split, label: inner.name)
                        default:
                            scan.leave(data, innerPath, inner, otherwise: "not in a class folder")
                        }
                    }
                } else {
                    scan.walkClass(data, folder: path, split: nil, label: entry.name)
                }
            case .other:
                scan.leave(data, path, entry, otherwise: "not a file or folder")
            }
        }
        scan.left.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return scan
    }

    /// Adds the images below `folder` (relative) to `split`/`label`.
    private mutating func walkClass(_ data: String, folder: String, split: Split?, label: String) {
        var pending = [(folder, "")]  // (path relative to data, path below the class folder)
        while let (current, below) = pending.popLast() {
            for entry in Self.entries(data + "/" + current).reversed() {
                let path = current + "/" + entry.name
                let rest = below.isEmpty ? entry.name : below + "/" + entry.name
                if let junk = Junk.reason(for: rest.split(separator: "/").map(String.init) + (entry.kind == .folder ? [""] : [])) {
                    left.append(.init(path: path + (entry.kind == .folder ? "/" : ""), reason: junk))
                    continue
                }
                switch entry.kind {
                case .folder:
                    pending.append((path, rest))
                case .file:
                    let ext = (entry.name as NSString).pathExtension.lowercased()
                    if !ext.isEmpty && !ImageFormat.imageExtensions.contains(ext) {
                        left.append(.init(path: path, reason: "not an image file (.\(ext))"))
                    } else {
                        files.append(File(path: path, split: split, label: label, rest: rest))
                        if let split { splits.insert(split) }
                    }
                case .other:
                    leave(data, path, entry, otherwise: "not a file or folder")
                }
            }
        }
    }

    private mutating func leave(_ data: String, _ path: String, _ entry: Entry, otherwise reason: String) {
        switch entry.kind {
        case .folder: left.append(.init(path: path + "/", files: Self.countFiles(data + "/" + path), reason: reason))
        case .file: left.append(.init(path: path, reason: Junk.reason(for: [entry.name]) ?? reason))
        case .other: left.append(.init(path: path, reason: entry.isLink ? "symbolic link to a folder (not followed)" : reason))
        }
    }

    struct Entry {
        enum Kind { case file, folder, other }
        var name: String
        var kind: Kind
        var isLink = false
    }

    /// A folder's entries sorted by name (byte order). A symbolic link to a file counts as a file;
    /// a link to a folder is `.other` (not followed, so nothing is visited twice).
    static func entries(_ folder: String) -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { name in
            var info = stat()
            guard lstat(folder + "/" + name, &info) == 0 else { return Entry(name: name, kind: .other) }
            switch info.st_mode & S_IFMT {
            case S_IFREG: return Entry(name: name, kind: .file)
            case S_IFDIR: return Entry(name: name, kind: .folder)
            case S_IFLNK:
                var target = stat()
                let isFile = stat(folder + "/" + name, &target) == 0 && (target.st_mode & S_IFMT) == S_IFREG
                return Entry(name: name, kind: isFile ? .file : .other, isLink: true)
            default: return Entry(name: name, kind: .other)
            }
        }
    }

    /// Files anywhere below `folder`.
    static func countFiles(_ folder: String) -> Int {
        var count = 0
        var pending = [folder]
        while let current = pending.popLast() {
            for entry in entries(current) {
                if entry.kind == .folder { pending.append(current + "/" + entry.name) } else { count += 1 }
            }
        }
        return count
    }
}

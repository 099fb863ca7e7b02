import Dataset
import Foundation
import Imaging

/// A file that `dsprep shapes` reads: where it is and which class it belongs to.
struct SurveyCandidate: Sendable, Equatable {
    /// The path relative to the data folder, `/`-separated.
    var path: String
    /// The class: see `SurveyWalker.label(of:)`.
    var label: String
}

/// What a walk of the data folder found.
struct SurveyListing: Sendable {
    /// Files with an image extension (or none), sorted by path (byte order of UTF-8).
    var candidates: [SurveyCandidate] = []
    /// Junk files (`Junk.reason`), not read.
    var junkFiles = 0
    /// Files whose extension is not an image format's, not read.
    var nonImageFiles = 0
    /// Folders not entered: hidden ones (`.quarantine/`, where unpack puts bad images) and
    /// `__MACOSX/`, relative to the data folder, sorted.
    var skippedFolders: [String] = []
    /// Folders and entries that could not be listed or examined, with the reason.
    var problems: [ShapeReport.FileNote] = []
}

/// Lists the files of a data folder, recursively, in a fixed order, and decides for each one
/// whether it is surveyed.
///
/// - Folders whose name is junk (`__MACOSX`, anything starting with `.`, so `.quarantine/`
///   and dsprep's staging folders) are not entered.
/// - Junk files (`._x.jpg`, `.DS_Store`, `Thumbs.db`, `desktop.ini`) are counted and skipped.
/// - Files whose extension is not in `ImageFormat.imageExtensions` are counted and skipped;
///   files with no extension are surveyed, because `unpack` keeps images that have none.
/// - Symbolic links are followed (split's `--mode symlink` makes them); a folder reached twice
///   (a link loop) is entered once.
enum SurveyWalker {
    /// The label of files that are not in a class folder.
    static let unlabeled = "unlabeled"

    /// Lists `root`.
    /// - Throws: `ShapeSurveyError` when `root` is missing, not a folder, or cannot be listed.
    static func list(_ root: String) throws -> SurveyListing {
        var info = stat()
        guard stat(root, &info) == 0 else {
            throw ShapeSurveyError(path: root, reason: errno == ENOENT ? "no such folder" : Self.errorText())
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw ShapeSurveyError(path: root, reason: "not a folder") }
        guard let top = opendir(root) else { throw ShapeSurveyError(path: root, reason: Self.errorText()) }
        var listing = SurveyListing()
        var visited: Set<FolderID> = [FolderID(info)]
        walk(top, root: root, relative: [], into: &listing, visited: &visited)
        listing.candidates.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        listing.skippedFolders.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        listing.problems.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return listing
    }

    /// The class of a file at `components` (relative to the data folder): the first folder, or
    /// the second when the first is a split (`train/cat/1.jpg` -> `cat`); `unlabeled` for a
    /// file with no class folder (`1.jpg`, `train/1.jpg`).
    static func label(of components: [String]) -> String {
        var folders = components.dropLast()
        if let first = folders.first, Split.recognise(first) != nil { folders = folders.dropFirst() }
        return folders.first ?? unlabeled
    }

    /// Identifies a folder, to enter each one once.
    private struct FolderID: Hashable {
        var device: UInt64
        var inode: UInt64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// Reads the open folder `folder` (closing it), then walks its subfolders in name order.
    private static func walk(_ folder: OpaquePointer, root: String, relative: [String],
                             into listing: inout SurveyListing, visited: inout Set<FolderID>) {
        let path = ([root] + relative).joined(separator: "/")
        var entries: [(name: String, type: Int32)] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            entries.append((name, Int32(entry.pointee.d_type)))
        }
        closedir(folder)
        entries.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }

        for (name, type) in entries {
            let components = relative + [name]
            let entryPath = path + "/" + name
            var isFolder = type == Int32(DT_DIR)
            var isFile = type == Int32(DT_REG)
            var info = stat()
            if !isFolder && !isFile {  // a link, or a file system that does not give types
                guard stat(entryPath, &info) == 0 else {
                    listing.problems.append(.init(path: components.joined(separator: "/"), reason: "cannot read: \(errorText())"))
                    continue
                }
                isFolder = info.st_mode & S_IFMT == S_IFDIR
                isFile = info.st_mode & S_IFMT == S_IFREG
            }
            if isFolder {
                // A single component is judged as a name: hidden names and __MACOSX are junk.
                if Junk.reason(for: [name]) != nil {
                    listing.skippedFolders.append(components.joined(separator: "/"))
                    continue
                }
                guard stat(entryPath, &info) == 0, visited.insert(FolderID(info)).inserted else { continue }
                guard let subfolder = opendir(entryPath) else {
                    listing.problems.append(.init(path: components.joined(separator: "/"), reason: "cannot list folder: \(errorText())"))
                    continue
                }
                walk(subfolder, root: root, relative: components, into: &listing, visited: &visited)
            } else if isFile {
                if Junk.reason(for: components) != nil {
                    listing.junkFiles += 1
                    continue
                }
                let ext = pathExtension(name)
                guard ext.isEmpty || ImageFormat.imageExtensions.contains(ext) else {
                    listing.nonImageFiles += 1
                    continue
                }
                listing.candidates.append(SurveyCandidate(path: components.joined(separator: "/"), label: label(of: components)))
            }
            // Devices, sockets and pipes are not data and are passed over.
        }
    }

    /// The extension of a file name, lower case, without the dot; empty when there is none
    /// (a leading dot does not start an extension).
    static func pathExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    /// The text of the error in `errno`.
    static func errorText() -> String {
        String(cString: strerror(errno))
    }
}

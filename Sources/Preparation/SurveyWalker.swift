import Dataset
import Foundation
import Imaging

/// A file that `dsprep shapes` reads.
struct SurveyCandidate: Sendable {
    /// Index into `SurveyListing.folders`.
    var folder: Int
    /// Index into `SurveyListing.labels`.
    var label: Int
    /// The file's name in its folder.
    var name: String
    /// The folder's path as given to the walk (data folder + relative folder), shared by the
    /// candidates of one folder.
    var folderPath: String
    /// The format the extension promises; nil for an unknown extension or none.
    var expected: ImageFormat?
    var hasExtension: Bool
}

/// What a walk of the data folder found.
struct SurveyListing: Sendable {
    /// Folders holding candidates, relative to the data folder, each ending in `/` (the data
    /// folder itself is ""), in walk order.
    var folders: [String] = []
    /// Class labels, in the order first met.
    var labels: [String] = []
    /// Files with an image extension (or none), in the order found (see `SurveyWalker`);
    /// empty when the walk handed them to a `publish` function instead.
    var candidates: [SurveyCandidate] = []
    /// Junk files (`Junk.reason`), not read.
    var junkFiles = 0
    /// Files whose extension is not an image format's, not read.
    var nonImageFiles = 0
    /// Folders not entered: hidden ones (`.quarantine`, where unpack puts bad images, and
    /// dsprep's staging folders) and `__MACOSX`, relative to the data folder, sorted.
    var skippedFolders: [String] = []
    /// Entries that could not be listed or examined, with the reason, sorted by path.
    var problems: [ShapeReport.FileNote] = []

    /// The path of `candidate` relative to the data folder.
    func path(of candidate: SurveyCandidate) -> String {
        folders[candidate.folder] + candidate.name
    }

    /// The candidates sorted by path (`SurveyWalker.precedes`): the same order on every
    /// machine and file system.
    func sortedByPath() -> [SurveyCandidate] {
        candidates.map { (path(of: $0), $0) }.sorted { SurveyWalker.precedes($0.0, $1.0) }.map(\.1)
    }
}

/// Lists the files of a data folder, recursively, and decides for each one whether it is
/// surveyed.
///
/// Files are handed out in the order the file system lists them, as soon as they are found,
/// so that reading headers starts at once: nothing the survey reports depends on that order
/// (it counts, and sorts every list it reports). `sortedByPath()` gives the fixed order that
/// `--sample` draws from.
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

    /// How many new candidates the walk gathers before publishing them.
    static let batch = 256

    /// Lists `root`. The candidates are kept in the listing or, when `publish` is given, handed
    /// to it in batches as they are found (so that their headers can be read while the walk
    /// goes on), and not kept.
    /// - Throws: `ShapeSurveyError` when `root` is missing, not a folder, or cannot be listed.
    static func list(_ root: String, publish: (([SurveyCandidate]) -> Void)? = nil) throws -> SurveyListing {
        var info = stat()
        guard stat(root, &info) == 0 else {
            throw ShapeSurveyError(path: root, reason: errno == ENOENT ? "no such folder" : errorText())
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw ShapeSurveyError(path: root, reason: "not a folder") }
        guard let top = opendir(root) else { throw ShapeSurveyError(path: root, reason: errorText()) }
        var walk = Walk(root: root)
        walk.visited.insert(FolderID(info))
        walk.list(top, relative: [], publish: publish)
        walk.publishPending(publish)
        walk.listing.skippedFolders.sort { precedes($0, $1) }
        walk.listing.problems.sort { precedes($0.path, $1.path) }
        return walk.listing
    }

    /// The class of a file at `components` (relative to the data folder): the first folder, or
    /// the second when the first is a split (`train/cat/1.jpg` -> `cat`); `unlabeled` for a
    /// file with no class folder (`1.jpg`, `train/1.jpg`).
    static func label(of components: [String]) -> String {
        label(ofFolder: Array(components.dropLast()))
    }

    /// The class of the files in the folder at `folders` (relative to the data folder).
    static func label(ofFolder folders: [String]) -> String {
        var folders = folders[...]
        if let first = folders.first, Split.recognise(first) != nil { folders = folders.dropFirst() }
        return folders.first ?? unlabeled
    }

    /// The extension of a file name, lower case, without the dot; empty when there is none
    /// (a leading dot does not start an extension).
    static func pathExtension(_ name: String) -> String {
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")), dot != name.startIndex else { return "" }
        let ext = name[name.utf8.index(after: dot)...]
        return ext.utf8.contains { (0x41...0x5A).contains($0) || $0 >= 0x80 } ? ext.lowercased() : String(ext)
    }

    /// Whether `Junk.reason` should be asked about the file name `name`: false only for
    /// ASCII names that cannot be junk, which neither start with `.` (hidden files,
    /// `.DS_Store`, `._x.jpg`) or `_` (`__MACOSX`) nor could be `Thumbs.db` or `desktop.ini`
    /// in any case (by length and first letter). The walk asks for every file, and nearly all
    /// are not junk.
    static func mayBeJunk(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, first != UInt8(ascii: "."), first != UInt8(ascii: "_") else { return true }
        let letter = first | 0x20  // ASCII lower case
        if utf8.count == "thumbs.db".utf8.count && letter == UInt8(ascii: "t") { return true }
        if utf8.count == "desktop.ini".utf8.count && letter == UInt8(ascii: "d") { return true }
        return utf8.contains { $0 >= 0x80 }  // a non-ASCII letter may lower-case to an ASCII one
    }

    /// `ImageFormat.expected(forExtension:)` as one dictionary look-up: the walk asks for
    /// every file.
    static let formatByExtension: [String: ImageFormat] = Dictionary(
        ImageFormat.allCases.flatMap { format in format.extensions.map { ($0, format) } }, uniquingKeysWith: { first, _ in first })

    /// Whether path `lhs` sorts before `rhs`: by Unicode scalars (byte order for the NFC
    /// names `unpack` writes), ties between canonically equivalent names broken by bytes.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs != rhs ? lhs < rhs : lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    /// The text of the error in `errno`.
    static func errorText() -> String {
        String(cString: strerror(errno))
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

    /// The state of one walk.
    private struct Walk {
        let root: String
        var listing = SurveyListing()
        var visited: Set<FolderID> = []
        var labelIndex: [String: Int] = [:]
        /// The last extension looked up and its format: files of one folder mostly share one.
        var lastExtension: (ext: String, format: ImageFormat?) = ("", nil)

        /// Where `d_name` lies in a `dirent`.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19

        init(root: String) {
            self.root = root
        }

        /// Handles the entries of the open folder `folder` as they are read, closes it, then
        /// walks its sub-folders.
        mutating func list(_ folder: OpaquePointer, relative: [String], publish: (([SurveyCandidate]) -> Void)?) {
            let prefix = relative.isEmpty ? "" : relative.joined(separator: "/") + "/"
            let path = prefix.isEmpty ? root : root + "/" + prefix.dropLast()
            var folderIndex: Int?
            let label = self.label(for: relative)
            var subfolders: [String] = []
            while let entry = readdir(folder) {
                // d_name is a NUL-terminated array of CChar; invalid UTF-8 is repaired with U+FFFD.
                let name = String(cString: UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self))
                if name == "." || name == ".." { continue }
                var isFolder = Int(entry.pointee.d_type) == Int(DT_DIR)
                var isFile = Int(entry.pointee.d_type) == Int(DT_REG)
                if !isFolder && !isFile {  // a link, or a file system that does not give types
                    var info = stat()
                    guard stat(path + "/" + name, &info) == 0 else {
                        listing.problems.append(.init(path: prefix + name, reason: "cannot read: \(errorText())"))
                        continue
                    }
                    isFolder = info.st_mode & S_IFMT == S_IFDIR
                    isFile = info.st_mode & S_IFMT == S_IFREG
                }
                if isFolder {
                    subfolders.append(name)
                } else if isFile {
                    // Folders were judged on the way down, so only the name can make a file junk.
                    if SurveyWalker.mayBeJunk(name), Junk.reason(for: [name]) != nil {
                        listing.junkFiles += 1
                        continue
                    }
                    let ext = pathExtension(name)
                    if ext != lastExtension.ext { lastExtension = (ext, formatByExtension[ext]) }
                    let expected = lastExtension.format
                    guard ext.isEmpty || expected != nil else {
                        listing.nonImageFiles += 1
                        continue
                    }
                    let index = folderIndex ?? listing.folders.count
                    if folderIndex == nil {
                        listing.folders.append(prefix)
                        folderIndex = index
                    }
                    listing.candidates.append(SurveyCandidate(folder: index, label: label, name: name, folderPath: path,
                                                              expected: expected, hasExtension: !ext.isEmpty))
                    if publish != nil && listing.candidates.count >= SurveyWalker.batch { publishPending(publish) }
                }
                // Devices, sockets and pipes are not data and are passed over.
            }
            closedir(folder)  // before going down, so that open folders do not pile up
            for name in subfolders {
                enter(name, in: path, relative: relative, publish: publish)
            }
        }

        /// Walks the sub-folder `name` of the folder at `path`, unless it is junk or was seen.
        mutating func enter(_ name: String, in path: String, relative: [String], publish: (([SurveyCandidate]) -> Void)?) {
            let components = relative + [name]
            // A single component is judged as a name: hidden names and __MACOSX are junk.
            if Junk.reason(for: [name]) != nil {
                listing.skippedFolders.append(components.joined(separator: "/"))
                return
            }
            let folderPath = path + "/" + name
            var info = stat()
            guard stat(folderPath, &info) == 0, visited.insert(FolderID(info)).inserted else { return }
            guard let subfolder = opendir(folderPath) else {
                listing.problems.append(.init(path: components.joined(separator: "/"), reason: "cannot list folder: \(errorText())"))
                return
            }
            list(subfolder, relative: components, publish: publish)
        }

        /// Hands the candidates gathered since the last call to `publish`, if there is one.
        mutating func publishPending(_ publish: (([SurveyCandidate]) -> Void)?) {
            guard let publish, !listing.candidates.isEmpty else { return }
            publish(listing.candidates)
            listing.candidates.removeAll(keepingCapacity: true)
        }

        /// The index of the label of files in the folder at `relative`.
        mutating func label(for relative: [String]) -> Int {
            let label = SurveyWalker.label(ofFolder: relative)
            if let index = labelIndex[label] { return index }
            labelIndex[label] = listing.labels.count
            listing.labels.append(label)
            return listing.labels.count - 1
        }
    }
}

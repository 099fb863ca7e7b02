import Foundation

/// An image in a data folder, with the split and class that its folders give it.
public struct DataFile: Sendable, Equatable {
    /// The path relative to the data folder, with `/` separators.
    public var path: String
    /// `train`, `validation` or `test` for a split data folder; `all` for `data/<class>/`;
    /// `unlabeled` for `data/unlabeled/`.
    public var split: String
    /// The class folder's name; nil for unlabelled images.
    public var label: String?

    public init(path: String, split: String, label: String?) {
        self.path = path
        self.split = split
        self.label = label
    }
}

/// Reads the normalised layout of DESIGN.md §1 back from disk.
///
/// `data/<split>/<class>/...` when the top-level folders are split names (`train`,
/// `validation`, `test`, or anything `Split.recognise` accepts), `data/<class>/...` (split
/// `all`) otherwise; `data/unlabeled/` holds unlabelled images in either case. Hidden entries
/// (`.quarantine/`, staging folders), junk, and files at the top level (reports, `split.csv`)
/// are passed over; files in class folders whose names do not say "image" are listed as left out.
public enum DataFolder {
    public static let unlabeledFolder = "unlabeled"

    public struct Scan: Sendable {
        /// Images, sorted by path (byte order).
        public var files: [DataFile]
        /// Files in class folders that are not images, with the reason.
        public var leftOut: [(path: String, reason: String)]
        /// Whether the folder is split (`data/<split>/<class>/`).
        public var isSplit: Bool
    }

    public enum Failure: Error, CustomStringConvertible {
        case notAFolder(String)
        case empty(String)

        public var description: String {
            switch self {
            case .notAFolder(let path): "\(path): no such folder (run 'dsprep unpack' first, or name the data folder)"
            case .empty(let path): "\(path): holds no class folders with images"
            }
        }
    }

    /// Lists every image under `root`.
    /// - Parameter isImage: whether a file name (lower-case extension, no dot) may be an image.
    /// - Throws: `Failure` when `root` is not a folder or holds no images.
    public static func scan(_ root: String, isImage: (String) -> Bool) throws -> Scan {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        guard files.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw Failure.notAFolder(root)
        }
        let top = (try? files.contentsOfDirectory(atPath: root)) ?? []
        let folders = top.filter { name in
            var isDir: ObjCBool = false
            return !name.hasPrefix(".") && files.fileExists(atPath: root + "/" + name, isDirectory: &isDir) && isDir.boolValue
        }
        let isSplit = folders.contains { Split.recognise($0) != nil }
        var found: [DataFile] = []
        var leftOut: [(String, String)] = []
        for folder in folders.sorted() {
            if folder == unlabeledFolder {
                walk(root, [folder], split: unlabeledFolder, label: nil, isImage, &found, &leftOut)
            } else if isSplit, let split = Split.recognise(folder) {
                let classes = ((try? files.contentsOfDirectory(atPath: root + "/" + folder)) ?? []).sorted()
                for name in classes where !name.hasPrefix(".") {
                    var isDir: ObjCBool = false
                    guard files.fileExists(atPath: "\(root)/\(folder)/\(name)", isDirectory: &isDir), isDir.boolValue else { continue }
                    let label: String? = name == unlabeledFolder ? nil : name
                    walk(root, [folder, name], split: label == nil ? unlabeledFolder : split.rawValue, label: label,
                         isImage, &found, &leftOut)
                }
            } else if !isSplit {
                walk(root, [folder], split: "all", label: folder, isImage, &found, &leftOut)
            } else {
                leftOut.append((folder, "folder is neither a split nor unlabeled/ in a split data folder"))
            }
        }
        guard !found.isEmpty else { throw Failure.empty(root) }
        found.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return Scan(files: found, leftOut: leftOut.sorted { $0.0 < $1.0 }, isSplit: isSplit)
    }

    private static func walk(_ root: String, _ prefix: [String], split: String, label: String?, _ isImage: (String) -> Bool,
                             _ found: inout [DataFile], _ leftOut: inout [(String, String)]) {
        let base = prefix.joined(separator: "/")
        guard let enumerator = FileManager.default.enumerator(atPath: root + "/" + base) else { return }
        while let relative = enumerator.nextObject() as? String {
            let components = relative.split(separator: "/").map(String.init)
            if let name = components.last, name.hasPrefix(".") {
                enumerator.skipDescendants()
                continue
            }
            let path = base + "/" + relative
            switch enumerator.fileAttributes?[.type] as? FileAttributeType {
            case .typeRegular?:
                break
            case .typeSymbolicLink?:  // `dsprep split --mode symlink` links images: follow links to files
                var isDir: ObjCBool = true
                guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDir), !isDir.boolValue else { continue }
            default:
                continue
            }
            if Junk.reason(for: components) != nil { continue }
            let ext = (relative as NSString).pathExtension.lowercased()
            if isImage(ext) {
                found.append(DataFile(path: path, split: split, label: label))
            } else {
                leftOut.append((path, "not an image file" + (ext.isEmpty ? "" : " (.\(ext))")))
            }
        }
    }
}

/// Infers where each image of an unpacked archive belongs, from the images' paths alone.
///
/// Steps, for the default `.auto`:
/// 1. Doubled folders (`trainingSet/trainingSet/`, or `train/train/` from a nested `train.zip`)
///    collapse to one.
/// 2. The folders every image shares (`PetImages/`) are the root and are dropped.
/// 3. A folder named for a split (`Split.recognise`) marks the image's split; the first folder
///    below it (or below the root, when there is none) names the class.
///    But when the folders whose images carry at least two different file-name prefixes
///    (`cat.0.jpg`, `dog_12.png`) hold most of the images, the prefixes are the classes and
///    every other image is unlabelled (Kaggle's `train/cat.0.jpg` beside `test1/1.jpg`).
/// 4. The data set counts as pre-split when its labelled images come from two or more different
///    splits; a lone `train/` folder beside Kaggle's unlabelled `test1/` is not a split.
public enum LayoutInference {
    /// Places every path (relative to the archive, directories then file name).
    /// - Returns: the report and one placement per path, in the same order.
    public static func place(_ paths: [[String]], layout: Layout = .auto) -> (LayoutReport, [Placement]) {
        let collapsed = paths.map(collapseDoubledFolders)
        let root = commonRoot(collapsed)
        let relative = collapsed.map { Array($0.dropFirst(root.count)) }
        let prefixFolders = layout == .auto ? foldersWithPrefixLabels(relative) : []
        // File-name prefixes win when the folders that carry them hold most of the images; the
        // other folders then are containers (Kaggle's `test1/`), not classes.
        let imagesInPrefixFolders = relative.filter { prefixFolders.contains(Array($0.dropLast())) }.count
        let prefixMode = !prefixFolders.isEmpty && imagesInPrefixFolders * 2 > relative.count

        var placements: [Placement] = []
        var labelledSplits = Set<Split>()
        var usedFolders = false, usedPrefixes = false, unsplitLabelled = 0
        for path in relative {
            let folders = path.dropLast()
            let name = path.last ?? ""
            let splitIndex = layout == .classFolders ? nil : folders.firstIndex { Split.recognise($0) != nil }
            let split = splitIndex.map { Split.recognise(folders[$0]) } ?? nil
            let below = splitIndex.map { Array(folders[($0 + 1)...]) } ?? Array(folders)
            var placement = Placement(split: split, label: nil, fileName: name)
            switch layout {
            case .unlabeled:
                break
            case .filenamePrefix:
                placement.label = prefixLabel(of: name)
            case .auto where prefixMode:
                if prefixFolders.contains(Array(folders)), let label = prefixLabel(of: name) {
                    placement.label = label
                    usedPrefixes = true
                }
            case .auto, .classFolders, .splitFolders:
                if let classFolder = below.first {
                    placement.label = classFolder
                    placement.fileName = (below.dropFirst() + [name]).joined(separator: "_")
                    usedFolders = true
                }
            }
            if placement.label != nil {
                if let split { labelledSplits.insert(split) } else { unsplitLabelled += 1 }
            } else {
                placement.split = nil
            }
            placements.append(placement)
        }

        let presplit = layout == .splitFolders || (layout == .auto && labelledSplits.count >= 2)
        var notes: [String] = []
        for index in placements.indices where placements[index].label != nil {
            if !presplit {
                placements[index].split = nil
            } else if placements[index].split == nil {
                placements[index].split = .train
            }
        }
        if presplit && unsplitLabelled > 0 {
            notes.append("\(unsplitLabelled) labelled images outside any split folder were added to train")
        }
        let used: Layout = switch layout {
        case .auto:
            presplit ? .splitFolders : usedFolders ? .classFolders : usedPrefixes ? .filenamePrefix : .unlabeled
        default:
            layout
        }
        let report = LayoutReport(layout: used, root: root.joined(separator: "/"),
                                  splits: presplit ? labelledSplits.sorted() : [], notes: notes)
        return (report, placements)
    }

    /// `a/a/b.jpg` -> `a/b.jpg`: a folder directly inside one of the same name adds nothing.
    static func collapseDoubledFolders(_ path: [String]) -> [String] {
        var result: [String] = []
        for (index, component) in path.enumerated() {
            let isFolder = index < path.count - 1
            if isFolder, let last = result.last, last == component { continue }
            result.append(component)
        }
        return result
    }

    /// The longest run of leading folders shared by every path.
    static func commonRoot(_ paths: [[String]]) -> [String] {
        guard var root = paths.first?.dropLast() else { return [] }
        for path in paths.dropFirst() {
            let folders = path.dropLast()
            var count = 0
            while count < root.count, count < folders.count,
                  root[root.startIndex + count] == folders[folders.startIndex + count] {
                count += 1
            }
            root = root.prefix(count)
            if root.isEmpty { break }
        }
        return Array(root)
    }

    /// The folders (relative) whose loose images carry at least two different name prefixes.
    static func foldersWithPrefixLabels(_ paths: [[String]]) -> Set<[String]> {
        var prefixes: [[String]: Set<String>] = [:]
        for path in paths {
            guard let name = path.last, let label = prefixLabel(of: name) else { continue }
            prefixes[Array(path.dropLast()), default: []].insert(label)
        }
        return Set(prefixes.filter { $0.value.count >= 2 }.keys)
    }

    /// The class a file name states before its number: `cat.0.jpg` -> `cat`,
    /// `dog_12.png` -> `dog`, `american_bulldog_10.jpg` -> `american_bulldog`; nil for `12.jpg`.
    public static func prefixLabel(of fileName: String) -> String? {
        var stem = Substring(fileName)
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = stem[..<dot] }
        let separators: Set<Character> = [".", "_", "-", " "]
        guard let last = stem.last, last.isASCII, last.isNumber else { return nil }
        let withoutNumber = stem.reversed().drop { $0.isASCII && $0.isNumber }
        var prefix = String(withoutNumber.reversed())
        guard let separator = prefix.last, separators.contains(separator) else { return nil }
        while let end = prefix.last, separators.contains(end) { prefix.removeLast() }
        guard let end = prefix.last, !(end.isASCII && end.isNumber) else { return nil }
        return prefix
    }
}

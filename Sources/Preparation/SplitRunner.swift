import Dataset
import Foundation

/// How far a split has got, for a progress line.
public enum SplitProgress: Sendable, Equatable {
    /// Files hashed so far, of `total`.
    case hashing(done: Int, total: Int)
    /// Plan rows handled so far (`placed` of them needed a move, copy or link), of `total`.
    /// Sent once with `done == 0` right after the plan is safely on disk.
    case placing(done: Int, placed: Int, total: Int)
}

/// Divides a data folder into train, validation and test (DESIGN.md §1).
///
/// 1. `SplitScan` walks the folder; an interrupted split's plan, if there is one, is finished
///    instead (`resume`), and a folder already split is described, not changed.
/// 2. `SplitHashing` hashes every image on all cores; `SplitPlan` places them (stratified,
///    seeded, duplicates and `--group` keys kept together).
/// 3. The plan — every image's source and destination — is written to
///    `<out>/.dsprep-split/plan.csv` (temporary name, fsync, rename) before anything moves.
/// 4. `SplitExecutor` places the images one by one; each step is atomic and re-runnable.
/// 5. `split-report.json`, then `split.csv` are renamed into place, and the plan is removed.
///    A folder with `split.csv` and no `.dsprep-split/` is completely split.
public final class SplitRunner {
    public var onProgress: (SplitProgress) -> Void = { _ in }
    let options: SplitOptions
    /// The folder that receives the split folders: the data folder, or `--out`.
    let target: String
    let data: String

    public init(options: SplitOptions) {
        self.options = options
        data = Self.trimmed(options.data)
        target = Self.trimmed(options.output ?? options.data)
    }

    var stateFolder: String { target + "/" + SplitScan.stateFolder }
    var planFile: String { stateFolder + "/plan.csv" }
    var stateFile: String { stateFolder + "/plan.json" }
    var folder: OutputFolder { OutputFolder(path: target, reportName: SplitScan.csvName, commandName: "split") }

    /// Runs the split (or the dry run, or the resumption of an interrupted split).
    /// - Throws: `SplitError` for a folder that cannot be split or a file system that refuses.
    ///   Images are never lost: a failure mid-way leaves the plan, and a re-run finishes it.
    public func run() throws -> SplitReport {
        switch (options.output, options.mode) {
        case (nil, .copy), (nil, .hardlink), (nil, .symlink): throw SplitError.modeNeedsOutput(options.mode)
        case (.some, .move): throw SplitError.moveWithOutput
        default: break
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isFolder), isFolder.boolValue else {
            throw SplitError.noDataFolder(options.data)
        }
        let pattern = try options.group.map(Self.compileGroup)
        if let output = options.output {
            let (out, source) = (Self.absolute(output), Self.absolute(data))
            if out == source || out.hasPrefix(source == "/" ? "/" : source + "/") { throw SplitError.outputInsideData(output) }
        }

        // The lock first, so that no other split can write a plan between the checks below.
        var lock: Lock?
        defer { lock?.release() }
        let madeOutput = options.output != nil && !options.dryRun && !FileManager.default.fileExists(atPath: target)
        if !options.dryRun {
            if options.output != nil { try folder.createFolder(target) }
            lock = try Lock(target)
        }
        if FileManager.default.fileExists(atPath: planFile) {
            return try options.dryRun ? pending() : resume()
        }
        if !options.dryRun && FileManager.default.fileExists(atPath: stateFolder) {
            try? FileManager.default.removeItem(atPath: stateFolder)  // planning was interrupted: nothing moved
        }
        if let output = options.output,
           !((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []).isEmpty {
            throw SplitError.outputNotEmpty(output)
        }
        do {
            let report = try split(pattern: pattern)
            if madeOutput && report.status == .alreadySplit { rmdir(target) }  // nothing was written
            return report
        } catch {
            if madeOutput && !FileManager.default.fileExists(atPath: planFile) { rmdir(target) }  // only if empty
            throw error
        }
    }

    /// Scans, plans and (unless a dry run) carries out a new split.
    private func split(pattern: NSRegularExpression?) throws -> SplitReport {
        let (report, records) = try plan(pattern: pattern)
        guard let records, !options.dryRun else { return report }
        try writePlan(records, report: report)
        return try execute(records, report: report)
    }

    /// Scans the data folder, hashes its images and plans where each goes.
    /// - Returns: the report, and the plan's records; no records when the folder is already split.
    func plan(pattern: NSRegularExpression?) throws -> (SplitReport, [SplitRecord]?) {
        let scan = try SplitScan.scan(data)
        if FileManager.default.fileExists(atPath: data + "/" + SplitScan.csvName) && !options.resplit {
            return (try alreadySplit(scan), nil)
        }
        guard !scan.files.isEmpty else { throw SplitError.noImages(options.data) }
        let kept = options.resplit ? scan.splits.intersection([.test]) : scan.splits.subtracting([.train])
        let ratios = options.ratios.without(kept)
        if !options.resplit && !scan.splits.isEmpty && ratios.active == [.train] && !scan.hasLooseClasses {
            return (alreadySplitByArchive(scan), nil)
        }

        let hashes = SplitHashing.hash(scan.files.map { data + "/" + $0.path }, threads: options.threads) { [onProgress] done in
            onProgress(.hashing(done: done, total: scan.files.count))
        }
        var left = scan.left
        var items: [SplitItem] = []
        for (file, hash) in zip(scan.files, hashes) {
            switch hash {
            case .success(let sha256):
                items.append(SplitItem(path: file.path, key: file.key, label: file.label, sha256: sha256,
                                       group: pattern.flatMap { Self.groupKey(file.rest, $0) },
                                       kept: file.split.flatMap { kept.contains($0) ? $0 : nil }))
            case .failure(let error):
                var reason = error.description
                if case .io(_, let text) = error { reason = text }
                left.append(.init(path: file.path, reason: reason))
            }
        }
        let plan = SplitPlan.make(items, ratios: ratios, seed: options.seed, stable: options.stable)
        let (records, renamed) = destinations(items, plan.splits)
        let report = makeReport(scan: scan, items: items, plan: plan, records: records, renamed: renamed,
                                kept: kept, ratios: ratios, left: left)
        return (report, records)
    }

    /// Where each image goes: `<split>/<class>/<path below the class folder>`, renamed `x~2.jpg`
    /// when that path is taken. Working in place, every image's current path counts as taken, so
    /// no destination is ever a file that is still waiting to move.
    func destinations(_ items: [SplitItem], _ splits: [Split]) -> ([SplitRecord], [UnpackReport.Moved]) {
        let order = items.indices.sorted { items[$0].path.utf8.lexicographicallyPrecedes(items[$1].path.utf8) }
        var names = UniqueNames()
        if options.output == nil {
            for index in order { _ = names.claim(items[index].path.split(separator: "/").map(String.init)) }
        }
        var records: [SplitRecord] = []
        var renamed: [UnpackReport.Moved] = []
        for index in order {
            let item = items[index]
            let wanted = [splits[index].rawValue] + item.key.split(separator: "/").map(String.init)
            var path = wanted.joined(separator: "/")
            if options.output != nil || path != item.path {
                let (unique, wasTaken) = names.claim(wanted)
                path = unique.joined(separator: "/")
                if wasTaken { renamed.append(.init(path: item.path, savedAs: path, reason: "another image already had this name")) }
            }
            records.append(SplitRecord(path: path, label: item.label, split: splits[index], sha256: item.sha256, from: item.path))
        }
        return (records, renamed)
    }

    /// The first capture group of `pattern` in `text`, if it matched.
    static func groupKey(_ text: String, _ pattern: NSRegularExpression) -> String? {
        guard let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    static func compileGroup(_ pattern: String) throws -> NSRegularExpression {
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw SplitError.badGroupPattern(pattern, "not a valid regular expression")
        }
        guard regex.numberOfCaptureGroups >= 1 else {
            throw SplitError.badGroupPattern(pattern, "needs a capture group for the key, e.g. '^([^_]+)_'")
        }
        return regex
    }

    static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// The absolute, symlink-free form of `path`, which need not exist yet (its existing part is
    /// resolved).
    static func absolute(_ path: String) -> String {
        var missing: [String] = []
        var current = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        while true {
            if let resolved = realpath(current, nil) {
                defer { free(resolved) }
                let base = String(cString: resolved)
                return missing.isEmpty ? base : (base == "/" ? "" : base) + "/" + missing.reversed().joined(separator: "/")
            }
            let parent = parentFolder(current)
            if parent == current || current.isEmpty { return path }
            missing.append((current as NSString).lastPathComponent)
            current = parent
        }
    }
}

/// An exclusive `flock` on a folder, so that two splits never work on it at once.
struct Lock {
    private let descriptor: Int32

    init(_ folder: String) throws {
        descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SplitError.io(folder, "cannot open: \(String(cString: strerror(errno)))") }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            close(descriptor)
            throw SplitError.busy(folder)
        }
    }

    func release() { close(descriptor) }
}

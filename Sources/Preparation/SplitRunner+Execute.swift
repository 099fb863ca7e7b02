import Dataset
import Foundation

/// What an interrupted split needs besides its plan: written to `.dsprep-split/plan.json`
/// before the plan itself, so a plan on disk always has it.
struct SplitState: Codable {
    /// Absolute paths, so that a re-run from another working folder finishes the same plan.
    var source: String
    var target: String
    var mode: SplitMode
    var report: SplitReport
}

/// Writing the plan, carrying it out, resuming it, and the files a finished split leaves.
extension SplitRunner {
    /// Writes the plan so that it survives a crash: state first, then `plan.csv` under a
    /// temporary name, flushed, renamed into place, and the folder flushed. From the rename on,
    /// a re-run finishes this plan.
    func writePlan(_ records: [SplitRecord], report: SplitReport) throws {
        try folder.createFolder(stateFolder)
        let state = SplitState(source: Self.absolute(data), target: Self.absolute(target), mode: options.mode, report: report)
        try folder.write(try Self.encoder.encode(state), to: stateFile)
        try folder.write(Data(SplitCSV.encode(records, plan: true).utf8), to: planFile + ".tmp")
        try folder.rename(planFile + ".tmp", planFile)
        Self.syncFolder(stateFolder)
        Self.syncFolder(target)
    }

    /// Places every image of the plan, then writes the record and removes the plan.
    func execute(_ records: [SplitRecord], report: SplitReport, state: SplitState? = nil) throws -> SplitReport {
        let source = state?.source ?? Self.absolute(data)
        let mode = state?.mode ?? options.mode
        var executor = SplitExecutor(source: source, target: target, mode: mode)
        let rows = records.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        var placed = 0
        var missing: [SplitRecord] = []
        onProgress(.placing(done: 0, placed: 0, total: rows.count))
        for (index, row) in rows.enumerated() {
            switch try executor.place(row) {
            case .done: placed += 1
            case .alreadyDone: break
            case .missing: missing.append(row)
            }
            onProgress(.placing(done: index + 1, placed: placed, total: rows.count))
        }
        if mode == .move { removeEmptyFolders(below: source, rows.filter { $0.from != $0.path }.compactMap(\.from)) }

        var report = report
        if let first = missing.first {
            let gone = Set(missing.map(\.path))
            Self.count(rows.filter { !gone.contains($0.path) }, into: &report)
            report.warnings.append("\(thousands(missing.count)) image\(missing.count == 1 ? " was" : "s were") neither where "
                                   + "\(missing.count == 1 ? "it was" : "they were") nor where the plan put "
                                   + "\(missing.count == 1 ? "it" : "them") (e.g. \(first.from ?? first.path)); left out of split.csv")
        }
        var saved = report
        saved.status = .split
        try folder.write(try Self.encoder.encode(saved) + Data("\n".utf8), to: target + "/" + SplitScan.reportName + ".tmp")
        try folder.rename(target + "/" + SplitScan.reportName + ".tmp", target + "/" + SplitScan.reportName)
        let gone = Set(missing.map(\.path))
        let kept = rows.filter { !gone.contains($0.path) }.map { SplitRecord(path: $0.path, label: $0.label, split: $0.split, sha256: $0.sha256) }
        try folder.write(Data(SplitCSV.encode(kept).utf8), to: target + "/" + SplitScan.csvName + ".tmp")
        try folder.rename(target + "/" + SplitScan.csvName + ".tmp", target + "/" + SplitScan.csvName)
        Self.syncFolder(target)
        try? FileManager.default.removeItem(atPath: stateFolder)
        return report
    }

    /// Finishes the plan an interrupted split left, whatever the options of this run.
    func resume() throws -> SplitReport {
        let (state, records) = try readPlan()
        var report = try execute(records, report: state.report, state: state)
        report.status = .resumed
        report.notes.append("finished an interrupted split from its plan (\(planFile)); the options given this time were not used")
        return report
    }

    /// `--dry-run` when an interrupted split is waiting: what is left to do.
    func pending() throws -> SplitReport {
        let (state, records) = try readPlan()
        var report = state.report
        report.status = .interrupted
        let left = records.filter { access(state.target + "/" + $0.path, F_OK) != 0 }.count
        report.notes.append("an interrupted split is waiting in \(stateFolder): \(thousands(left)) of \(thousands(records.count)) images "
                            + "still to place; run dsprep split again without --dry-run to finish it")
        return report
    }

    func readPlan() throws -> (SplitState, [SplitRecord]) {
        guard let stateData = FileManager.default.contents(atPath: stateFile) else {
            throw SplitError.unreadablePlan(stateFile, "missing")
        }
        let state: SplitState
        do {
            state = try Self.decoder.decode(SplitState.self, from: stateData)
        } catch {
            throw SplitError.unreadablePlan(stateFile, "not valid JSON")
        }
        do {
            let text = String(decoding: FileManager.default.contents(atPath: planFile) ?? Data(), as: UTF8.self)
            return (state, try SplitCSV.decode(text))
        } catch {
            throw SplitError.unreadablePlan(planFile, error.description)
        }
    }

    /// Removes the folders that moving emptied (class folders, and split folders re-pooled by
    /// `--resplit`), deepest first; a folder that still holds anything stays.
    func removeEmptyFolders(below root: String, _ moved: [String]) {
        var folders = Set<String>()
        for path in moved {
            var folder = parentFolder(path)
            while folder != "." && !folder.isEmpty && folders.insert(folder).inserted { folder = parentFolder(folder) }
        }
        for folder in folders.sorted(by: { $0.count > $1.count }) { rmdir(root + "/" + folder) }
    }

    /// Flushes a folder's entries (the renames in it) to disk.
    static func syncFolder(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

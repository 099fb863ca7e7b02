import Dataset
import Foundation

/// The reports `SplitRunner` returns: for a new split, and for a folder already split.
extension SplitRunner {
    /// A report with the options filled in and nothing counted yet.
    func emptyReport(_ status: SplitReport.Status, ratios: SplitRatios) -> SplitReport {
        SplitReport(status: status, data: data, output: target, mode: options.mode,
                    ratios: options.ratios.description, pooledShares: Self.shares(ratios), seed: options.seed,
                    stable: options.stable, group: options.group,
                    input: .init(layout: .classFolders, splits: [], kept: [], pooled: 0),
                    classes: [], counts: [:], images: 0, placed: 0,
                    duplicates: .init(groups: 0, files: 0, acrossClasses: 0, list: []),
                    sharedGroupKeys: 0, joinedKept: 0, renamed: [], warnings: [], notes: [], left: [],
                    plan: target + "/" + SplitScan.csvName)
    }

    static func shares(_ ratios: SplitRatios) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: ratios.active.map { ($0.rawValue, (ratios.percent($0) * 100).rounded() / 100) })
    }

    func makeReport(scan: SplitScan, items: [SplitItem], plan: SplitPlan, records: [SplitRecord],
                    renamed: [UnpackReport.Moved], kept: Set<Split>, ratios: SplitRatios,
                    left: [SplitReport.Left]) -> SplitReport {
        var report = emptyReport(options.dryRun ? .dryRun : .split, ratios: ratios)
        report.input = .init(layout: scan.splits.isEmpty ? .classFolders : .splitFolders,
                             splits: scan.splits.sorted(), kept: kept.sorted(),
                             pooled: items.filter { $0.kept == nil }.count)
        Self.count(records, into: &report)
        let byPath = Dictionary(uniqueKeysWithValues: records.map { ($0.from ?? $0.path, $0) })
        let groups = plan.duplicateGroups.map { $0.compactMap { byPath[items[$0].path] } }
        let acrossClasses = groups.filter { Set($0.map(\.label)).count > 1 }
        report.duplicates = .init(groups: groups.count, files: groups.reduce(0) { $0 + $1.count },
                                  acrossClasses: acrossClasses.count, list: groups.map { $0.map(\.path) })
        report.placed = records.filter { options.output != nil || $0.from != $0.path }.count
        report.sharedGroupKeys = plan.sharedGroupKeys
        report.joinedKept = plan.joinedKept
        report.renamed = renamed
        report.left = left
        report.warnings = plan.warnings
        if let example = acrossClasses.first {
            report.warnings.append("\(thousands(acrossClasses.count)) group\(acrossClasses.count == 1 ? "" : "s") of identical files "
                                   + "\(acrossClasses.count == 1 ? "carries" : "carry") different classes (e.g. \(example.map { $0.from ?? $0.path }.joined(separator: ", "))); check their labels")
        }

        let pooled = report.input.pooled
        if !kept.isEmpty {
            let keptCounts = kept.sorted().map { split in "\(split.rawValue) (\(thousands(items.filter { $0.kept == split }.count)))" }
            let shares = ratios.active.map { "\($0.rawValue) \(SplitRatios.format(ratios.percent($0)))%" }
            report.notes.append("kept as \(kept.count == 1 ? "it was" : "they were"): \(keptCounts.joined(separator: ", ")); "
                                + "the other \(thousands(pooled)) images divided \(shares.joined(separator: ", ")) "
                                + "(\(ratios.active.map { String(options.ratios.weight($0)) }.joined(separator: ":")) from --ratios \(options.ratios))")
        }
        if options.resplit { report.notes.append("--resplit: train and validation pooled and split again; test is never re-pooled") }
        if options.stable {
            report.notes.append("--stable: each image placed by a hash of its path, so counts are near the ratios, not exact; --seed is not used")
        }
        if plan.joinedKept > 0 {
            report.notes.append("\(plan.joinedKept) image\(plan.joinedKept == 1 ? "" : "s") joined a kept split that holds identical or grouped images")
        }
        return report
    }

    /// Fills `classes`, `counts` and `images` from `records`.
    static func count(_ records: [SplitRecord], into report: inout SplitReport) {
        var counts: [String: [String: Int]] = [:]
        for record in records { counts[record.label, default: [:]][record.split.rawValue, default: 0] += 1 }
        report.counts = counts
        report.classes = counts.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        report.images = records.count
    }

    /// The folder has `split.csv` and this is not `--resplit`: what the record says, and whether
    /// the folder still matches it.
    func alreadySplit(_ scan: SplitScan) throws -> SplitReport {
        let csv = data + "/" + SplitScan.csvName
        let records: [SplitRecord]
        do {
            records = try SplitCSV.decode(String(decoding: FileManager.default.contents(atPath: csv) ?? Data(), as: UTF8.self))
        } catch {
            throw SplitError.io(csv, "cannot read: \(error)")
        }
        var report = emptyReport(.alreadySplit, ratios: options.ratios)
        if let saved = FileManager.default.contents(atPath: data + "/" + SplitScan.reportName),
           let previous = try? Self.decoder.decode(SplitReport.self, from: saved) {
            report.ratios = previous.ratios
            report.pooledShares = previous.pooledShares
            report.seed = previous.seed
            report.stable = previous.stable
            report.group = previous.group
            report.mode = previous.mode
            report.input = previous.input
            report.duplicates = previous.duplicates
        }
        report.output = data
        report.plan = csv
        report.left = scan.left
        Self.count(records, into: &report)
        let missing = records.filter { access(data + "/" + $0.path, F_OK) != 0 }
        let listed = Set(records.map(\.path))
        let unlisted = scan.files.filter { !listed.contains($0.path) }
        report.notes.append("\(csv) lists \(thousands(records.count)) images, split with "
                            + (report.stable ? "--stable" : "seed \(report.seed)") + " and ratios \(report.ratios)")
        if let first = missing.first {
            report.warnings.append("\(thousands(missing.count)) of them \(missing.count == 1 ? "is" : "are") not there any more (e.g. \(first.path))")
        }
        if let first = unlisted.first {
            report.warnings.append("\(thousands(unlisted.count)) image\(unlisted.count == 1 ? " is" : "s are") not in split.csv (e.g. \(first.path)); --resplit places them")
        }
        report.notes.append("nothing changed; add --resplit to pool train and validation and split them again (test is kept)")
        return report
    }

    /// The data set came split (`train/`, `validation/`, `test/`) and the ratios ask for no
    /// split it does not have.
    func alreadySplitByArchive(_ scan: SplitScan) -> SplitReport {
        var report = emptyReport(.alreadySplit, ratios: options.ratios)
        report.input = .init(layout: .splitFolders, splits: scan.splits.sorted(), kept: scan.splits.sorted(), pooled: 0)
        report.left = scan.left
        report.plan = ""
        Self.count(scan.files.map { SplitRecord(path: $0.path, label: $0.label, split: $0.split ?? .train, sha256: "") },
                   into: &report)
        report.notes.append("the data set came split into \(scan.splits.sorted().map(\.rawValue).joined(separator: ", ")), "
                            + "which is every split --ratios \(options.ratios) asks for")
        report.notes.append("nothing changed; add --resplit to pool train and validation and split them again (test is kept)")
        return report
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}

/// 25000 -> "25,000", as the command line prints counts.
func thousands(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return value < 0 ? "-" + result : result
}

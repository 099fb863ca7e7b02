import Dataset
import Foundation
import Preparation

/// The text and JSON forms of a split report.
enum SplitSummary {
    static func json(_ report: SplitReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// What was done (or would be), a table of counts and percentages per class and split,
    /// duplicates, notes and warnings, and what was left where it is.
    static func text(_ report: SplitReport) -> String {
        let how = report.stable ? "--stable" : "seed \(report.seed)"
        let classes = report.classes.count
        let what = "\(counted(report.images, "image")), \(grouped(classes)) class\(classes == 1 ? "" : "es")"
        let options = "(\(how), ratios \(report.ratios), \(report.mode.rawValue))"
        var lines: [String] = []
        switch report.status {
        case .split:
            lines.append("Split \(report.data)/\(into(report)) \(options): \(what)")
        case .resumed:
            lines.append("Finished the interrupted split of \(report.data)/\(into(report)) \(options): \(what)")
        case .dryRun:
            lines.append("Dry run: would split \(report.data)/\(into(report)) \(options): \(what); nothing changed")
        case .interrupted:
            lines.append("Dry run: \(report.output)/ holds an interrupted split \(options): \(what); nothing changed")
        case .alreadySplit:
            lines.append("\(report.data)/ is already split: \(what)")
        }
        lines += table(report)
        if report.status != .alreadySplit || report.duplicates.groups > 0 {
            lines.append(report.duplicates.groups == 0 ? "  duplicates: none (no two images have the same content)"
                         : "  duplicates: \(counted(report.duplicates.groups, "group")) of identical images "
                         + "(\(counted(report.duplicates.files, "image"))), each group in one split")
        }
        if report.group != nil && report.status != .alreadySplit {
            lines.append("  --group: \(counted(report.sharedGroupKeys, "key")) shared by two or more images, each kept in one split")
        }
        lines += report.notes.map { "  note: \($0)" }
        lines += report.warnings.map { "  warning: \($0)" }
        if !report.renamed.isEmpty {
            lines.append("Renamed \(counted(report.renamed.count, "image")) (another image in the folder had the name):")
            lines += report.renamed.prefix(5).map { "  \($0.path) -> \($0.savedAs)" }
            if report.renamed.count > 5 { lines.append("  ... (all of them in --json)") }
        }
        if !report.left.isEmpty {
            lines.append("Left where \(report.left.count == 1 ? "it is" : "they are"):")
            lines += listed(report.left)
        }
        if report.status == .split || report.status == .resumed {
            lines.append("Record: \(report.plan)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func into(_ report: SplitReport) -> String {
        report.output == report.data ? "" : " into \(report.output)/"
    }

    /// `class  train  %  validation  %  test  %`, one row per class and a total row; a split
    /// appears when it has images or a share.
    static func table(_ report: SplitReport) -> [String] {
        let splits = Split.allCases.filter { report.total($0) > 0 || report.pooledShares[$0.rawValue] != nil }
        guard !report.classes.isEmpty else { return [] }
        let width = max(5, report.classes.map(\.count).max() ?? 0)
        let countWidth = max(6, grouped(report.images).count + 1)
        let columnWidth = max(countWidth + 7, splits.map(\.rawValue.count).max().map { $0 + 1 } ?? 0)
        func row(_ name: String, _ counts: [Int]) -> String {
            let total = counts.reduce(0, +)
            let cells = counts.map { count -> String in
                let percent = total == 0 ? "" : String(format: "%.1f%%", Double(count) * 100 / Double(total))
                return (grouped(count).leftPadded(to: countWidth) + percent.leftPadded(to: 7)).leftPadded(to: columnWidth)
            }
            return "  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + cells.joined()
        }
        var lines = ["  " + "class".padding(toLength: width, withPad: " ", startingAt: 0)
                     + splits.map { $0.rawValue.leftPadded(to: columnWidth) }.joined()]
        for label in report.classes {
            lines.append(row(label, splits.map { report.counts[label]?[$0.rawValue] ?? 0 }))
        }
        if report.classes.count > 1 { lines.append(row("all", splits.map { report.total($0) })) }
        return lines
    }

    /// Few items are listed; reasons shared by many give a count and an example.
    private static func listed(_ items: [SplitReport.Left], limit: Int = 5) -> [String] {
        var order: [String] = []
        var byReason: [String: [SplitReport.Left]] = [:]
        for item in items {
            if byReason[item.reason] == nil { order.append(item.reason) }
            byReason[item.reason, default: []].append(item)
        }
        var lines: [String] = []
        for reason in order {
            let entries = byReason[reason] ?? []
            if entries.count <= limit {
                lines += entries.map { "  \($0.path)\($0.files.map { " (\(counted($0, "file")))" } ?? ""): \(reason)" }
            } else {
                lines.append("  \(counted(entries.count, "file")): \(reason) (e.g. \(entries[0].path))")
            }
        }
        return lines
    }
}

import Foundation
import Preparation

/// The text and JSON forms of an unpack report.
enum UnpackSummary {
    static func json(_ report: UnpackReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// A short human summary: what was found, per class counts, and what was set aside and why.
    static func text(_ report: UnpackReport) -> String {
        var lines: [String] = []
        let names = report.archives.map(\.path).joined(separator: ", ")
        lines.append("Unpacked \(names) into \(report.output)/: \(grouped(report.images)) images, "
                     + "\(report.classes.count) classes (layout: \(report.layout.layout.rawValue)"
                     + (report.layout.root.isEmpty ? ")" : ", root \(report.layout.root)/)"))
        let splits = report.classCounts.keys.sorted { order($0) < order($1) }
        let width = max(5, report.classes.map(\.count).max() ?? 0)
        if !report.classes.isEmpty {
            let header = "  " + "class".padding(toLength: width, withPad: " ", startingAt: 0)
                + splits.map { $0.leftPadded(to: 11) }.joined()
            lines.append(header)
            for label in report.classes {
                let counts = splits.map { grouped(report.classCounts[$0]?[label] ?? 0).leftPadded(to: 11) }
                lines.append("  " + label.padding(toLength: width, withPad: " ", startingAt: 0) + counts.joined())
            }
        }
        if report.unlabeled > 0 {
            lines.append("  \(counted(report.unlabeled, "unlabelled image")) in \(report.output)/unlabeled/")
        }
        lines += report.layout.notes.map { "  note: \($0)" }
        if !report.quarantined.isEmpty {
            lines.append("Quarantined \(counted(report.quarantined.count, "bad image")) in \(report.output)/.quarantine/:")
            lines += listed(report.quarantined.map { ($0.path, $0.reason) })
        }
        if !report.leftOut.isEmpty {
            lines.append("Left out \(counted(report.leftOut.count, "file")):")
            lines += listed(report.leftOut.map { ($0.path, $0.reason) })
        }
        if !report.renamed.isEmpty {
            lines.append("Renamed \(counted(report.renamed.count, "file")):")
            lines += listed(report.renamed.map { ($0.path, "\($0.reason) -> \($0.savedAs)") })
        }
        if !report.notes.isEmpty {
            lines.append("Notes on \(counted(report.notes.count, "file")):")
            lines += listed(report.notes.map { ($0.path, $0.reason) })
        }
        lines.append("Full report: \(report.output)/unpack-report.json")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Groups items by reason: reasons with few files list them; common reasons give a count.
    private static func listed(_ items: [(path: String, reason: String)], limit: Int = 5) -> [String] {
        var order: [String] = []
        var byReason: [String: [String]] = [:]
        for item in items {
            if byReason[item.reason] == nil { order.append(item.reason) }
            byReason[item.reason, default: []].append(item.path)
        }
        var lines: [String] = []
        for reason in order {
            let paths = byReason[reason] ?? []
            if paths.count <= limit {
                lines += paths.map { "  \($0): \(reason)" }
            } else {
                lines.append("  \(grouped(paths.count)) files: \(reason) (e.g. \(paths[0]))")
            }
        }
        return lines
    }

    private static func order(_ split: String) -> Int {
        ["all", "train", "validation", "test"].firstIndex(of: split) ?? 9
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}

/// One row of `split.csv`: where an image is, its class, its split and its content hash.
public struct SplitRecord: Sendable, Equatable {
    /// Relative to the split folder, `/`-separated: `train/cat/1.jpg`.
    public var path: String
    public var label: String
    public var split: Split
    public var sha256: String
    /// Where the image was before the split, relative to the data folder: kept only in the
    /// plan that an interrupted split resumes from.
    public var from: String?

    public init(path: String, label: String, split: Split, sha256: String, from: String? = nil) {
        self.path = path
        self.label = label
        self.split = split
        self.sha256 = sha256
        self.from = from
    }
}

/// `split.csv` and the plan file: RFC 4180 CSV, UTF-8, `\n` line ends, a header row, one row per
/// image sorted by path (byte order), so the same split gives the same bytes.
///
///     path,class,split,sha256
///     test/cat/1.jpg,cat,test,9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
///
/// The plan has a first column more, `from`: the path before the split.
/// A field is quoted when it holds a comma, a quote or a line break; quotes inside are doubled.
public enum SplitCSV {
    public static let header = ["path", "class", "split", "sha256"]
    public static let planHeader = ["from"] + header

    /// The CSV text of `records`, sorted by path; with the `from` column when `plan` is true.
    public static func encode(_ records: [SplitRecord], plan: Bool = false) -> String {
        let sorted = records.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        var text = (plan ? planHeader : header).joined(separator: ",") + "\n"
        for record in sorted {
            var fields = [record.path, record.label, record.split.rawValue, record.sha256]
            if plan { fields.insert(record.from ?? record.path, at: 0) }
            text += fields.map(quoted).joined(separator: ",") + "\n"
        }
        return text
    }

    /// The records in `text` (either form, told apart by the header).
    /// - Throws: `SplitCSVError` naming the first line that does not fit.
    public static func decode(_ text: String) throws(SplitCSVError) -> [SplitRecord] {
        let rows = try parse(text)
        guard let first = rows.first, first == header || first == planHeader else {
            throw SplitCSVError(line: 1, reason: "the header is not \(header.joined(separator: ","))")
        }
        let plan = first == planHeader
        var records: [SplitRecord] = []
        for (offset, row) in rows.dropFirst().enumerated() {
            let line = offset + 2
            guard row.count == first.count else {
                throw SplitCSVError(line: line, reason: "expected \(first.count) fields, found \(row.count)")
            }
            let fields = plan ? Array(row.dropFirst()) : row
            guard let split = Split(rawValue: fields[2]) else {
                throw SplitCSVError(line: line, reason: "unknown split '\(fields[2])'")
            }
            records.append(SplitRecord(path: fields[0], label: fields[1], split: split, sha256: fields[3],
                                       from: plan ? row[0] : nil))
        }
        return records
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Rows of fields; a quoted field may hold commas, doubled quotes and line breaks.
    static func parse(_ text: String) throws(SplitCSVError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false, wasQuoted = false
        var line = 1
        var characters = text.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if inQuotes {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                } else {
                    if character == "\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty && !wasQuoted:
                inQuotes = true
                wasQuoted = true
            case ",":
                row.append(field)
                field = ""
                wasQuoted = false
            case "\n", "\r\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
                wasQuoted = false
                line += 1
            default:
                if wasQuoted { throw SplitCSVError(line: line, reason: "text after a closing quote") }
                field.append(character)
            }
        }
        if inQuotes { throw SplitCSVError(line: line, reason: "a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty || wasQuoted {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}

/// A line of a split CSV that cannot be read.
public struct SplitCSVError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public var description: String { "line \(line): \(reason)" }
}

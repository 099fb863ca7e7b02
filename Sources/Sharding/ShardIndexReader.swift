import Foundation

/// Looks rows up in `<split>-index.csv` (written by `ShardIndexWriter`: `shard,row,path,label`,
/// RFC 4180 quoting): how `eval` names the files behind misclassified rows.
public enum ShardIndex {
    /// A row of a shard.
    public struct Key: Hashable, Sendable {
        public var shard: String
        public var row: Int

        public init(shard: String, row: Int) {
            self.shard = shard
            self.row = row
        }
    }

    /// The source paths of `wanted` rows, read in one pass over the memory-mapped index; nil
    /// when there is no index file. Rows the index lacks are absent from the result.
    /// - Throws: `ShardError.io` when the file is there but cannot be read,
    ///   `ShardError.invalidIndex` when it does not parse.
    public static func paths(of wanted: Set<Key>, in indexPath: String) throws -> [Key: String]? {
        guard FileManager.default.fileExists(atPath: indexPath) else { return nil }
        guard !wanted.isEmpty else { return [:] }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: indexPath), options: .alwaysMapped)
        } catch {
            throw ShardError.io(path: indexPath, reason: "cannot read: \(error.localizedDescription)")
        }
        var found: [Key: String] = [:]
        var header = true
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            try forEachRecord(bytes.bindMemory(to: UInt8.self), path: indexPath) { fields, line in
                if header {
                    header = false
                    guard fields == ShardIndexWriter.header else {
                        throw ShardError.invalidIndex(path: indexPath, reason: "line 1 is not the header \(ShardIndexWriter.header.joined(separator: ","))")
                    }
                    return
                }
                guard fields.count == 4, let row = Int(fields[1]) else {
                    throw ShardError.invalidIndex(path: indexPath, reason: "line \(line) does not hold shard,row,path,label")
                }
                let key = Key(shard: fields[0], row: row)
                if wanted.contains(key) { found[key] = fields[2] }
            }
        }
        return found
    }

    /// Calls `body` with the fields of each record and the line it starts on.
    private static func forEachRecord(_ bytes: UnsafeBufferPointer<UInt8>, path: String,
                                      _ body: ([String], Int) throws -> Void) throws {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var fields: [String] = []
        var field: [UInt8] = []
        var index = 0, line = 1, recordLine = 1
        var quoted = false, atFieldStart = true
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            atFieldStart = true
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == quote {
                    if index < bytes.count && bytes[index] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == newline { line += 1 }
                    field.append(byte)
                }
            } else if byte == quote && atFieldStart {
                quoted = true
                atFieldStart = false
            } else if byte == comma {
                endField()
            } else if byte == newline {
                endField()
                try body(fields, recordLine)
                fields.removeAll(keepingCapacity: true)
                line += 1
                recordLine = line
            } else if byte != cr {
                field.append(byte)
                atFieldStart = false
            }
        }
        guard !quoted else { throw ShardError.invalidIndex(path: path, reason: "line \(recordLine) has an unterminated quote") }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            try body(fields, recordLine)
        }
    }
}

import Foundation

/// Writes `shards/<split>-index.csv`, which traces every row of every shard to its source image:
///
///     shard,row,path,label
///     train-00000.safetensors,0,data/train/cat/1.jpg,cat
///     train-00000.safetensors,1,"data/train/dog/a,b.jpg",dog
///
/// RFC 4180 CSV in UTF-8 with `\n` line ends (like `split.csv`): a field is quoted when it holds a
/// comma, a quote or a line break, and quotes inside are doubled. `row` counts from 0 within the
/// shard; `label` is the class name (empty for an unlabeled sample). Rows come in shard order.
/// Streamed through a buffer to `<name>.tmp` and renamed into place by `finish()`.
public final class ShardIndexWriter {
    public static let header = ["shard", "row", "path", "label"]

    public let folder: String
    public let fileName: String
    public let durable: Bool
    private var output: FileOutput?
    private let temporaryPath: String

    /// Creates `<folder>/<fileName>.tmp` and writes the header row.
    public init(folder: String, fileName: String, durable: Bool = true) throws(ShardError) {
        self.folder = folder
        self.fileName = fileName
        self.durable = durable
        temporaryPath = AtomicFile.temporaryPath(folder: folder, name: fileName)
        let output = try FileOutput(creating: temporaryPath)
        self.output = output
        try output.write(Array((Self.header.joined(separator: ",") + "\n").utf8))
    }

    deinit {
        if output != nil { unlink(temporaryPath) }
    }

    /// Appends the row for sample `row` of `shard`.
    public func append(shard: String, row: Int, path: String, label: String) throws(ShardError) {
        guard let output else { preconditionFailure("append after finish") }
        let line = [shard, String(row), path, label].map(Self.quoted).joined(separator: ",") + "\n"
        try output.write(Array(line.utf8))
    }

    /// Fsyncs (when durable) and renames the index into place.
    public func finish() throws(ShardError) {
        guard let output else { preconditionFailure("finish called twice") }
        self.output = nil
        do {
            try output.close(durable: durable)
            try AtomicFile.commit(temporaryPath, to: folder + "/" + fileName, durable: durable)
        } catch {
            unlink(temporaryPath)
            throw error
        }
    }

    /// `field` as an RFC 4180 field: quoted, with quotes doubled, when it holds `,`, `"`, CR or LF.
    public static func quoted(_ field: String) -> String {
        guard field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D })
        else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

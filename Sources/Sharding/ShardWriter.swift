import Foundation

/// Writes one dsprep shard as a stream, in memory that does not grow with the shard.
///
/// A shard is a safetensors file (layout: `SafetensorsHeader.swift`) holding, in this order:
///
///     __metadata__  { "first_row": "<n>", "format": "dsprep-shard-1", "split": "<split>", ...caller's keys }
///     images        U8 | F16 | F32  [N, H, W, C]   data_offsets [0, N*H*W*C*size]
///     labels        I64             [N]            data_offsets [N*H*W*C*size, that + 8N]
///
/// `labels` holds the index into the manifest's classes, -1 for unlabeled. Images come first so
/// they start 8-aligned in the file; labels are aligned whenever a row is a multiple of 8 bytes.
///
/// Streaming: the writer is told its `capacity` (the most samples it may take) when it starts, so
/// it knows the longest header it could need: the header for `capacity` samples, since every
/// number in it only grows with N. It reserves that many bytes (a multiple of 8), streams image
/// rows after them to `<file>.tmp` through a 1 MiB buffer, keeps only the labels (8 bytes a
/// sample) in memory, and on `finish()` appends the labels, writes the real header into the
/// reserved room padded with spaces, fsyncs, and renames the file into place. A full shard's header
/// is padded only to a multiple of 8; a last, partly filled shard's may carry a few more spaces.
/// The same samples, capacity and metadata always give the same bytes.
public final class ShardWriter {
    public let folder: String
    public let fileName: String
    public let image: ImageLayout
    public let split: String
    public let firstRow: Int
    public let classCount: Int
    /// The most samples the shard may hold.
    public let capacity: Int
    /// Whether `finish()` fsyncs the file and its folder.
    public let durable: Bool

    private let metadata: [String: String]
    private let headerLength: Int
    private let temporaryPath: String
    private var output: FileOutput?
    private var labels: [Int64] = []
    private var classCounts: [Int]
    private var unlabeled = 0
    private var scratch: [UInt8] = []

    /// Creates `<folder>/<fileName>.tmp` and reserves room for the header.
    /// - Parameters:
    ///   - split: stored in the metadata; a shard belongs to one split.
    ///   - firstRow: the row number, within the split, of the first sample; stored in the metadata.
    ///   - classCount: the number of classes in the manifest; labels must be in `-1..<classCount`.
    ///   - capacity: the most samples the shard will take (see `capacity(image:split:firstRow:metadata:targetBytes:)`).
    ///   - metadata: more `__metadata__` strings; `format`, `split` and `first_row` are the writer's own.
    ///   - durable: fsync the file and its folder on `finish()`.
    /// - Throws: `ShardError.io` if the temporary file cannot be created or written.
    public init(folder: String, fileName: String, image: ImageLayout, split: String, firstRow: Int = 0, classCount: Int,
                capacity: Int, metadata: [String: String] = [:], durable: Bool = true) throws(ShardError) {
        precondition(capacity > 0, "a shard's capacity must be positive")
        precondition(firstRow >= 0 && classCount >= 0)
        precondition(metadata.keys.allSatisfy { !ShardFormat.MetadataKey.reserved.contains($0) },
                     "format, split and first_row are set by the shard writer")
        self.folder = folder
        self.fileName = fileName
        self.image = image
        self.split = split
        self.firstRow = firstRow
        self.classCount = classCount
        self.capacity = capacity
        self.durable = durable
        self.metadata = Self.metadata(split: split, firstRow: firstRow, extra: metadata)
        headerLength = Self.header(image: image, count: capacity, metadata: self.metadata).encoded().count - 8
        classCounts = Array(repeating: 0, count: classCount)
        labels.reserveCapacity(min(capacity, 1 << 16))
        temporaryPath = AtomicFile.temporaryPath(folder: folder, name: fileName)
        let output = try FileOutput(creating: temporaryPath)
        self.output = output
        try output.writeZeros(8 + headerLength)
    }

    deinit {
        if output != nil { unlink(temporaryPath) }
    }

    /// The final path, `<folder>/<fileName>`.
    public var path: String { folder + "/" + fileName }

    /// Samples written so far.
    public var count: Int { labels.count }

    /// Whether the shard holds `capacity` samples.
    public var isFull: Bool { labels.count >= capacity }

    /// Appends one image already encoded in the shard's dtype (little-endian, `[H, W, C]` row-major).
    /// - Precondition: `row.count == image.rowByteCount`, `label` in `-1..<classCount`, not full.
    public func append(row: UnsafeRawBufferPointer, label: Int64) throws(ShardError) {
        precondition(row.count == image.rowByteCount, "a row of \(image) takes \(image.rowByteCount) bytes, not \(row.count)")
        try record(label)
        guard let output else { preconditionFailure("append after finish") }
        try output.write(row)
    }

    /// Appends one image given as `Float`s, stored as F32 or rounded to F16 (nearest, ties to even).
    /// - Precondition: the shard's dtype is `.float16` or `.float32`, `values.count == image.elementCount`,
    ///   `label` in `-1..<classCount`, not full.
    public func append(values: UnsafeBufferPointer<Float>, label: Int64) throws(ShardError) {
        precondition(values.count == image.elementCount, "an image of \(image) has \(image.elementCount) values, not \(values.count)")
        precondition(image.dtype != .uint8, "append(values:) needs an F16 or F32 shard; append U8 pixels with append(row:)")
        if image.dtype == .float32 && 1.littleEndian == 1 {    // the values' memory is already the file's bytes
            try record(label)
            guard let output else { preconditionFailure("append after finish") }
            try output.write(UnsafeRawBufferPointer(values))
            return
        }
        if scratch.count != image.rowByteCount { scratch = Array(repeating: 0, count: image.rowByteCount) }
        let dtype = image.dtype
        scratch.withUnsafeMutableBytes { out in
            if dtype == .float16 {
                for index in values.indices {
                    out.storeBytes(of: Float16Conversion.bits(from: values[index]).littleEndian, toByteOffset: index * 2, as: UInt16.self)
                }
            } else {
                for index in values.indices {
                    out.storeBytes(of: values[index].bitPattern.littleEndian, toByteOffset: index * 4, as: UInt32.self)
                }
            }
        }
        try record(label)
        guard let output else { preconditionFailure("append after finish") }
        try output.write(scratch)
    }

    private func record(_ label: Int64) throws(ShardError) {
        precondition(!isFull, "the shard already holds its capacity of \(capacity) samples")
        precondition(label >= -1 && label < Int64(classCount), "label \(label) is outside -1..<\(classCount)")
        if label < 0 { unlabeled += 1 } else { classCounts[Int(label)] += 1 }
        labels.append(label)
    }

    /// Writes the labels and the header, fsyncs (when durable) and renames the shard into place.
    /// - Returns: what the shard holds (without a SHA-256).
    /// - Throws: `ShardError.io`; the temporary file is removed.
    public func finish() throws(ShardError) -> ShardInfo {
        guard let output else { preconditionFailure("finish called twice") }
        do {
            var labelBytes: [UInt8] = []
            labelBytes.reserveCapacity(labels.count * 8)
            for label in labels { withUnsafeBytes(of: label.littleEndian) { labelBytes.append(contentsOf: $0) } }
            try output.write(labelBytes)
            let header = Self.header(image: image, count: labels.count, metadata: metadata).encoded(paddedTo: headerLength)
            try output.overwrite(header, at: 0)
            try output.close(durable: durable)
            try AtomicFile.commit(temporaryPath, to: path, durable: durable)
        } catch {
            unlink(temporaryPath)
            self.output = nil
            throw error
        }
        let size = output.size
        self.output = nil
        return ShardInfo(file: fileName, split: split, count: labels.count, bytes: size, firstRow: firstRow,
                         classCounts: classCounts, unlabeled: unlabeled)
    }

    /// Stops writing and removes the temporary file.
    public func abandon() {
        guard output != nil else { return }
        output = nil
        unlink(temporaryPath)
    }

    // MARK: Layout

    /// The most samples a shard can hold and stay within `targetBytes` (at least 1, even when one
    /// sample alone is larger): `8 + header + N * (rowByteCount + 8) <= targetBytes`.
    public static func capacity(image: ImageLayout, split: String, firstRow: Int, metadata: [String: String] = [:],
                                targetBytes: Int) -> Int {
        let fullMetadata = Self.metadata(split: split, firstRow: firstRow, extra: metadata)
        let perSample = image.rowByteCount + 8
        func fileSize(_ count: Int) -> Int { header(image: image, count: count, metadata: fullMetadata).encoded().count + count * perSample }
        var count = max(1, (targetBytes - fileSize(0)) / perSample)
        while count > 1 && fileSize(count) > targetBytes { count -= 1 }
        return count
    }

    /// The size of a finished shard holding `count` samples, for a writer of this capacity.
    public func fileSize(count: Int) -> Int { 8 + headerLength + count * (image.rowByteCount + 8) }

    static func metadata(split: String, firstRow: Int, extra: [String: String]) -> [String: String] {
        extra.merging([ShardFormat.MetadataKey.format: ShardFormat.name, ShardFormat.MetadataKey.split: split,
                       ShardFormat.MetadataKey.firstRow: String(firstRow)]) { $1 }
    }

    /// The header of a shard of `count` images.
    static func header(image: ImageLayout, count: Int, metadata: [String: String]) -> SafetensorsHeader {
        let imageBytes = count * image.rowByteCount
        return SafetensorsHeader(metadata: metadata, tensors: [
            TensorInfo(name: "images", dtype: image.dtype.tensorDType, shape: [count] + image.shape, dataOffsets: 0..<imageBytes),
            TensorInfo(name: "labels", dtype: .int64, shape: [count], dataOffsets: imageBytes..<(imageBytes + 8 * count)),
        ])
    }
}

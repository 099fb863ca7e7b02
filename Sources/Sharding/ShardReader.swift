/// A dsprep shard opened for reading: a checked safetensors file that also holds `images`
/// `[N, H, W, C]` (U8, F16 or F32) and `labels` `I64 [N]`, with `format: dsprep-shard-1` and a
/// `split` in its metadata.
///
/// Rows are read in place from the mapping (random access costs nothing up front); the labels
/// are copied out once on open. Safe to share between threads.
public final class ShardReader: Sendable {
    public let file: SafetensorsReader
    /// N, the number of samples.
    public let count: Int
    /// H, W, C and the element type of each image.
    public let image: ImageLayout
    /// The split named in the metadata.
    public let split: String
    /// The label of each row: an index into the manifest's classes, or -1 for unlabeled.
    public let labels: [Int64]
    private let imagesTensor: TensorInfo

    /// Opens and checks the shard at `path`.
    /// - Throws: any `ShardError` of `SafetensorsReader`, then `.notAShard`, `.missingTensor` or
    ///   `.wrongLayout`.
    public convenience init(path: String) throws(ShardError) {
        try self.init(file: SafetensorsReader(path: path))
    }

    /// Checks that the safetensors `file` is a dsprep shard.
    public init(file: SafetensorsReader) throws(ShardError) {
        let path = file.path
        let metadata = file.metadata
        guard metadata[ShardFormat.MetadataKey.format] == ShardFormat.name else {
            throw .notAShard(path: path, format: metadata[ShardFormat.MetadataKey.format])
        }
        guard let split = metadata[ShardFormat.MetadataKey.split] else {
            throw .wrongLayout(path: path, tensor: "__metadata__", reason: "no split")
        }
        guard let images = file.tensor(named: "images") else { throw .missingTensor(path: path, tensor: "images") }
        guard let labels = file.tensor(named: "labels") else { throw .missingTensor(path: path, tensor: "labels") }
        guard let dtype = ImageDType(images.dtype) else {
            throw .wrongLayout(path: path, tensor: "images", reason: "dtype \(images.dtype.rawValue) is not U8, F16 or F32")
        }
        guard images.shape.count == 4, images.shape[1...].allSatisfy({ $0 > 0 }),
              Self.product(images.shape[1...], dtype.byteSize) != nil   // an empty shard's rows could claim any size
        else {
            throw .wrongLayout(path: path, tensor: "images", reason: "shape \(images.shape) is not [N, H, W, C] with positive H, W, C")
        }
        guard labels.dtype == .int64 else {
            throw .wrongLayout(path: path, tensor: "labels", reason: "dtype \(labels.dtype.rawValue) is not I64")
        }
        guard labels.shape == [images.shape[0]] else {
            throw .wrongLayout(path: path, tensor: "labels", reason: "shape \(labels.shape) is not [\(images.shape[0])], one label per image")
        }
        self.file = file
        self.split = split
        count = images.shape[0]
        image = ImageLayout(height: images.shape[1], width: images.shape[2], channels: images.shape[3], dtype: dtype)
        imagesTensor = images
        let bytes = file.bytes(of: labels)
        self.labels = (0..<count).map { Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
    }

    /// `initial * product(dimensions)`, or nil if it overflows.
    private static func product(_ dimensions: ArraySlice<Int>, _ initial: Int) -> Int? {
        var product = initial
        for dimension in dimensions {
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// The shard's `__metadata__`.
    public var metadata: [String: String] { file.metadata }

    /// The row number of the first sample within its split, from the metadata (nil if absent or not a number).
    public var firstRow: Int? { file.metadata[ShardFormat.MetadataKey.firstRow].flatMap { Int($0) } }

    /// All images, `[N, H, W, C]` row-major little-endian elements of `image.dtype`, valid while the reader lives.
    public var images: UnsafeRawBufferPointer { file.bytes(of: imagesTensor) }

    /// The bytes of image `index`: `H * W * C` elements of `image.dtype`, valid while the reader lives.
    /// - Precondition: `0 <= index < count`.
    public func row(_ index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "row \(index) is outside 0..<\(count)")
        let size = image.rowByteCount
        return UnsafeRawBufferPointer(rebasing: images[(index * size)..<((index + 1) * size)])
    }

    /// Image `index` as `Float`s (U8 values as 0...255, F16 widened exactly).
    public func floats(row index: Int) -> [Float] {
        let bytes = row(index)
        switch image.dtype {
        case .uint8:
            return bytes.map { Float($0) }
        case .float16:
            return (0..<image.elementCount).map {
                Float16Conversion.float(fromBits: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))
            }
        case .float32:
            return (0..<image.elementCount).map {
                Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
            }
        }
    }
}

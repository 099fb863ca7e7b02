// The safetensors byte layout, as dsprep writes and reads it
// (https://github.com/huggingface/safetensors, "Format"):
//
//   offset 0        8-byte little-endian unsigned integer N, the header length
//   offset 8        N bytes of UTF-8 JSON, an object, padded at the end with spaces (0x20):
//                     { "__metadata__": { "<key>": "<string>", ... },     (optional)
//                       "<tensor>": { "dtype": "U8", "shape": [d0, d1, ...],
//                                     "data_offsets": [begin, end] }, ... }
//   offset 8 + N    the data area: each tensor's elements, row-major, little-endian, at
//                   [begin, end) relative to the start of the data area
//
// Rules a valid file keeps (the reference reader's checks, each one a `ShardError` case):
// - the file holds at least the 8 length bytes; N <= 100,000,000 and 8 + N <= file size;
// - the header is UTF-8 JSON, an object starting at its first byte;
// - each tensor has a known dtype, a shape of non-negative integers, and integer offsets with
//   begin <= end <= data size and end - begin == product(shape) * dtype size;
// - the tensors, ordered by offset, cover the data area exactly: no overlap, no gap, no bytes
//   after the last tensor;
// - `__metadata__`, if present, maps strings to strings.
//
// dsprep's writer makes N a multiple of 8 (so the data area starts 8-aligned), writes compact JSON
// with a fixed key order (`__metadata__` with its keys sorted, then tensors in data order, each
// as dtype, shape, data_offsets), so identical input gives identical bytes. A writer that reserves
// room for the header before it knows its final size pads with more spaces; JSON allows that
// whitespace and the reference reader accepts it.

/// One tensor named in a safetensors header.
public struct TensorInfo: Sendable, Equatable {
    public var name: String
    public var dtype: TensorDType
    public var shape: [Int]
    /// The tensor's bytes, relative to the start of the data area.
    public var dataOffsets: Range<Int>

    public init(name: String, dtype: TensorDType, shape: [Int], dataOffsets: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.dataOffsets = dataOffsets
    }

    /// `product(shape)`.
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors header: the tensors and the `__metadata__` strings.
public struct SafetensorsHeader: Sendable, Equatable {
    public var metadata: [String: String]
    /// In data order when parsed; in the order given when rendered.
    public var tensors: [TensorInfo]

    public init(metadata: [String: String], tensors: [TensorInfo]) {
        self.metadata = metadata
        self.tensors = tensors
    }

    /// The tensor called `name`, if any.
    public func tensor(named name: String) -> TensorInfo? { tensors.first { $0.name == name } }

    /// The size of the data area the tensors describe: the end of the last one.
    public var dataSize: Int { tensors.map(\.dataOffsets.upperBound).max() ?? 0 }

    // MARK: Writing

    /// The compact JSON text: `__metadata__` (keys sorted) when not empty, then the tensors in
    /// order, each as `{"dtype":..,"shape":[..],"data_offsets":[b,e]}`. No padding.
    public func json() -> [UInt8] {
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                .map { HeaderJSON.quoted($0) + ":" + HeaderJSON.quoted(metadata[$0] ?? "") }
            members.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        for tensor in tensors {
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append(HeaderJSON.quoted(tensor.name) + ":{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(tensor.dataOffsets.lowerBound),\(tensor.dataOffsets.upperBound)]}")
        }
        return Array(("{" + members.joined(separator: ",") + "}").utf8)
    }

    /// The first bytes of a file holding this header: the 8-byte length, then the JSON padded with
    /// spaces to `length` bytes (by default the next multiple of 8).
    /// - Precondition: `length`, when given, is at least the JSON's size.
    public func encoded(paddedTo length: Int? = nil) -> [UInt8] {
        let text = json()
        let padded = length ?? (text.count + 7) / 8 * 8
        precondition(padded >= text.count, "the header needs \(text.count) bytes, only \(padded) were reserved")
        var bytes = withUnsafeBytes(of: UInt64(padded).littleEndian) { Array($0) }
        bytes.reserveCapacity(8 + padded)
        bytes += text
        bytes += repeatElement(UInt8(ascii: " "), count: padded - text.count)
        return bytes
    }

    // MARK: Reading

    /// Parses and checks the header of the safetensors file whose bytes are `file`, treating them
    /// as hostile: every rule at the top of this file is checked.
    /// - Parameter path: names the file in errors.
    /// - Returns: the header (tensors in data order) and the offset of the data area in `file`.
    /// - Throws: the `ShardError` of the first rule broken.
    public static func parse(file: UnsafeRawBufferPointer, path: String) throws(ShardError) -> (header: SafetensorsHeader, dataStart: Int) {
        guard file.count >= 8 else { throw .truncated(path: path, size: file.count) }
        let length = UInt64(littleEndian: file.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard length <= UInt64(ShardFormat.maximumHeaderLength) else { throw .headerTooLarge(path: path, length: length) }
        guard length <= UInt64(file.count - 8) else { throw .headerPastEnd(path: path, length: length, fileSize: file.count) }
        let dataStart = 8 + Int(length)
        let text = UnsafeRawBufferPointer(rebasing: file[8..<dataStart])
        guard HeaderJSON.isValidUTF8(text) else { throw .headerNotUTF8(path: path) }
        let json: JSONValue
        do {
            json = try HeaderJSON.parse(text)
        } catch {
            throw .headerNotJSON(path: path, reason: error.reason)
        }
        guard text.first == UInt8(ascii: "{"), case .object(let members) = json else { throw .headerNotObject(path: path) }

        let dataSize = file.count - dataStart
        var metadata: [String: String] = [:]
        var tensors: [TensorInfo] = []
        for member in members {
            if member.key == "__metadata__" {
                guard case .object(let pairs) = member.value else { throw .metadataNotStrings(path: path, key: "") }
                for pair in pairs {
                    guard case .string(let value) = pair.value else { throw .metadataNotStrings(path: path, key: pair.key) }
                    metadata[pair.key] = value
                }
            } else {
                tensors.append(try tensor(member.key, member.value, dataSize: dataSize, path: path))
            }
        }
        try checkCoverage(tensors: &tensors, dataSize: dataSize, path: path)
        return (SafetensorsHeader(metadata: metadata, tensors: tensors), dataStart)
    }

    /// One tensor entry, checked on its own.
    private static func tensor(_ name: String, _ entry: JSONValue, dataSize: Int, path: String) throws(ShardError) -> TensorInfo {
        guard case .object(let fields) = entry else {
            throw .invalidTensorEntry(path: path, tensor: name, reason: "the entry is not an object")
        }
        var dtypeValue: JSONValue?, shapeValue: JSONValue?, offsetsValue: JSONValue?
        for field in fields {
            switch field.key {
            case "dtype": dtypeValue = field.value
            case "shape": shapeValue = field.value
            case "data_offsets": offsetsValue = field.value
            default: throw .invalidTensorEntry(path: path, tensor: name, reason: "unexpected field '\(field.key)'")
            }
        }
        guard let dtypeValue, let shapeValue, let offsetsValue else {
            let missing = [("dtype", dtypeValue), ("shape", shapeValue), ("data_offsets", offsetsValue)].first { $0.1 == nil }?.0 ?? ""
            throw .invalidTensorEntry(path: path, tensor: name, reason: "no '\(missing)' field")
        }
        guard case .string(let dtypeName) = dtypeValue else {
            throw .invalidTensorEntry(path: path, tensor: name, reason: "dtype is not a string")
        }
        guard let dtype = TensorDType(rawValue: dtypeName) else { throw .unknownDType(path: path, tensor: name, dtype: dtypeName) }

        guard case .array(let dimensions) = shapeValue else { throw .invalidShape(path: path, tensor: name) }
        var shape: [Int] = []
        var byteCount = dtype.byteSize
        for dimension in dimensions {
            guard let size = dimension.nonNegativeInt else { throw .invalidShape(path: path, tensor: name) }
            shape.append(size)
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw .invalidShape(path: path, tensor: name) }
            byteCount = product
        }

        guard case .array(let offsets) = offsetsValue, offsets.count == 2,
              let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt, begin <= end
        else { throw .invalidOffsets(path: path, tensor: name) }
        guard end <= dataSize else { throw .offsetsPastEnd(path: path, tensor: name, end: end, dataSize: dataSize) }
        guard end - begin == byteCount else {
            throw .sizeMismatch(path: path, tensor: name, expected: byteCount, actual: end - begin)
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// Sorts `tensors` by offset and checks that they tile `0..<dataSize` exactly.
    private static func checkCoverage(tensors: inout [TensorInfo], dataSize: Int, path: String) throws(ShardError) {
        tensors.sort {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name)
        }
        var covered = 0
        var previous: TensorInfo?
        for tensor in tensors {
            if tensor.dataOffsets.lowerBound < covered, let previous {
                throw .overlappingTensors(path: path, tensor: tensor.name, other: previous.name)
            }
            if tensor.dataOffsets.lowerBound > covered {
                throw .gap(path: path, begin: covered, end: tensor.dataOffsets.lowerBound)
            }
            covered = tensor.dataOffsets.upperBound
            previous = tensor
        }
        if covered < dataSize { throw .gap(path: path, begin: covered, end: dataSize) }
    }
}

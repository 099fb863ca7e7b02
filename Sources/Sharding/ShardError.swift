/// What is wrong with a shard, or with writing one: one case per check the reader makes, each
/// naming the file. `description` is the one line a user sees: `<path>: <what is wrong>`.
public enum ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened, mapped, written, synced or renamed.
    case io(path: String, reason: String)
    /// Shorter than the 8-byte header length.
    case truncated(path: String, size: Int)
    /// The header length exceeds `ShardFormat.maximumHeaderLength`.
    case headerTooLarge(path: String, length: UInt64)
    /// The header length runs past the end of the file.
    case headerPastEnd(path: String, length: UInt64, fileSize: Int)
    /// The header bytes are not UTF-8.
    case headerNotUTF8(path: String)
    /// The header is not valid JSON (or is nested deeper than a header can be, or repeats a key).
    case headerNotJSON(path: String, reason: String)
    /// The header is JSON but not an object starting at its first byte.
    case headerNotObject(path: String)
    /// A tensor's entry is not an object of `dtype`, `shape` and `data_offsets`.
    case invalidTensorEntry(path: String, tensor: String, reason: String)
    /// A tensor's dtype is not one `TensorDType` knows.
    case unknownDType(path: String, tensor: String, dtype: String)
    /// A tensor's shape is not a list of non-negative integers, or its size overflows.
    case invalidShape(path: String, tensor: String)
    /// A tensor's `data_offsets` is not `[begin, end]` with integers `0 <= begin <= end`.
    case invalidOffsets(path: String, tensor: String)
    /// A tensor ends past the end of the data area.
    case offsetsPastEnd(path: String, tensor: String, end: Int, dataSize: Int)
    /// A tensor's byte range does not match `product(shape) * dtype size`.
    case sizeMismatch(path: String, tensor: String, expected: Int, actual: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingTensors(path: String, tensor: String, other: String)
    /// Bytes of the data area that no tensor covers (between tensors, or at the end).
    case gap(path: String, begin: Int, end: Int)
    /// `__metadata__` is not an object of string values.
    case metadataNotStrings(path: String, key: String)
    /// A valid safetensors file without a tensor a dsprep shard must hold.
    case missingTensor(path: String, tensor: String)
    /// A valid safetensors file whose `__metadata__` does not say `format: dsprep-shard-1`.
    case notAShard(path: String, format: String?)
    /// `images` or `labels` has a dtype or shape a dsprep shard cannot have.
    case wrongLayout(path: String, tensor: String, reason: String)
    /// A `<split>-index.csv` that does not parse: the line and what is wrong with it.
    case invalidIndex(path: String, reason: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .io(let path, _), .truncated(let path, _), .headerTooLarge(let path, _),
             .headerPastEnd(let path, _, _), .headerNotUTF8(let path), .headerNotJSON(let path, _),
             .headerNotObject(let path), .invalidTensorEntry(let path, _, _), .unknownDType(let path, _, _),
             .invalidShape(let path, _), .invalidOffsets(let path, _), .offsetsPastEnd(let path, _, _, _),
             .sizeMismatch(let path, _, _, _), .overlappingTensors(let path, _, _), .gap(let path, _, _),
             .metadataNotStrings(let path, _), .missingTensor(let path, _), .notAShard(let path, _),
             .wrongLayout(let path, _, _), .invalidIndex(let path, _):
            path
        }
    }

    /// What is wrong, without the path.
    public var reason: String {
        switch self {
        case .io(_, let reason), .invalidIndex(_, let reason):
            reason
        case .truncated(_, let size):
            "truncated: \(size) bytes, shorter than the 8-byte header length"
        case .headerTooLarge(_, let length):
            "header length \(length) exceeds the limit of \(ShardFormat.maximumHeaderLength) bytes"
        case .headerPastEnd(_, let length, let fileSize):
            "header length \(length) runs past the end of the \(fileSize)-byte file"
        case .headerNotUTF8:
            "the header is not UTF-8"
        case .headerNotJSON(_, let reason):
            "the header is not valid JSON: \(reason)"
        case .headerNotObject:
            "the header is not a JSON object"
        case .invalidTensorEntry(_, let tensor, let reason):
            "tensor '\(tensor)': \(reason)"
        case .unknownDType(_, let tensor, let dtype):
            "tensor '\(tensor)': unknown dtype '\(dtype)'"
        case .invalidShape(_, let tensor):
            "tensor '\(tensor)': the shape is not a list of non-negative integers of a possible size"
        case .invalidOffsets(_, let tensor):
            "tensor '\(tensor)': data_offsets is not [begin, end] with 0 <= begin <= end"
        case .offsetsPastEnd(_, let tensor, let end, let dataSize):
            "tensor '\(tensor)' ends at byte \(end), past the end of the \(dataSize)-byte data area"
        case .sizeMismatch(_, let tensor, let expected, let actual):
            "tensor '\(tensor)' takes \(actual) bytes, but its shape and dtype need \(expected)"
        case .overlappingTensors(_, let tensor, let other):
            "tensors '\(other)' and '\(tensor)' overlap"
        case .gap(_, let begin, let end):
            "bytes \(begin)..<\(end) of the data area belong to no tensor"
        case .metadataNotStrings(_, let key):
            key.isEmpty ? "__metadata__ is not an object" : "__metadata__ value '\(key)' is not a string"
        case .missingTensor(_, let tensor):
            "no tensor '\(tensor)': not a dsprep shard"
        case .notAShard(_, let format):
            if let format { "format '\(format)' is not \(ShardFormat.name)" } else { "no format in __metadata__: not a dsprep shard" }
        case .wrongLayout(_, let tensor, let reason):
            "tensor '\(tensor)': \(reason)"
        }
    }

    public var description: String { "\(path): \(reason)" }
}

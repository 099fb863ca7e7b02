/// The element types a safetensors header can name, with their sizes in bytes.
///
/// The names are the reference implementation's. Sub-byte types (`F4`, `F6_*`) are not listed:
/// a reader meets them as an unknown dtype.
public enum TensorDType: String, Sendable, CaseIterable, Codable {
    case bool = "BOOL"
    case uint8 = "U8"
    case int8 = "I8"
    case float8E5M2 = "F8_E5M2"
    case float8E4M3 = "F8_E4M3"
    case int16 = "I16"
    case uint16 = "U16"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int32 = "I32"
    case uint32 = "U32"
    case float32 = "F32"
    case int64 = "I64"
    case uint64 = "U64"
    case float64 = "F64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E5M2, .float8E4M3: 1
        case .int16, .uint16, .float16, .bfloat16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        }
    }
}

/// The element type of a shard's `images` tensor, named as the manifest names it (NumPy's names).
public enum ImageDType: String, Sendable, CaseIterable, Codable {
    /// Pixels as decoded, 0...255.
    case uint8
    /// IEEE 754 half precision, rounded to nearest even from the caller's `Float`s.
    case float16
    /// IEEE 754 single precision.
    case float32

    /// The safetensors dtype that stores it.
    public var tensorDType: TensorDType {
        switch self {
        case .uint8: .uint8
        case .float16: .float16
        case .float32: .float32
        }
    }

    /// The image dtype stored as `dtype`, if any.
    public init?(_ dtype: TensorDType) {
        switch dtype {
        case .uint8: self = .uint8
        case .float16: self = .float16
        case .float32: self = .float32
        default: return nil
        }
    }

    /// Bytes per element.
    public var byteSize: Int { tensorDType.byteSize }
}

/// The shape and element type of every image in a shard: one row of `images [N, H, W, C]`.
public struct ImageLayout: Sendable, Hashable, Codable {
    public var height: Int
    public var width: Int
    public var channels: Int
    public var dtype: ImageDType

    /// - Precondition: every dimension is positive.
    public init(height: Int, width: Int, channels: Int, dtype: ImageDType = .uint8) {
        precondition(height > 0 && width > 0 && channels > 0, "image dimensions must be positive")
        self.height = height
        self.width = width
        self.channels = channels
        self.dtype = dtype
    }

    /// Elements per image: `height * width * channels`.
    public var elementCount: Int { height * width * channels }

    /// Bytes per image, `elementCount * dtype.byteSize`.
    public var rowByteCount: Int { elementCount * dtype.byteSize }

    /// `[H, W, C]`, the shape of one row.
    public var shape: [Int] { [height, width, channels] }
}

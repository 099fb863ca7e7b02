/// Why a file's header cannot be accepted as a decodable image.
///
/// `ImageInspector` returns one of these instead of an `ImageHeader`. Each case is a problem of
/// the file, not of the environment (a file that cannot be opened is a thrown POSIX error), so
/// the caller reports it, counts it and skips the file. `description` is the reason a user sees
/// after `dsprep: <path>: `, starting in lower case.
public enum ImageProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file has no bytes at all.
    case empty
    /// The first bytes match no image format that dsprep recognises.
    case notAnImage
    /// A recognised image format that dsprep does not decode (GIF, BMP, WebP, TIFF).
    case unsupportedFormat(ImageFormat)
    /// A JPEG with no end-of-image marker, a PNG with no IEND chunk, or a header that runs past
    /// the end of the bytes: the file was most likely cut short by a failed download or copy.
    case truncated(ImageFormat)
    /// The header is present but contradicts the format's rules; the string says which rule,
    /// in lower case (e.g. "bad IHDR CRC").
    case damaged(ImageFormat, String)

    /// The one-line reason, e.g. "truncated JPEG (no end-of-image marker)" or
    /// "damaged PNG: bad IHDR CRC".
    public var description: String {
        switch self {
        case .empty:
            "empty file"
        case .notAnImage:
            "not an image (unrecognised content)"
        case .unsupportedFormat(let format):
            "unsupported format (\(format.displayName))"
        case .truncated(let format):
            "truncated \(format.displayName) (\(Self.missingEnd(of: format)))"
        case .damaged(let format, let reason):
            "damaged \(format.displayName): \(reason)"
        }
    }

    /// What is missing at the end of a truncated file of `format`.
    private static func missingEnd(of format: ImageFormat) -> String {
        switch format {
        case .jpeg: "no end-of-image marker"
        case .png: "no IEND chunk"
        case .gif: "no trailer"
        case .bmp, .webp, .tiff: "file shorter than its header says"
        }
    }
}

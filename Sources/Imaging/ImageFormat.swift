/// The container format of an image file, recognised from its first bytes (its "magic"),
/// never from its name.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case jpeg, png, gif, bmp, webp, tiff

    /// Whether dsprep decodes this format (JPEG and PNG); the others are recognised only so
    /// that they can be reported as "unsupported format" rather than "not an image".
    public var isSupported: Bool { self == .jpeg || self == .png }

    /// The name users know the format by, e.g. "JPEG".
    public var displayName: String { rawValue.uppercased() }

    /// File-name extensions (lower case, no dot) that usually hold this format.
    public var extensions: Set<String> {
        switch self {
        case .jpeg: ["jpg", "jpeg", "jpe", "jfif"]
        case .png: ["png"]
        case .gif: ["gif"]
        case .bmp: ["bmp", "dib"]
        case .webp: ["webp"]
        case .tiff: ["tif", "tiff"]
        }
    }

    /// Every extension of every format: a file with one of these is expected to be an image.
    public static let imageExtensions: Set<String> = allCases.reduce(into: []) { $0.formUnion($1.extensions) }

    /// The format whose magic bytes start `bytes`, or nil when none matches.
    ///
    /// - JPEG: `FF D8 FF`
    /// - PNG: `89 50 4E 47 0D 0A 1A 0A`
    /// - GIF: `GIF87a` / `GIF89a`
    /// - BMP: `BM`
    /// - WebP: `RIFF....WEBP`
    /// - TIFF: `II*\0` / `MM\0*`
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + magic.count else { return false }
            for (i, byte) in magic.enumerated() where bytes[offset + i] != byte { return false }
            return true
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts(Array("BM".utf8)) && bytes.count >= 26 { return .bmp }
        return nil
    }

    /// The format that a file-name extension (any case, no dot) promises, if any.
    public static func expected(forExtension ext: String) -> ImageFormat? {
        let lower = ext.lowercased()
        return allCases.first { $0.extensions.contains(lower) }
    }
}

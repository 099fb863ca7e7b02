/// Reads a PNG's header: the IHDR chunk, checked against its CRC, and the chunks before the
/// first IDAT, without inflating any image data.
///
/// Byte layout (PNG, W3C Recommendation / ISO/IEC 15948), all integers big-endian:
///
///     89 50 4E 47 0D 0A 1A 0A       signature
///     chunk: length (UInt32, <= 2^31-1), type (4 ASCII letters), data (length bytes),
///            CRC-32 (ISO 3309) of type and data
///     IHDR   first, 13 bytes: width(4) height(4) bit depth(1) colour type(1)
///            compression(1) filter(1) interlace(1)
///     PLTE   the palette (required before IDAT for colour type 3)
///     tRNS   transparency for colour types 0, 2 and 3  -> hasAlpha
///     eXIf   a TIFF block like JPEG's EXIF               -> orientation
///     IDAT ... IEND (empty: 00 00 00 00 "IEND" AE 42 60 82)
///
/// Colour types and their allowed bit depths: 0 gray (1, 2, 4, 8, 16), 2 RGB (8, 16),
/// 3 palette (1, 2, 4, 8), 4 gray+alpha (8, 16), 6 RGBA (8, 16). Only the IHDR CRC is
/// checked (the header is all this reads; the decoder checks the rest). A chunk that runs
/// past the end of the bytes before the first IDAT means `.truncated(.png)`.
enum PNGHeaderParser {
    /// The complete IEND chunk searched for by the end-of-file check.
    static let endChunk: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    /// Signature (8) + IHDR length and type (8) + IHDR data (13) + CRC (4).
    private static let ihdrEnd = 33

    /// The header of the PNG in `bytes`, which must start with the PNG signature.
    ///
    /// - Returns: the header and the offset of the first IDAT chunk; or `.truncated(.png)`, or
    ///   `.damaged(.png, reason)` for a missing or corrupt IHDR, an invalid combination of its
    ///   fields, a malformed chunk, IEND before any IDAT, or a palette image without PLTE.
    static func readHeader(_ bytes: UnsafeRawBufferPointer) -> Result<ParsedHeader, ImageProblem> {
        guard bytes.count >= ihdrEnd else { return .failure(.truncated(.png)) }
        guard bytes.uint32(at: 8) == 13, bytes.starts(with: Array("IHDR".utf8), at: 12) else {
            return damaged("first chunk is not a 13-byte IHDR")
        }
        guard Int(crc32(UnsafeRawBufferPointer(rebasing: bytes[12..<29]))) == bytes.uint32(at: 29) else {
            return damaged("bad IHDR CRC")
        }
        let ihdr = UnsafeRawBufferPointer(rebasing: bytes[16..<29])
        let width = ihdr.uint32(at: 0) ?? 0, height = ihdr.uint32(at: 4) ?? 0
        let fields = (depth: ihdr[8], colour: ihdr[9], compression: ihdr[10], filter: ihdr[11], interlace: ihdr[12])
        guard width > 0, height > 0 else { return damaged("zero width or height") }
        guard width <= Int(Int32.max), height <= Int(Int32.max) else { return damaged("width or height over 2^31-1") }
        let depths: [UInt8: Set<UInt8>] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let allowed = depths[fields.colour] else { return damaged("invalid colour type \(fields.colour)") }
        guard allowed.contains(fields.depth) else {
            return damaged("bit depth \(fields.depth) not allowed for colour type \(fields.colour)")
        }
        guard fields.compression == 0 else { return damaged("unknown compression method \(fields.compression)") }
        guard fields.filter == 0 else { return damaged("unknown filter method \(fields.filter)") }
        guard fields.interlace <= 1 else { return damaged("unknown interlace method \(fields.interlace)") }

        var offset = ihdrEnd
        var hasPalette = false, hasTransparency = false
        var orientation: Int?
        while true {
            guard let length = bytes.uint32(at: offset), bytes.count - offset >= 8 else {
                return .failure(.truncated(.png))
            }
            let type = UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 8)])
            guard type.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                return damaged("malformed chunk type at offset \(offset + 4)")
            }
            guard length <= Int(Int32.max) else { return damaged("chunk length over 2^31-1") }
            let name = String(decoding: type, as: UTF8.self)
            if name == "IDAT" { break }
            if name == "IEND" { return damaged("no IDAT chunk before IEND") }
            guard length + 12 <= bytes.count - offset else { return .failure(.truncated(.png)) }
            let data = UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + 8 + length)])
            switch name {
            case "PLTE": hasPalette = true
            case "tRNS": hasTransparency = true
            case "eXIf" where orientation == nil: orientation = ExifOrientation.read(data)
            default: break
            }
            offset += length + 12
        }
        guard fields.colour != 3 || hasPalette else { return damaged("palette image without PLTE chunk") }

        let (colorModel, channels): (ColorModel, Int) = switch fields.colour {
        case 0: (.gray, 1)
        case 2: (.rgb, 3)
        case 3: (.palette, hasTransparency ? 4 : 3)
        case 4: (.grayAlpha, 2)
        default: (.rgba, 4)
        }
        let header = ImageHeader(format: .png, width: width, height: height, channels: channels,
                                 colorModel: colorModel, bitDepth: Int(fields.depth),
                                 hasAlpha: fields.colour == 4 || fields.colour == 6 || hasTransparency,
                                 orientation: orientation ?? ExifOrientation.normal,
                                 isProgressive: fields.interlace == 1)
        return .success(ParsedHeader(header: header, endOffset: offset))
    }

    /// Whether a complete IEND chunk occurs in `bytes` from `start` on.
    static func hasEndChunk(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        bytes.contains(endChunk, from: start)
    }

    /// The CRC-32 that PNG uses (ISO 3309, polynomial 0xEDB88320 reflected, as zlib's `crc32`).
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// The CRC of every byte value, computed once.
    private static let crcTable: [UInt32] = (0..<256).map { (index: UInt32) in
        var value = index
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    /// A `.damaged(.png, reason)` failure.
    private static func damaged<Success>(_ reason: String) -> Result<Success, ImageProblem> {
        .failure(.damaged(.png, reason))
    }
}

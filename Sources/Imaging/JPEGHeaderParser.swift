/// Reads a JPEG's header by walking its marker segments up to the frame header, without
/// touching the entropy-coded data.
///
/// Byte layout (ITU-T T.81 Annex B, with the EXIF and Adobe application segments):
///
///     FF D8                      SOI, start of image
///     FF [FF...] code            a marker: FF, optional fill bytes FF, then its code
///       01, D0-D7                TEM and RSTn: standalone, no length
///       anything else            length (UInt16 BE, counting itself, >= 2), payload
///     APP1  (E1)  "Exif\0\0" + TIFF block         -> orientation (ExifOrientation)
///     APP14 (EE)  "Adobe" version(2) flags0(2) flags1(2) transform(1)
///                 transform 2 = YCCK; 0 = RGB or CMYK as stored; 1 = YCbCr
///     SOFn  (C0-CF except C4 DHT, C8 JPG, CC DAC)
///                 precision(1) height(2) width(2) Nf(1), then Nf x (id, sampling, table)
///     ... DHT, DQT, SOS + entropy-coded data ..., FF D9  EOI, end of image
///
/// The walk stops at the first SOFn; segments after it are not read. As libjpeg does, bytes
/// that are not a marker where one is expected are skipped (libjpeg warns "extraneous bytes
/// before marker" and decodes the file). A segment that runs past the end of the bytes, or
/// bytes that end before a frame header, mean `.truncated(.jpeg)`.
enum JPEGHeaderParser {
    /// The end-of-image marker searched for by the end-of-file check.
    static let endOfImage: [UInt8] = [0xFF, 0xD9]

    /// The signature that starts the payload of an Adobe APP14 segment.
    private static let adobeSignature = Array("Adobe".utf8)

    /// The header of the JPEG in `bytes`, which must start with the JPEG magic `FF D8 FF`.
    ///
    /// - Returns: the header and the offset just past the frame header; or `.truncated(.jpeg)`,
    ///   or `.damaged(.jpeg, reason)` for a scan, EOI or second SOI before any frame header, an
    ///   impossible segment length, or a frame header with zero size, an unsupported number of
    ///   components or an impossible precision.
    static func readHeader(_ bytes: UnsafeRawBufferPointer) -> Result<ParsedHeader, ImageProblem> {
        var offset = 2  // just past SOI
        var orientation: Int?
        var adobeTransform: UInt8?
        while let (code, codeOffset) = nextMarker(in: bytes, from: offset) {
            offset = codeOffset + 1
            switch code {
            case 0x01, 0xD0...0xD7: continue
            case 0xD8: return damaged("second start-of-image marker before the frame header")
            case 0xD9: return damaged("end-of-image marker before the frame header")
            case 0xDA: return damaged("no frame header before scan data")
            default: break
            }
            guard let length = bytes.uint16(at: offset) else { return .failure(.truncated(.jpeg)) }
            guard length >= 2 else { return damaged("segment \(name(code)) has impossible length \(length)") }
            let end = offset + length
            guard end <= bytes.count else { return .failure(.truncated(.jpeg)) }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + 2)..<end])
            offset = end

            switch code {
            case 0xE1 where orientation == nil && payload.starts(with: ExifOrientation.app1Signature, at: 0):
                orientation = ExifOrientation.read(payload)
            case 0xEE where adobeTransform == nil && payload.starts(with: adobeSignature, at: 0):
                adobeTransform = payload.byte(at: 11)
            case 0xC0...0xCF where code != 0xC4 && code != 0xC8 && code != 0xCC:
                return frame(payload, code: code, orientation: orientation ?? ExifOrientation.normal,
                             adobeTransform: adobeTransform).map { ParsedHeader(header: $0, endOffset: end) }
            default:
                break
            }
        }
        return .failure(.truncated(.jpeg))
    }

    /// Whether the end-of-image marker occurs in `bytes` from `start` on.
    static func hasEndOfImage(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Bool {
        bytes.contains(endOfImage, from: start)
    }

    /// The header that the payload of frame header SOFn (`code`) describes.
    private static func frame(_ payload: UnsafeRawBufferPointer, code: UInt8, orientation: Int,
                              adobeTransform: UInt8?) -> Result<ImageHeader, ImageProblem> {
        guard let precision = payload.byte(at: 0), let height = payload.uint16(at: 1),
              let width = payload.uint16(at: 3), let components = payload.byte(at: 5)
        else { return damaged("frame header \(name(code)) too short") }
        guard width > 0, height > 0 else { return damaged("zero width or height") }
        guard (2...16).contains(precision) else { return damaged("impossible sample precision \(precision)") }
        guard payload.count >= 6 + 3 * Int(components) else {
            return damaged("frame header \(name(code)) too short for \(components) components")
        }
        let colorModel: ColorModel
        switch components {
        case 1: colorModel = .gray
        case 3: colorModel = .rgb
        case 4: colorModel = adobeTransform == 2 ? .ycck : .cmyk
        default: return damaged("\(components) colour components (only 1, 3 or 4 can be decoded)")
        }
        let progressive = code == 0xC2 || code == 0xC6 || code == 0xCA || code == 0xCE
        return .success(ImageHeader(format: .jpeg, width: width, height: height, channels: Int(components),
                                    colorModel: colorModel, bitDepth: Int(precision), hasAlpha: false,
                                    orientation: orientation, isProgressive: progressive))
    }

    /// The next marker at or after `start`: its code and the offset of the code byte. Skips
    /// fill bytes (`FF FF`), stuffed zeros (`FF 00`) and any other non-marker bytes; nil when
    /// the bytes end first.
    private static func nextMarker(in bytes: UnsafeRawBufferPointer, from start: Int) -> (UInt8, Int)? {
        var index = max(start, 0)
        while index + 1 < bytes.count {
            if bytes[index] == 0xFF {
                let code = bytes[index + 1]
                if code != 0xFF && code != 0x00 { return (code, index + 1) }
            }
            index += 1
        }
        return nil
    }

    /// A marker's name as the standard writes it, e.g. "FFE1".
    private static func name(_ code: UInt8) -> String {
        let hex = String(code, radix: 16, uppercase: true)
        return "FF" + (hex.count < 2 ? "0" : "") + hex
    }

    /// A `.damaged(.jpeg, reason)` failure.
    private static func damaged<Success>(_ reason: String) -> Result<Success, ImageProblem> {
        .failure(.damaged(.jpeg, reason))
    }
}

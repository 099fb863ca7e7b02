import Testing
@testable import Imaging

/// Bytes no encoder would write: each must give its exact problem (or a header with
/// orientation 1 for a broken EXIF block), and nothing may trap.
@Suite("ImageInspector on hostile bytes")
struct ImageInspectorHostileTests {
    /// A hostile byte sequence and what `inspect` must say of it.
    struct HostileCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var bytes: [UInt8]
        var expected: Result<ImageHeader, ImageProblem>
    }

    /// The JPEG fixture with `segment` inserted just after SOI.
    static func jpegWithSegment(_ segment: [UInt8]) throws -> [UInt8] {
        let jpeg = try Fixture.bytes("rgb_8x6_q90.jpg")
        return Array(jpeg[0..<2]) + segment + Array(jpeg[2...])
    }

    /// An APP1 segment holding "Exif\0\0" and `tiff`.
    static func app1(_ tiff: [UInt8]) -> [UInt8] {
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// A PNG made of the signature, an IHDR with the given fields (and a correct CRC), `chunks`
    /// and the IDAT and IEND of the RGB fixture.
    static func png(width: UInt32 = 8, height: UInt32 = 6, depth: UInt8 = 8, colour: UInt8 = 2,
                    interlace: UInt8 = 0, chunks: [UInt8] = []) throws -> [UInt8] {
        let fixture = try Fixture.bytes("rgb_8x6.png")
        let ihdr = bigEndian32(width) + bigEndian32(height) + [depth, colour, 0, 0, interlace]
        return Array(fixture[0..<8]) + pngChunk("IHDR", ihdr) + chunks + Array(fixture[33...])
    }

    static func cases() throws -> [HostileCase] {
        let soi = hex("FF D8")
        return [
            HostileCase(testDescription: "SOI, then APP0 longer than the file",
                        bytes: soi + hex("FF E0 00 10 4A 46 49 46"), expected: .failure(.truncated(.jpeg))),
            HostileCase(testDescription: "SOI, then APP1 of length 65535",
                        bytes: soi + hex("FF E1 FF FF") + Array("Exif".utf8) + [0, 0],
                        expected: .failure(.truncated(.jpeg))),
            HostileCase(testDescription: "SOI, then a segment of length 1",
                        bytes: soi + hex("FF E0 00 01 FF D9"),
                        expected: .failure(.damaged(.jpeg, "segment FFE0 has impossible length 1"))),
            HostileCase(testDescription: "SOI, then a scan", bytes: soi + hex("FF DA 00 08 01 01 00 00 3F 00 FF D9"),
                        expected: .failure(.damaged(.jpeg, "no frame header before scan data"))),
            HostileCase(testDescription: "SOI, then EOI", bytes: soi + hex("FF D9"),
                        expected: .failure(.damaged(.jpeg, "end-of-image marker before the frame header"))),
            HostileCase(testDescription: "SOI twice", bytes: soi + hex("FF D8 FF D9"),
                        expected: .failure(.damaged(.jpeg, "second start-of-image marker before the frame header"))),
            HostileCase(testDescription: "SOF0 with 2 components",
                        bytes: soi + hex("FF C0 00 0E 08 00 06 00 08 02 01 11 00 02 11 00 FF D9"),
                        expected: .failure(.damaged(.jpeg, "2 colour components (only 1, 3 or 4 can be decoded)"))),
            HostileCase(testDescription: "SOF0 too short for its components",
                        bytes: soi + hex("FF C0 00 08 08 00 06 00 08 03 FF D9"),
                        expected: .failure(.damaged(.jpeg, "frame header FFC0 too short for 3 components"))),
            HostileCase(testDescription: "SOF0 with precision 0",
                        bytes: soi + hex("FF C0 00 0B 00 00 06 00 08 01 01 11 00 FF D9"),
                        expected: .failure(.damaged(.jpeg, "impossible sample precision 0"))),
            HostileCase(testDescription: "SOF0 with height 0 (DNL)",
                        bytes: soi + hex("FF C0 00 0B 08 00 00 00 08 01 01 11 00 FF D9"),
                        expected: .failure(.damaged(.jpeg, "zero width or height"))),
            HostileCase(testDescription: "SOI, fill bytes, RST and TEM markers and garbage before a 12-bit SOF1",
                        bytes: soi + hex("FF FF FF D0 FF 01 12 34 FF 00 FF C1 00 0B 0C 01 00 02 00 01 01 11 00 FF D9"),
                        expected: .success(ImageHeader(format: .jpeg, width: 512, height: 256, channels: 1,
                                                       colorModel: .gray, bitDepth: 12, hasAlpha: false,
                                                       orientation: 1, isProgressive: false))),
            HostileCase(testDescription: "EXIF whose IFD0 offset points out of bounds",
                        bytes: try jpegWithSegment(app1(hex("4D 4D 00 2A 7F FF FF FF"))),
                        expected: .success(jpegHeader())),
            HostileCase(testDescription: "EXIF whose IFD0 claims 65535 entries",
                        bytes: try jpegWithSegment(app1(hex("49 49 2A 00 08 00 00 00 FF FF 12 01 03 00"))),
                        expected: .success(jpegHeader())),
            HostileCase(testDescription: "EXIF with an unknown byte order",
                        bytes: try jpegWithSegment(app1(hex("4D 49 00 2A 00 00 00 08 00 01 01 12 00 03 00 00 00 01 00 06 00 00"))),
                        expected: .success(jpegHeader())),
            HostileCase(testDescription: "EXIF orientation as LONG, little-endian",
                        bytes: try jpegWithSegment(app1(hex("49 49 2A 00 08 00 00 00 01 00 12 01 04 00 01 00 00 00 08 00 00 00"))),
                        expected: .success(jpegHeader(orientation: 8))),
            HostileCase(testDescription: "EXIF orientation 0",
                        bytes: try jpegWithSegment(app1(hex("4D 4D 00 2A 00 00 00 08 00 01 01 12 00 03 00 00 00 01 00 00 00 00"))),
                        expected: .success(jpegHeader())),
            HostileCase(testDescription: "PNG signature only", bytes: try Array(Fixture.bytes("rgb_8x6.png")[0..<8]),
                        expected: .failure(.truncated(.png))),
            HostileCase(testDescription: "PNG RGB at depth 4", bytes: try png(depth: 4),
                        expected: .failure(.damaged(.png, "bit depth 4 not allowed for colour type 2"))),
            HostileCase(testDescription: "PNG colour type 5", bytes: try png(colour: 5),
                        expected: .failure(.damaged(.png, "invalid colour type 5"))),
            HostileCase(testDescription: "PNG width 0", bytes: try png(width: 0),
                        expected: .failure(.damaged(.png, "zero width or height"))),
            HostileCase(testDescription: "PNG height 2^31", bytes: try png(height: 0x8000_0000),
                        expected: .failure(.damaged(.png, "width or height over 2^31-1"))),
            HostileCase(testDescription: "PNG interlace method 2", bytes: try png(interlace: 2),
                        expected: .failure(.damaged(.png, "unknown interlace method 2"))),
            HostileCase(testDescription: "PNG palette without PLTE", bytes: try png(depth: 8, colour: 3),
                        expected: .failure(.damaged(.png, "palette image without PLTE chunk"))),
            HostileCase(testDescription: "PNG gray with tRNS", bytes: try png(colour: 0, chunks: pngChunk("tRNS", [0, 0])),
                        expected: .success(pngHeader(channels: 1, .gray, hasAlpha: true))),
            HostileCase(testDescription: "PNG chunk of length 2^32-1 before IDAT",
                        bytes: try png(chunks: hex("FF FF FF FF 74 45 58 74")),
                        expected: .failure(.damaged(.png, "chunk length over 2^31-1"))),
            HostileCase(testDescription: "PNG chunk longer than the file before IDAT",
                        bytes: try png(chunks: hex("00 10 00 00 74 45 58 74")),
                        expected: .failure(.truncated(.png))),
            HostileCase(testDescription: "PNG chunk type that is not letters",
                        bytes: try png(chunks: hex("00 00 00 00 74 45 00 74 00 00 00 00")),
                        expected: .failure(.damaged(.png, "malformed chunk type at offset 37"))),
            HostileCase(testDescription: "PNG IEND before IDAT",
                        bytes: hex("89 50 4E 47 0D 0A 1A 0A") + pngChunk("IHDR", hex("00000008 00000006 08 02 00 00 00"))
                            + PNGHeaderParser.endChunk,
                        expected: .failure(.damaged(.png, "no IDAT chunk before IEND"))),
            HostileCase(testDescription: "PNG whose first chunk is not IHDR",
                        bytes: hex("89 50 4E 47 0D 0A 1A 0A") + pngChunk("gAMA", hex("0000B18F 00000000 00 00 00 00 00")),
                        expected: .failure(.damaged(.png, "first chunk is not a 13-byte IHDR"))),
            HostileCase(testDescription: "PNG EXIF with orientation 3 and a leading Exif signature",
                        bytes: try png(chunks: pngChunk("eXIf", Array("Exif".utf8) + [0, 0]
                            + hex("4D 4D 00 2A 00 00 00 08 00 01 01 12 00 03 00 00 00 01 00 03 00 00"))),
                        expected: .success(pngHeader(orientation: 3))),
        ]
    }

    @Test("hostile bytes give their exact problem", arguments: try cases())
    func hostile(_ hostile: HostileCase) {
        #expect(inspect(hostile.bytes) == hostile.expected)
    }

    @Test("random bytes, bare or behind a JPEG or PNG magic, never trap", arguments: 0..<3)
    func randomBytes(_ variant: Int) {
        let magic = [[], hex("FF D8 FF"), hex("89 50 4E 47 0D 0A 1A 0A 00 00 00 0D 49 48 44 52")][variant]
        var generator = SplitMix64(state: UInt64(variant))
        for length in 0..<400 {
            let bytes = magic + (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = inspect(bytes)
            _ = readHeader(bytes)
        }
    }

    @Test("the PNG CRC-32 matches zlib's check value")
    func crcCheckValue() {
        #expect(Array("123456789".utf8).withUnsafeBytes { PNGHeaderParser.crc32($0) } == 0xCBF4_3926)
        #expect(PNGHeaderParser.endChunk == [0, 0, 0, 0] + Array("IEND".utf8) + bigEndian32(0xAE42_6082))
    }
}

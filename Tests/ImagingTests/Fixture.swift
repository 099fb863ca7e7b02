import Foundation
@testable import Imaging

/// Access to the files in `Fixtures/` (made by `Fixtures/make_fixtures.py`) and the headers
/// the tests expect of them.
enum Fixture {
    /// The folder holding the fixtures inside the test bundle.
    static var folder: URL {
        get throws {
            guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
                throw CocoaError(.fileNoSuchFile)
            }
            return url
        }
    }

    /// The path of fixture `name`.
    static func path(_ name: String) throws -> String {
        try folder.appendingPathComponent(name).path
    }

    /// The bytes of fixture `name`.
    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// The names of every image fixture (everything but the script, the README and the
    /// `decode` folder of the decoding tests).
    static func allNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { !$0.hasSuffix(".py") && !$0.hasSuffix(".md") && $0 != "decode" }
            .sorted()
    }
}

/// `ImageInspector.inspect` on an array, for tests.
func inspect(_ bytes: [UInt8]) -> Result<ImageHeader, ImageProblem> {
    bytes.withUnsafeBytes { ImageInspector.inspect($0) }
}

/// `ImageInspector.readHeader` on an array, for tests.
func readHeader(_ bytes: [UInt8]) -> Result<ImageHeader, ImageProblem> {
    bytes.withUnsafeBytes { ImageInspector.readHeader($0) }
}

/// The header of an 8x6 JPEG fixture.
func jpegHeader(channels: Int = 3, _ colorModel: ColorModel = .rgb, orientation: Int = 1,
                progressive: Bool = false) -> ImageHeader {
    ImageHeader(format: .jpeg, width: 8, height: 6, channels: channels, colorModel: colorModel,
                bitDepth: 8, hasAlpha: false, orientation: orientation, isProgressive: progressive)
}

/// The header of an 8x6 PNG fixture.
func pngHeader(channels: Int = 3, _ colorModel: ColorModel = .rgb, bitDepth: Int = 8, hasAlpha: Bool = false,
               orientation: Int = 1, interlaced: Bool = false) -> ImageHeader {
    ImageHeader(format: .png, width: 8, height: 6, channels: channels, colorModel: colorModel,
                bitDepth: bitDepth, hasAlpha: hasAlpha, orientation: orientation, isProgressive: interlaced)
}

/// Bytes spelled as hex, spaces allowed: `hex("FF D8 FF")`.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(digits[$0...$0 + 1]), radix: 16) }
}

/// A PNG chunk: length, type, data and its CRC, as a writer would produce it.
func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeAndData = Array(type.utf8) + data
    let crc = typeAndData.withUnsafeBytes { PNGHeaderParser.crc32($0) }
    return bigEndian32(UInt32(data.count)) + typeAndData + bigEndian32(crc)
}

/// `value` as four big-endian bytes.
func bigEndian32(_ value: UInt32) -> [UInt8] {
    [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
}

/// A deterministic pseudo-random generator (SplitMix64), so hostile-input tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

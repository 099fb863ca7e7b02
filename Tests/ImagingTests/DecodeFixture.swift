import Foundation
import Testing
@testable import Imaging

/// Access to the decoding fixtures in `Fixtures/decode/` and the Pillow reference pixels that
/// `Fixtures/decode/make_references.py` wrote beside them.
enum DecodeFixture {
    /// The path of source image `name`: in `decode/`, or one of the 8x6 fixtures above it.
    static func path(_ name: String) throws -> String {
        let inDecode = try Fixture.path("decode/" + name)
        return FileManager.default.fileExists(atPath: inDecode) ? inDecode : try Fixture.path(name)
    }

    /// The bytes of source image `name`.
    static func bytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// Pillow's pixels for `source` (see make_references.py): at full size when `mode` is nil;
    /// with `draft` = d, decoded by libjpeg at scale 1/d (Pillow's `draft`).
    static func reference(_ source: String, gray: Bool, mode: ResizeMode? = nil,
                          width: Int = 0, height: Int = 0, draft: Int? = nil) throws -> Image {
        var label = mode.map { "\($0.rawValue).\(width)x\(height)" } ?? "full"
        if let draft { label = "draft\(draft)." + label }
        let name = "\(source).\(label).\(gray ? "gray.pgm" : "rgb.ppm")"
        return try netpbm([UInt8](Data(contentsOf: URL(fileURLWithPath: Fixture.path("decode/" + name)))))
    }

    /// A binary netpbm file (P5 gray or P6 RGB, maxval 255) as an image.
    static func netpbm(_ bytes: [UInt8]) throws -> Image {
        // Header: magic, width, height, maxval, separated by single whitespace bytes.
        var fields: [String] = [], current = "", offset = 0
        while fields.count < 4 && offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            if byte == 0x20 || byte == 0x0A {
                if !current.isEmpty { fields.append(current) }
                current = ""
            } else {
                current.append(Character(UnicodeScalar(byte)))
            }
        }
        guard fields.count == 4, let width = Int(fields[1]), let height = Int(fields[2]), fields[3] == "255",
              fields[0] == "P5" || fields[0] == "P6" else {
            throw CocoaError(.fileReadCorruptFile)
        }
        let channels = fields[0] == "P5" ? 1 : 3
        return Image(width: width, height: height, channels: channels, pixels: Array(bytes[offset...]))
    }
}

/// `Preprocessor.process` on fixture `name`.
func preprocess(_ name: String, _ options: PreprocessOptions, dctScaling: Bool = true) throws -> Result<Image, DecodeError> {
    let preprocessor = Preprocessor(options: options)
    preprocessor.usesDCTScaling = dctScaling
    return try DecodeFixture.bytes(name).withUnsafeBytes { preprocessor.process($0) }
}

/// How two images of the same shape differ.
struct PixelComparison: CustomStringConvertible {
    var maxDifference = 0
    var meanDifference = 0.0
    /// The first samples that differ by more than the tolerance, as "(x, y, c): a vs b".
    var mismatches: [String] = []
    var shapeMismatch: String?

    var description: String {
        if let shapeMismatch { return shapeMismatch }
        let mean = (meanDifference * 1000).rounded() / 1000
        return "max |difference| \(maxDifference), mean \(mean); first mismatches: \(mismatches)"
    }

    /// Whether every sample is within the tolerance and the shapes agree.
    var passes: Bool { shapeMismatch == nil && mismatches.isEmpty }
}

/// Compares `actual` with `expected` sample by sample.
func compare(_ actual: Image, _ expected: Image, tolerance: Int) -> PixelComparison {
    var comparison = PixelComparison()
    guard (actual.width, actual.height, actual.channels) == (expected.width, expected.height, expected.channels) else {
        comparison.shapeMismatch = "shape \(actual.width)x\(actual.height)x\(actual.channels), "
            + "expected \(expected.width)x\(expected.height)x\(expected.channels)"
        return comparison
    }
    var total = 0
    for index in actual.pixels.indices {
        let difference = abs(Int(actual.pixels[index]) - Int(expected.pixels[index]))
        total += difference
        comparison.maxDifference = max(comparison.maxDifference, difference)
        if difference > tolerance && comparison.mismatches.count < 5 {
            let pixel = index / actual.channels
            comparison.mismatches.append("(\(pixel % actual.width), \(pixel / actual.width), \(index % actual.channels)): "
                                         + "\(actual.pixels[index]) vs \(expected.pixels[index])")
        }
    }
    comparison.meanDifference = Double(total) / Double(max(actual.pixels.count, 1))
    return comparison
}

extension Result {
    /// The failure, or nil on success (for `#expect(result.failure == ...)`).
    var failure: Failure? {
        if case .failure(let failure) = self { failure } else { nil }
    }
}

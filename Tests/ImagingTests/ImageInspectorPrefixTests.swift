import Testing
@testable import Imaging

/// Every prefix of a valid file is what a failed download leaves behind: it must inspect
/// without trapping and never pass as a complete image.
@Suite("ImageInspector on every prefix of a valid file")
struct ImageInspectorPrefixTests {
    /// Valid fixtures whose prefixes are checked, with their format.
    static let fixtures: [(String, ImageFormat)] = [
        ("rgb_8x6_q90.jpg", .jpeg), ("progressive_8x6.jpg", .jpeg), ("exif_orientation_6_8x6.jpg", .jpeg),
        ("cmyk_8x6.jpg", .jpeg), ("rgb_8x6.png", .png), ("palette_trns_8x6.png", .png),
        ("exif_orientation_6_8x6.png", .png),
    ]

    /// The number of magic bytes `ImageFormat.sniff` needs to recognise `format`.
    static func magicLength(_ format: ImageFormat) -> Int {
        format == .jpeg ? 3 : 8
    }

    @Test("inspect: every proper prefix is empty, not an image, truncated or damaged", arguments: fixtures)
    func inspectPrefixes(_ name: String, _ format: ImageFormat) throws {
        let bytes = try Fixture.bytes(name)
        for length in 0..<bytes.count {
            let result = inspect(Array(bytes[0..<length]))
            switch result {
            case .failure(.empty): #expect(length == 0)
            case .failure(.notAnImage): #expect(length > 0 && length < Self.magicLength(format))
            case .failure(.truncated(format)): #expect(length >= Self.magicLength(format))
            case .failure(.damaged(format, _)): #expect(length >= Self.magicLength(format))
            default: Issue.record("prefix of \(length) of \(bytes.count) bytes gave \(result)")
            }
        }
        #expect(try inspect(bytes).get().format == format)
    }

    @Test("readHeader: a prefix is truncated until it holds the header, then gives the full header",
          arguments: fixtures)
    func readHeaderPrefixes(_ name: String, _ format: ImageFormat) throws {
        let bytes = try Fixture.bytes(name)
        let header = try inspect(bytes).get()
        var firstSuccess: Int?
        for length in Self.magicLength(format)...bytes.count {
            let result = readHeader(Array(bytes[0..<length]))
            switch result {
            case .success(let prefixHeader):
                #expect(prefixHeader == header)
                firstSuccess = firstSuccess ?? length
            case .failure(.truncated(format)):
                #expect(firstSuccess == nil, "truncated at \(length) after success at \(firstSuccess ?? 0)")
            default:
                Issue.record("prefix of \(length) of \(bytes.count) bytes gave \(result)")
            }
        }
        #expect(firstSuccess != nil)
    }

    @Test("a file cut anywhere in its last 64 KiB after the header is truncated")
    func largeJPEGCutShort() throws {
        // A JPEG whose scan data is long: the fixture's header and a long run of entropy-coded
        // bytes (no FF), then EOI. Only the complete file passes.
        let jpeg = try Fixture.bytes("rgb_8x6_q90.jpg")
        let scanStart = try #require(jpeg.firstIndex(of: 0xDA)) + 12
        let long = Array(jpeg[0..<scanStart]) + [UInt8](repeating: 0x5A, count: 200_000) + hex("FF D9")
        #expect(inspect(long) == .success(jpegHeader()))
        for cut in [1, 2, 1_000, 70_000, 199_000] {
            #expect(inspect(Array(long.dropLast(cut))) == .failure(.truncated(.jpeg)))
        }
        // EOI further than 64 KiB from the end: the trailer is too long to be a camera's.
        #expect(inspect(long + [UInt8](repeating: 0, count: 70_000)) == .failure(.truncated(.jpeg)))
    }
}

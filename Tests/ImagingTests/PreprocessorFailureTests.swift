import Foundation
import Testing
@testable import Imaging

@Suite("Files that cannot be preprocessed: the exact outcome for each")
struct PreprocessorFailureTests {
    @Test("a header claiming more pixels than the limit fails before anything is allocated", arguments: [
        ("huge_60000x60000.jpg", 60000, 60000),
        ("huge_100000x100000.png", 100_000, 100_000),
    ])
    func decompressionBomb(_ name: String, _ width: Int, _ height: Int) throws {
        // Decoding would need 10.8 GB (JPEG) or 30 GB (PNG) of pixels: the guard answers first.
        let started = ContinuousClock.now
        let result = try preprocess(name, PreprocessOptions())
        #expect(result.failure == .tooManyPixels(width: width, height: height, limit: 89_478_485))
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test("the limit is inclusive and configurable", arguments: [(47, false), (48, true), (49, true)])
    func pixelLimit(_ limit: Int, _ accepted: Bool) throws {
        let options = PreprocessOptions(width: 4, height: 4, maxPixels: limit)
        for name in ["rgb_8x6_q90.jpg", "rgb_8x6.png"] {  // 8 x 6 = 48 pixels
            let result = try preprocess(name, options)
            #expect(result.failure == (accepted ? nil : .tooManyPixels(width: 8, height: 6, limit: limit)))
        }
    }

    @Test("corrupt entropy-coded data is reported as corrupt data, not decoded silently")
    func corruptData() throws {
        let bytes = try DecodeFixture.bytes("corrupt_entropy_200x150.jpg")
        let preprocessor = Preprocessor(options: PreprocessOptions(width: 48, height: 48))
        let strict = bytes.withUnsafeBytes { preprocessor.process($0) }
        #expect(strict.failure == .corruptData("17 extraneous bytes before marker 0xd9"))
        #expect(strict.failure?.description == "corrupt data: 17 extraneous bytes before marker 0xd9")
        #expect(strict.failure?.isWarning == true)
        #expect(preprocessor.lastWarning == nil)

        // Kept on request: the image comes back, the warning is left for the caller to report.
        preprocessor.keepsCorruptImages = true
        let kept = bytes.withUnsafeBytes { preprocessor.process($0) }
        #expect(kept.failure == nil)
        #expect(preprocessor.lastWarning == .corruptData("17 extraneous bytes before marker 0xd9"))
        // ... and cleared by the next clean image.
        _ = try DecodeFixture.bytes("photo_200x150_q85.jpg").withUnsafeBytes { preprocessor.process($0) }
        #expect(preprocessor.lastWarning == nil)
    }

    @Test("the same warning at full size and DCT-scaled, in gray and RGB", arguments: [false, true])
    func corruptDataEveryPath(_ gray: Bool) throws {
        for dctScaling in [false, true] {
            let result = try preprocess("corrupt_entropy_200x150.jpg",
                                        PreprocessOptions(width: 48, height: 48, gray: gray), dctScaling: dctScaling)
            #expect(result.failure?.isWarning == true)
        }
    }

    @Test("a progressive JPEG with more than 500 scans is refused")
    func tooManyScans() throws {
        let result = try preprocess("scans_704_8x8.jpg", PreprocessOptions(width: 8, height: 8, gray: true))
        #expect(result.failure == .decodeFailed("progressive JPEG image has more than 500 scans"))
        #expect(result.failure?.description == "cannot decode: progressive JPEG image has more than 500 scans")
    }

    @Test("header problems pass through as .problem", arguments: [
        ("empty.jpg", ImageProblem.empty),
        ("text_named.jpg", .notAnImage),
        ("gif_8x6.gif", .unsupportedFormat(.gif)),
        ("webp_8x6.webp", .unsupportedFormat(.webp)),
        ("truncated_rgb_8x6.jpg", .truncated(.jpeg)),
        ("truncated_rgb_8x6.png", .truncated(.png)),
        ("zero_width.jpg", .damaged(.jpeg, "zero width or height")),
        ("bad_ihdr_crc.png", .damaged(.png, "bad IHDR CRC")),
    ])
    func headerProblems(_ name: String, _ problem: ImageProblem) throws {
        #expect(try preprocess(name, PreprocessOptions()).failure == .problem(problem))
    }

    @Test("a JPEG with 12-bit samples is refused as unsupported before TurboJPEG sees it")
    func twelveBitJPEG() throws {
        var bytes = try DecodeFixture.bytes("rgb_8x6_q90.jpg")
        let frame = try #require(bytes.firstRange(of: [0xFF, 0xC0]))
        bytes[frame.lowerBound + 4] = 12  // SOF0's precision byte: FF C0, length (2), precision
        let result = bytes.withUnsafeBytes { Preprocessor(options: PreprocessOptions()).process($0) }
        #expect(result.failure == .unsupported("12-bit JPEG"))
    }

    @Test("a PNG whose compressed data is damaged fails with libpng's (zlib's) message")
    func damagedPNGData() throws {
        var bytes = try DecodeFixture.bytes("photo_rgba_80x60.png")
        let idat = try #require(bytes.firstRange(of: Array("IDAT".utf8)))
        bytes[idat.upperBound + 40] ^= 0xFF  // inside the deflate stream, before IDAT's CRC is checked
        let result = bytes.withUnsafeBytes { Preprocessor(options: PreprocessOptions()).process($0) }
        #expect(result.failure == .decodeFailed("IDAT: invalid literal/lengths set"))
    }

    @Test("the one-line descriptions users see", arguments: [
        (DecodeError.tooManyPixels(width: 100_000, height: 100_000, limit: 89_478_485),
         "image has 100000x100000 pixels, more than the limit of 89478485 (see --max-pixels)"),
        (.corruptData("bad Huffman code"), "corrupt data: bad Huffman code"),
        (.decodeFailed("IDAT: CRC error"), "cannot decode: IDAT: CRC error"),
        (.unsupported("12-bit JPEG"), "unsupported 12-bit JPEG"),
        (.problem(.truncated(.jpeg)), "truncated JPEG (no end-of-image marker)"),
    ])
    func descriptions(_ error: DecodeError, _ text: String) {
        #expect(error.description == text)
    }

    @Test("library messages become reasons: lower case unless an acronym leads, no full stop", arguments: [
        ("Premature end of JPEG file", "premature end of JPEG file"),
        ("JPEG datastream contains no image", "JPEG datastream contains no image"),
        ("Not a PNG file.", "not a PNG file"),
        ("IDAT: CRC error", "IDAT: CRC error"),
    ])
    func reasons(_ message: String, _ reason: String) {
        #expect(DecodeError.reason(fromLibraryMessage: message) == reason)
    }

    @Test("a file that cannot be read throws its POSIX error; its content never throws")
    func unreadableFile() throws {
        let preprocessor = Preprocessor(options: PreprocessOptions())
        #expect(throws: POSIXError(.ENOENT)) { try preprocessor.process(fileAt: "/nonexistent/cat.jpg") }
        #expect(throws: POSIXError(.EISDIR)) { try preprocessor.process(fileAt: Fixture.folder.path) }
        let empty = try preprocessor.process(fileAt: DecodeFixture.path("empty.jpg"))
        #expect(empty.failure == .problem(.empty))
    }
}

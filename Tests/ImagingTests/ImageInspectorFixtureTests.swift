import Foundation
import Testing
@testable import Imaging

/// One fixture and what `ImageInspector.inspect` must say of it.
struct FixtureCase: Sendable, CustomTestStringConvertible {
    var name: String
    var expected: Result<ImageHeader, ImageProblem>
    var testDescription: String { name }

    init(_ name: String, _ header: ImageHeader) {
        self.name = name
        self.expected = .success(header)
    }

    init(_ name: String, _ problem: ImageProblem) {
        self.name = name
        self.expected = .failure(problem)
    }
}

/// Every fixture in `Fixtures/`, with its full expected header or exact problem.
let fixtureCases: [FixtureCase] = [
    // JPEG
    FixtureCase("rgb_8x6_q90.jpg", jpegHeader()),
    FixtureCase("gray_8x6.jpg", jpegHeader(channels: 1, .gray)),
    FixtureCase("cmyk_8x6.jpg", jpegHeader(channels: 4, .cmyk)),
    FixtureCase("ycck_8x6.jpg", jpegHeader(channels: 4, .ycck)),
    FixtureCase("progressive_8x6.jpg", jpegHeader(progressive: true)),
    FixtureCase("exif_littleendian_orientation_6_8x6.jpg", jpegHeader(orientation: 6)),
    FixtureCase("exif_orientation_9_8x6.jpg", jpegHeader(orientation: 1)),
    FixtureCase("trailing_garbage_8x6.jpg", jpegHeader()),
    FixtureCase("truncated_rgb_8x6.jpg", .truncated(.jpeg)),
    FixtureCase("zero_width.jpg", .damaged(.jpeg, "zero width or height")),
] + (1...8).map { FixtureCase("exif_orientation_\($0)_8x6.jpg", jpegHeader(orientation: $0)) } + [
    // PNG
    FixtureCase("rgb_8x6.png", pngHeader()),
    FixtureCase("rgba_8x6.png", pngHeader(channels: 4, .rgba, hasAlpha: true)),
    FixtureCase("gray_8x6.png", pngHeader(channels: 1, .gray)),
    FixtureCase("gray16_8x6.png", pngHeader(channels: 1, .gray, bitDepth: 16)),
    FixtureCase("gray_alpha_8x6.png", pngHeader(channels: 2, .grayAlpha, hasAlpha: true)),
    FixtureCase("palette_trns_8x6.png", pngHeader(channels: 4, .palette, bitDepth: 4, hasAlpha: true)),
    FixtureCase("interlaced_8x6.png", pngHeader(interlaced: true)),
    FixtureCase("exif_orientation_6_8x6.png", pngHeader(orientation: 6)),
    FixtureCase("truncated_rgb_8x6.png", .truncated(.png)),
    FixtureCase("bad_ihdr_crc.png", .damaged(.png, "bad IHDR CRC")),
    // The content decides, not the name.
    FixtureCase("png_named.jpg", pngHeader()),
    FixtureCase("text_named.jpg", .notAnImage),
    FixtureCase("empty.jpg", .empty),
    // Recognised, not decoded.
    FixtureCase("gif_8x6.gif", .unsupportedFormat(.gif)),
    FixtureCase("bmp_8x6.bmp", .unsupportedFormat(.bmp)),
    FixtureCase("webp_8x6.webp", .unsupportedFormat(.webp)),
    FixtureCase("tiff_8x6.tif", .unsupportedFormat(.tiff)),
]

@Suite("ImageInspector on fixtures made by real encoders")
struct ImageInspectorFixtureTests {
    @Test("inspect gives the full header or the exact problem", arguments: fixtureCases)
    func inspectFixture(_ fixture: FixtureCase) throws {
        let bytes = try Fixture.bytes(fixture.name)
        #expect(inspect(bytes) == fixture.expected)
    }

    @Test("inspect(fileAt:) agrees with inspect on the bytes", arguments: fixtureCases)
    func inspectFile(_ fixture: FixtureCase) throws {
        #expect(try ImageInspector.inspect(fileAt: Fixture.path(fixture.name)) == fixture.expected)
    }

    @Test("readHeader agrees with inspect, except that a cut-off end is not judged", arguments: fixtureCases)
    func readHeaderFixture(_ fixture: FixtureCase) throws {
        let expected: Result<ImageHeader, ImageProblem> = switch fixture.name {
        case "truncated_rgb_8x6.jpg": .success(jpegHeader())
        case "truncated_rgb_8x6.png": .success(pngHeader())
        default: fixture.expected
        }
        #expect(try readHeader(Fixture.bytes(fixture.name)) == expected)
    }

    @Test("every fixture in the folder is in the table")
    func everyFixtureIsChecked() throws {
        #expect(try Fixture.allNames() == fixtureCases.map(\.name).sorted())
    }

    @Test("displaySize swaps width and height for orientations 5 to 8", arguments: 1...8)
    func displaySize(_ orientation: Int) throws {
        let header = try inspect(Fixture.bytes("exif_orientation_\(orientation)_8x6.jpg")).get()
        let size = header.displaySize
        #expect((size.width, size.height) == (orientation >= 5 ? (6, 8) : (8, 6)))
    }

    @Test("a file that cannot be read throws its POSIX error")
    func unreadableFiles() throws {
        #expect {
            _ = try ImageInspector.inspect(fileAt: "/nonexistent/dsprep/image.jpg")
        } throws: { ($0 as? POSIXError)?.code == .ENOENT }
        let folder = try Fixture.folder.path
        #expect {
            _ = try ImageInspector.inspect(fileAt: folder)
        } throws: { ($0 as? POSIXError)?.code == .EISDIR }
    }
}

import Imaging
import Testing
@testable import Preparation

@Suite("ShapeReader: 1 KiB or 4 KiB, then 64 KiB, then the whole file, only as far as the header needs")
struct ShapeReaderTests {
    /// A fixture, the read sizes, and what the reader must give.
    struct Case: Sendable, CustomTestStringConvertible {
        var path: String
        var sizes = ShapeReader.ReadSizes.standard
        var size: (width: Int, height: Int)?
        var failure: ShapeReadFailure?
        var depth: ShapeReader.Depth
        var testDescription: String { "\(path), reads of \(sizes.small)/\(sizes.first) then \(sizes.second) bytes" }
    }

    static let cases: [Case] = [
        // The frame header lies after the 4,096-byte ICC profile, at byte 4,272.
        Case(path: "train/cat/icc_4k_12x9.jpg", size: (12, 9), depth: .secondRead),
        Case(path: "train/cat/icc_4k_12x9.jpg", sizes: .init(first: 1024, second: 8192), size: (12, 9), depth: .secondRead),
        Case(path: "train/cat/icc_4k_12x9.jpg", sizes: .init(first: 1024, second: 2048), size: (12, 9), depth: .wholeFile),
        Case(path: "train/cat/icc_4k_12x9.jpg", sizes: .init(first: 8192, second: 8192), size: (12, 9), depth: .firstRead),
        Case(path: "train/cat/exif_orientation_6_8x6.jpg", size: (8, 6), depth: .firstRead),
        Case(path: "train/cat/exif_orientation_6_8x6.jpg", sizes: .init(first: 64, second: 64), size: (8, 6), depth: .wholeFile),
        Case(path: "train/dog/palette_trns_8x6.png", sizes: .init(first: 40, second: 40), size: (8, 6), depth: .wholeFile),
        Case(path: "train/dog/rgba_16x16.png", size: (16, 16), depth: .firstRead),
        // Cut inside the header: truncated once the whole file (100 bytes) is held, however read.
        Case(path: "test/cat/truncated_header.jpg", failure: .problem(.truncated(.jpeg)), depth: .firstRead),
        Case(path: "test/cat/truncated_header.jpg", sizes: .init(first: 50, second: 4096), failure: .problem(.truncated(.jpeg)),
             depth: .secondRead),
        Case(path: "test/cat/truncated_header.jpg", sizes: .init(first: 50, second: 60), failure: .problem(.truncated(.jpeg)),
             depth: .wholeFile),
        // Cut inside the scan data: the header is whole, and only the header is read.
        Case(path: "test/cat/truncated_scan_24x18.jpg", size: (24, 18), depth: .firstRead),
        Case(path: "test/dog/empty.png", failure: .problem(.empty), depth: .firstRead),
        Case(path: "test/dog/rgb_8x6.gif", failure: .problem(.unsupportedFormat(.gif)), depth: .firstRead),
        Case(path: "no-such-file.jpg", failure: .cannotRead("No such file or directory"), depth: .firstRead),
        Case(path: "train", failure: .cannotRead("Is a directory"), depth: .firstRead),
    ]

    @Test("the header, or the exact failure, and how far the reader went", arguments: cases)
    func read(_ fixture: Case) throws {
        let read = ShapeReader(sizes: fixture.sizes).read(shapeFixtureTree + "/" + fixture.path)
        #expect(read.depth == fixture.depth)
        switch read.result {
        case .success(let header):
            #expect(header.width == fixture.size?.width)
            #expect(header.height == fixture.size?.height)
            #expect(fixture.failure == nil)
        case .failure(let failure):
            #expect(failure == fixture.failure)
        }
        if case .cannotRead = fixture.failure {} else {  // the size of what could not be read is not reported
            #expect(read.fileBytes == (try fixtureBytes([fixture.path]).first))
        }
    }

    @Test("the format is known even when the header is not readable")
    func formatOfUnreadable() {
        let reader = ShapeReader()
        #expect(reader.read(shapeFixtureTree + "/test/dog/rgb_8x6.gif").format == .gif)
        #expect(reader.read(shapeFixtureTree + "/test/cat/truncated_header.jpg").format == .jpeg)
        #expect(reader.read(shapeFixtureTree + "/test/dog/text_named.png").format == nil)
        #expect(reader.read(shapeFixtureTree + "/train/dog/png_named.jpg").format == .png)
    }

    @Test("the reasons users see")
    func reasons() {
        #expect(ShapeReadFailure.problem(.empty).reason == "empty file")
        #expect(ShapeReadFailure.cannotRead("Permission denied").reason == "cannot read: Permission denied")
    }

    @Test("after a header past the small read, the first read takes 4 KiB for the next 64 files, then 1 KiB again")
    func smallReadComesBack() {
        let reader = ShapeReader()
        let small = shapeFixtureTree + "/train/cat/rgb_8x6_q90.jpg"
        #expect(reader.read(small).depth == .firstRead)
        #expect(reader.firstRead == 1024)
        let read = reader.read(shapeFixtureTree + "/train/cat/icc_4k_12x9.jpg")  // frame header at byte 4,272
        #expect(read.depth == .secondRead)
        #expect(reader.firstRead == 4096)
        for _ in 1..<ShapeReader.smallReadRetry { _ = reader.read(small) }
        #expect(reader.firstRead == 4096)
        #expect(reader.read(small).depth == .firstRead)
        #expect(reader.firstRead == 1024)
        // A header past 1 KiB but inside 4 KiB: read at once with 4 KiB while that is the size.
        let exif = ShapeReader(sizes: .init(small: 64, first: 4096, second: 65536))
        #expect(exif.read(shapeFixtureTree + "/train/cat/exif_orientation_6_8x6.jpg").depth == .firstRead)
        #expect(exif.firstRead == 4096)
    }

    @Test("a reader is reused across files of any size")
    func reuse() {
        let reader = ShapeReader(sizes: .init(first: 256, second: 1024))
        let paths = ["train/cat/icc_4k_12x9.jpg", "train/dog/rgba_16x16.png", "test/dog/empty.png", "train/cat/icc_4k_12x9.jpg"]
        let sizes = paths.map { path -> String in
            switch reader.read(shapeFixtureTree + "/" + path).result {
            case .success(let header): "\(header.width)x\(header.height)"
            case .failure(let failure): failure.reason
            }
        }
        #expect(sizes == ["12x9", "16x16", "empty file", "12x9"])
    }
}

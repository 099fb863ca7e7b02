import Foundation
import Testing
@testable import Imaging

@Suite("Preprocessor: DCT scaling, the output API, determinism")
struct PreprocessorTests {
    @Test("the smallest DCT scale whose output still covers the size needed", arguments: [
        // stored size, minimum size -> scale (TurboJPEG 2.1 offers n/8, n = 1...8, below 1)
        (500, 375, 96, 96, "3/8"),    // 188x141; 1/4 would give 125x94, too short
        (500, 375, 96, 72, "1/4"),    // pad: 96x72 is needed, 125x94 covers it
        (500, 500, 96, 96, "1/4"),    // 125x125
        (500, 375, 250, 188, "1/2"),  // 250x188 (ceil(187.5))
        (500, 375, 251, 188, "5/8"),
        (800, 800, 100, 100, "1/8"),
        (96, 96, 96, 96, "1/1"),
        (50, 40, 96, 96, "1/1"),      // smaller than the target: never enlarged by the decoder
        (375, 500, 96, 96, "3/8"),
    ])
    func scaleChoice(_ width: Int, _ height: Int, _ minimumWidth: Int, _ minimumHeight: Int, _ scale: String) {
        let chosen = JPEGDecoder.smallestScale(width: width, height: height,
                                               minimumWidth: minimumWidth, minimumHeight: minimumHeight)
        #expect(chosen.description == scale)
        #expect(chosen.scaled(width) >= min(minimumWidth, width) && chosen.scaled(height) >= min(minimumHeight, height))
    }

    @Test("TurboJPEG 2.1 offers the downscales n/8")
    func downscales() {
        #expect(JPEGDecoder.downscales.map(\.description) == ["1/1", "7/8", "3/4", "5/8", "1/2", "3/8", "1/4", "1/8"])
    }

    @Test("process(_:into:) writes the same pixels as process(_:)", arguments: ResizeMode.allCases)
    func intoMatchesImage(_ mode: ResizeMode) throws {
        let options = PreprocessOptions(width: 30, height: 20, gray: false, resize: mode, padValue: 9)
        let preprocessor = Preprocessor(options: options)
        let bytes = try DecodeFixture.bytes("photo_200x150_orientation_6.jpg")
        let image = try bytes.withUnsafeBytes { try preprocessor.process($0).get() }
        // A larger tensor: write into row 1 of 3, leaving rows 0 and 2 untouched.
        var tensor = [UInt8](repeating: 0xAB, count: 3 * options.outputByteCount)
        let result = tensor.withUnsafeMutableBytes { tensor in
            bytes.withUnsafeBytes { bytes in
                preprocessor.process(bytes, into: UnsafeMutableRawBufferPointer(
                    rebasing: tensor[options.outputByteCount..<(2 * options.outputByteCount)]))
            }
        }
        #expect(result.failure == nil)
        #expect(Array(tensor[options.outputByteCount..<(2 * options.outputByteCount)]) == image.pixels)
        #expect(tensor[..<options.outputByteCount].allSatisfy { $0 == 0xAB })
        #expect(tensor[(2 * options.outputByteCount)...].allSatisfy { $0 == 0xAB })
    }

    @Test("process(fileAt:) reads the file and gives what process(_:) gives")
    func fromFile() throws {
        let preprocessor = Preprocessor(options: PreprocessOptions(width: 40, height: 40, gray: true))
        let path = try DecodeFixture.path("photo_cmyk_200x150.jpg")
        let fromFile = try preprocessor.process(fileAt: path).get()
        let fromBytes = try DecodeFixture.bytes("photo_cmyk_200x150.jpg").withUnsafeBytes { try preprocessor.process($0).get() }
        #expect(fromFile == fromBytes)
        var output = [UInt8](repeating: 0, count: 40 * 40)
        let into = try output.withUnsafeMutableBytes { try preprocessor.process(fileAt: path, into: $0) }
        #expect(into.failure == nil && output == fromFile.pixels)
    }

    @Test("deterministic: the same bytes give the same pixels, whatever was processed before")
    func deterministic() throws {
        let names = photoSources + ["rgb_8x6_q90.jpg", "exif_orientation_7_8x6.jpg", "gray16_8x6.png"]
        for options in [PreprocessOptions(width: 33, height: 17, resize: .crop),
                        PreprocessOptions(width: 24, height: 24, gray: true, resize: .pad)] {
            let fresh = try names.map { try preprocess($0, options).get() }
            // One preprocessor reused for everything, in two different orders (scratch buffers
            // and coefficient caches carried from image to image).
            let reused = Preprocessor(options: options)
            let forwards = try names.map { name in try DecodeFixture.bytes(name).withUnsafeBytes { try reused.process($0).get() } }
            let backwards = try names.reversed().map { name in
                try DecodeFixture.bytes(name).withUnsafeBytes { try reused.process($0).get() }
            }
            #expect(forwards == fresh)
            #expect(Array(backwards.reversed()) == fresh)
        }
    }

    @Test("the options' defaults and the filter's name")
    func defaults() {
        let options = PreprocessOptions()
        #expect((options.width, options.height, options.gray, options.resize) == (96, 96, false, .stretch))
        #expect((options.maxPixels, options.background, options.padValue) == (89_478_485, 255, 0))
        #expect((options.channels, options.outputByteCount) == (3, 96 * 96 * 3))
        #expect(PreprocessOptions.filterName == "pillow-bilinear")
    }
}

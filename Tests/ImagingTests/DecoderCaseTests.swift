import Testing
@testable import Imaging

/// One decoder case: a fixture decoded at full size (no resize), compared with Pillow's
/// decode -> exif_transpose -> composite on white -> convert.
struct DecoderCase: Sendable, CustomTestStringConvertible {
    var name: String
    /// The size as displayed (after EXIF orientation).
    var width: Int, height: Int
    /// The largest difference allowed from Pillow's RGB and gray pixels.
    var rgbTolerance: Int, grayTolerance: Int
    var testDescription: String { name }

    init(_ name: String, _ width: Int = 8, _ height: Int = 6, rgb: Int = 0, gray: Int = 0) {
        self.name = name
        self.width = width
        self.height = height
        self.rgbTolerance = rgb
        self.grayTolerance = gray
    }
}

/// Colour JPEGs asked for gray are decoded to their luma channel (TJPF_GRAY), which is within
/// 1 of Pillow's convert("L") of the decoded RGB; everything else matches Pillow exactly.
let decoderCases: [DecoderCase] = [
    DecoderCase("rgb_8x6_q90.jpg", gray: 1),
    DecoderCase("progressive_8x6.jpg", gray: 1),
    DecoderCase("gray_8x6.jpg"),
    DecoderCase("cmyk_8x6.jpg"),
    DecoderCase("ycck_8x6.jpg"),
    DecoderCase("exif_littleendian_orientation_6_8x6.jpg", 6, 8, gray: 1),
    DecoderCase("saturated_48x32_q90.jpg", 48, 32, gray: saturatedLumaDrift),
] + (1...8).map { DecoderCase("exif_orientation_\($0)_8x6.jpg", $0 >= 5 ? 6 : 8, $0 >= 5 ? 8 : 6, gray: 1) } + [
    DecoderCase("rgb_8x6.png"),
    DecoderCase("rgba_8x6.png"),
    DecoderCase("gray_8x6.png"),
    DecoderCase("gray16_8x6.png"),
    DecoderCase("gray_alpha_8x6.png"),
    DecoderCase("palette_trns_8x6.png"),
    DecoderCase("interlaced_8x6.png"),
    DecoderCase("exif_orientation_6_8x6.png", 6, 8),
    DecoderCase("gray1_16x8.png", 16, 8),
    DecoderCase("gray_trns_16x8.png", 16, 8),
    DecoderCase("rgb_trns_16x8.png", 16, 8),
]

/// The largest difference between the luma channel and Pillow's L on saturated_48x32_q90.jpg,
/// at pixels whose decoded RGB clips.
let saturatedLumaDrift = 12

@Suite("Decoding every kind of JPEG and PNG")
struct DecoderCaseTests {
    @Test("full-size RGB decode matches Pillow", arguments: decoderCases)
    func rgbMatchesPillow(_ testCase: DecoderCase) throws {
        let options = PreprocessOptions(width: testCase.width, height: testCase.height)
        let image = try preprocess(testCase.name, options).get()
        let comparison = compare(image, try DecodeFixture.reference(testCase.name, gray: false),
                                 tolerance: testCase.rgbTolerance)
        #expect(comparison.passes, "\(comparison)")
    }

    @Test("full-size gray decode matches Pillow's convert(\"L\")", arguments: decoderCases)
    func grayMatchesPillow(_ testCase: DecoderCase) throws {
        let options = PreprocessOptions(width: testCase.width, height: testCase.height, gray: true)
        let image = try preprocess(testCase.name, options).get()
        let comparison = compare(image, try DecodeFixture.reference(testCase.name, gray: true),
                                 tolerance: testCase.grayTolerance)
        #expect(comparison.passes, "\(comparison)")
    }

    @Test("gray JPEGs: the luma channel is exactly Pillow's L wherever the colour decode does not clip",
          arguments: ["saturated_48x32_q90.jpg", "rgb_8x6_q90.jpg", "progressive_8x6.jpg", "exif_orientation_6_8x6.jpg"])
    func lumaIsPillowsLUnlessClipped(_ name: String) throws {
        let rgb = try DecodeFixture.reference(name, gray: false)
        let l = try DecodeFixture.reference(name, gray: true)
        let options = PreprocessOptions(width: rgb.width, height: rgb.height, gray: true)
        let luma = try preprocess(name, options).get()
        var largestWhereClipped = 0
        for pixel in 0..<(rgb.width * rgb.height) {
            let samples = rgb.pixels[(pixel * 3)..<(pixel * 3 + 3)]
            let difference = abs(Int(luma.pixels[pixel]) - Int(l.pixels[pixel]))
            if samples.allSatisfy({ $0 != 0 && $0 != 255 }) {
                #expect(difference == 0, "pixel \(pixel % rgb.width), \(pixel / rgb.width)")
            } else {
                largestWhereClipped = max(largestWhereClipped, difference)
            }
        }
        // Where R, G or B clips, Pillow's L (computed from the clipped samples) drifts from the
        // luma the JPEG stores: by 12 levels on these saturated blocks, 1 on the gradients.
        #expect(largestWhereClipped == (name.hasPrefix("saturated") ? saturatedLumaDrift : 1))
    }

    @Test("the 16-bit PNG is scaled to 8 bits, not clipped as Pillow's convert(\"L\") does")
    func sixteenBitGrayIsScaled() throws {
        // Samples x * 8000 + y * 1000 (make_fixtures.py): 8000 -> round(8000 * 255 / 65535) = 31.
        let image = try preprocess("gray16_8x6.png", PreprocessOptions(width: 8, height: 6, gray: true)).get()
        #expect(image.pixels.prefix(8) == [0, 31, 62, 93, 125, 156, 187, 218])
        #expect(image[0, 1, 0] == 4)  // 1000 -> 3.89
    }

    @Test("transparent pixels become the background; opaque ones keep their colour")
    func alphaIsCompositedOnTheBackground() throws {
        // rgba_8x6.png has alpha 200 everywhere over the gradient (x * 32, y * 40, 128).
        for background: UInt8 in [255, 0] {
            let options = PreprocessOptions(width: 8, height: 6, background: background)
            let image = try preprocess("rgba_8x6.png", options).get()
            // (0 * 200 + b * 55) / 255 for red at x = 0; (128 * 200 + b * 55) / 255 for blue.
            let expectedRed: UInt8 = background == 255 ? 55 : 0
            let expectedBlue: UInt8 = background == 255 ? 155 : 100
            #expect(image[0, 0, 0] == expectedRed)
            #expect(image[0, 0, 2] == expectedBlue)
        }
        // Entry 0 of palette_trns_8x6.png's palette is fully transparent: pure background.
        let palette = try preprocess("palette_trns_8x6.png", PreprocessOptions(width: 8, height: 6)).get()
        let reference = try DecodeFixture.reference("palette_trns_8x6.png", gray: false)
        #expect(palette.pixels.contains(255) && palette == reference)
    }

    @Test("the displayed layout of every orientation", arguments: 1...8)
    func orientationLayout(_ orientation: Int) throws {
        // The stored image is the gradient red = x * 32, green = y * 40 (8x6): the stored
        // top-left pixel is dark, the stored top-right one red, the stored bottom-left one green.
        let name = "exif_orientation_\(orientation)_8x6.jpg"
        let swapped = orientation >= 5
        let (width, height) = swapped ? (6, 8) : (8, 6)
        let image = try preprocess(name, PreprocessOptions(width: width, height: height)).get()
        // Where the stored corners are displayed, per orientation (x, y).
        let storedTopLeft: [Int: (Int, Int)] = [1: (0, 0), 2: (7, 0), 3: (7, 5), 4: (0, 5),
                                                5: (0, 0), 6: (5, 0), 7: (5, 7), 8: (0, 7)]
        let storedTopRight: [Int: (Int, Int)] = [1: (7, 0), 2: (0, 0), 3: (0, 5), 4: (7, 5),
                                                 5: (0, 7), 6: (5, 7), 7: (5, 0), 8: (0, 0)]
        let storedBottomLeft: [Int: (Int, Int)] = [1: (0, 5), 2: (7, 5), 3: (7, 0), 4: (0, 0),
                                                   5: (5, 0), 6: (0, 0), 7: (0, 7), 8: (5, 7)]
        func pixel(_ at: (Int, Int)?) -> (red: Int, green: Int) {
            guard let at else { return (-1, -1) }
            return (Int(image[at.0, at.1, 0]), Int(image[at.0, at.1, 1]))
        }
        let dark = pixel(storedTopLeft[orientation]), red = pixel(storedTopRight[orientation])
        let green = pixel(storedBottomLeft[orientation])
        #expect(dark.red < 30 && dark.green < 30, "stored top-left \(dark)")
        #expect(red.red > 190 && red.green < 30, "stored top-right \(red)")
        #expect(green.red < 30 && green.green > 170, "stored bottom-left \(green)")
    }
}

import Testing
@testable import Imaging

/// One resize parity case: a fixture preprocessed to a size and mode, against Pillow.
struct ResizeCase: Sendable, CustomTestStringConvertible {
    var source: String
    var mode: ResizeMode
    var width: Int, height: Int
    var testDescription: String { "\(source) \(mode) \(width)x\(height)" }

    init(_ source: String, _ mode: ResizeMode, _ width: Int, _ height: Int) {
        self.source = source
        self.mode = mode
        self.width = width
        self.height = height
    }
}

/// Every resized reference that make_references.py writes.
let photoSources = [
    "photo_200x150_q85.jpg", "photo_200x150_progressive.jpg", "photo_200x150_orientation_6.jpg",
    "photo_gray_200x150.jpg", "photo_cmyk_200x150.jpg", "photo_ycck_200x150.jpg",
    "photo_200x150_422_cjpeg.jpg", "photo_200x150_progressive_cjpeg.jpg",
    "photo_rgba_80x60.png", "photo_gray_alpha_80x60.png", "photo_palette_trns_80x60.png",
    "photo_rgb16_80x60.png", "photo_gray16_80x60.png", "photo_interlaced_80x60.png",
]
let resizeCases: [ResizeCase] = photoSources.map { ResizeCase($0, .stretch, 40, 40) }
    + ResizeMode.allCases.flatMap { mode in
        [ResizeCase("photo_200x150_q85.jpg", mode, 32, 48), ResizeCase("photo_200x150_q85.jpg", mode, 64, 24),
         ResizeCase("photo_200x150_orientation_6.jpg", mode, 32, 48), ResizeCase("rgb_8x6_q90.jpg", mode, 20, 20),
         ResizeCase("photo_rgba_80x60.png", mode, 48, 32)]
            + (mode == .stretch ? [] : [ResizeCase("photo_200x150_q85.jpg", mode, 40, 40)])
    }

/// How far the DCT-scaled path may land from Pillow's full-size decode + resize. libjpeg's
/// scaled inverse DCTs (and chroma computed at the scaled size rather than upsampled) are not a
/// full decode followed by a bilinear filter; Pillow's own `draft()` differs as much (it is
/// what `dctScaledMatchesPillowDraft` checks exactly). On these photos, made to be hard
/// (saturated hard-edged shapes on noise), the largest difference measured is 78 levels, at
/// shape edges, and the mean 1.1 to 3.0 levels; on the benchmark's photo-like 500x375 JPEGs
/// going to 96x96 the means are lower (see Benchmarks). Bounds: the measured values, rounded up.
let dctMaximumDifference = 80
let dctMeanDifference = 3.1

/// A case where the DCT-scaled path picks scale 1/d for which Pillow's `draft` decodes the
/// same pixels (d = 2, 4, 8), so that the whole pipeline must match Pillow's exactly. Not
/// `crop` at 1/4: 150 / 4 = 37.5 rows are decoded as 38, and `ImageOps.fit` on the 50x38
/// image crops relative to that last partial row, while dsprep maps the crop box of the
/// full-size image (so that the crop does not depend on the scale).
struct DraftCase: Sendable, CustomTestStringConvertible {
    var source: String
    var mode: ResizeMode
    var width: Int, height: Int
    var draft: Int
    var testDescription: String { "\(source) \(mode) \(width)x\(height) at 1/\(draft)" }
}

let draftCases = [
    DraftCase(source: "photo_200x150_q85.jpg", mode: .stretch, width: 80, height: 60, draft: 2),
    DraftCase(source: "photo_200x150_q85.jpg", mode: .crop, width: 90, height: 60, draft: 2),
    DraftCase(source: "photo_200x150_q85.jpg", mode: .pad, width: 80, height: 80, draft: 2),
    DraftCase(source: "photo_200x150_q85.jpg", mode: .stretch, width: 40, height: 30, draft: 4),
    DraftCase(source: "photo_200x150_q85.jpg", mode: .pad, width: 40, height: 40, draft: 4),
    DraftCase(source: "photo_200x150_q85.jpg", mode: .stretch, width: 20, height: 15, draft: 8),
    DraftCase(source: "photo_200x150_orientation_6.jpg", mode: .stretch, width: 60, height: 80, draft: 2),
]

/// The largest difference from Pillow for gray JPEGs on the full-size path (measured: 2 in 3
/// of the cases, mean differences under 0.06): the luma channel equals Pillow's L except where the
/// colour decode clips (see DecoderCaseTests), and the filter spreads those differences.
let grayJPEGResizeTolerance = 2

@Suite("Resizing: geometry, Pillow parity, the fast kernel against the naive one")
struct ResizeTests {
    @Test("DCT-scaled at 1/2, 1/4, 1/8: exactly Pillow's draft decode + the same resize", arguments: draftCases)
    func dctScaledMatchesPillowDraft(_ testCase: DraftCase) throws {
        // The scale the preprocessor will pick: the smallest that covers what the resize reads.
        let stored = (width: 200, height: 150)
        let displayed = testCase.source.contains("orientation_6") ? (width: 150, height: 200) : stored
        let layout = testCase.mode.layout(sourceWidth: displayed.width, sourceHeight: displayed.height,
                                          width: testCase.width, height: testCase.height)
        let needed = displayed == stored ? (layout.width, layout.height) : (layout.height, layout.width)
        let scale = JPEGDecoder.smallestScale(width: stored.width, height: stored.height,
                                              minimumWidth: needed.0, minimumHeight: needed.1)
        #expect(scale.numerator * testCase.draft == scale.denominator)
        for gray in [false, true] {
            let options = PreprocessOptions(width: testCase.width, height: testCase.height, gray: gray,
                                            resize: testCase.mode)
            let image = try preprocess(testCase.source, options).get()
            let reference = try DecodeFixture.reference(testCase.source, gray: gray, mode: testCase.mode,
                                                        width: testCase.width, height: testCase.height,
                                                        draft: testCase.draft)
            let comparison = compare(image, reference, tolerance: 0)
            #expect(comparison.passes, "\(gray ? "gray" : "rgb"): \(comparison)")
        }
    }

    @Test("full-size decode + resize matches Pillow (RGB exactly, gray within 1)", arguments: resizeCases)
    func matchesPillow(_ testCase: ResizeCase) throws {
        for gray in [false, true] {
            let options = PreprocessOptions(width: testCase.width, height: testCase.height, gray: gray,
                                            resize: testCase.mode)
            let image = try preprocess(testCase.source, options, dctScaling: false).get()
            let reference = try DecodeFixture.reference(testCase.source, gray: gray, mode: testCase.mode,
                                                        width: testCase.width, height: testCase.height)
            let tolerance = gray && testCase.source.hasSuffix(".jpg") ? grayJPEGResizeTolerance : 0
            let comparison = compare(image, reference, tolerance: tolerance)
            #expect(comparison.passes, "\(gray ? "gray" : "rgb"): \(comparison)")
        }
    }

    @Test("the DCT-scaled path stays close to Pillow's full decode + resize", arguments: resizeCases)
    func dctScaledPathIsClose(_ testCase: ResizeCase) throws {
        for gray in [false, true] {
            let options = PreprocessOptions(width: testCase.width, height: testCase.height, gray: gray,
                                            resize: testCase.mode)
            let image = try preprocess(testCase.source, options).get()
            let reference = try DecodeFixture.reference(testCase.source, gray: gray, mode: testCase.mode,
                                                        width: testCase.width, height: testCase.height)
            let comparison = compare(image, reference, tolerance: dctMaximumDifference)
            #expect(comparison.passes && comparison.meanDifference <= dctMeanDifference,
                    "\(gray ? "gray" : "rgb"): \(comparison)")
        }
    }

    @Test("output sizes and filled rectangles of each mode", arguments: [
        // source, target, mode -> box (x0, y0, x1, y1), rectangle (x, y, width, height)
        (500, 375, 96, 96, ResizeMode.stretch, [0, 0, 500, 375], [0, 0, 96, 96]),
        (500, 375, 96, 96, .crop, [62.5, 0, 437.5, 375], [0, 0, 96, 96]),
        (500, 375, 96, 96, .pad, [0, 0, 500, 375], [0, 12, 96, 72]),
        (375, 500, 96, 96, .pad, [0, 0, 375, 500], [12, 0, 72, 96]),
        (375, 500, 96, 96, .crop, [0, 62.5, 375, 437.5], [0, 0, 96, 96]),
        (200, 150, 64, 24, .crop, [0, 37.5, 200, 112.5], [0, 0, 64, 24]),
        (200, 150, 64, 24, .pad, [0, 0, 200, 150], [16, 0, 32, 24]),
        (200, 150, 32, 48, .pad, [0, 0, 200, 150], [0, 12, 32, 24]),
        (100, 100, 96, 96, .pad, [0, 0, 100, 100], [0, 0, 96, 96]),
        (100, 100, 96, 96, .crop, [0, 0, 100, 100], [0, 0, 96, 96]),
        // Python's round, half to even: the bars are (96 - 31) / 2 = 32.5 -> 32 and 95 / 2 -> 48.
        (300, 97, 96, 96, .pad, [0, 0, 300, 97], [0, 32, 96, 31]),
        (3, 1000, 96, 96, .pad, [0, 0, 3, 1000], [48, 0, 1, 96]),  // never 0 pixels wide
    ] as [(Int, Int, Int, Int, ResizeMode, [Float], [Int])])
    func layouts(_ sourceWidth: Int, _ sourceHeight: Int, _ width: Int, _ height: Int, _ mode: ResizeMode,
                 _ box: [Float], _ rectangle: [Int]) {
        let layout = mode.layout(sourceWidth: sourceWidth, sourceHeight: sourceHeight, width: width, height: height)
        #expect([layout.box.x0, layout.box.y0, layout.box.x1, layout.box.y1] == box)
        #expect([layout.x, layout.y, layout.width, layout.height] == rectangle)
    }

    @Test("every mode gives exactly the target size, with pad bars of the pad value",
          arguments: ResizeMode.allCases)
    func exactOutputSize(_ mode: ResizeMode) throws {
        let options = PreprocessOptions(width: 64, height: 24, resize: mode, padValue: 7)
        let image = try preprocess("photo_200x150_q85.jpg", options).get()
        #expect((image.width, image.height, image.channels, image.pixels.count) == (64, 24, 3, 64 * 24 * 3))
        // pad: the photo (4:3) fills columns 16..<48; the bars on both sides are 7.
        let leftBar = (0..<24).flatMap { y in (0..<16).map { image[$0, y, 1] } }
        let rightBar = (0..<24).flatMap { y in (48..<64).map { image[$0, y, 1] } }
        let bars = Set(leftBar + rightBar)
        #expect(mode == .pad ? bars == [7] : bars.count > 1)
    }

    @Test("the fast resampler gives the naive specification's samples exactly",
          arguments: [(1, 37, 23, 11, 7), (3, 37, 23, 11, 7), (1, 9, 5, 30, 17), (3, 9, 5, 30, 17),
                      (3, 50, 40, 50, 13), (1, 64, 48, 64, 48), (3, 16, 16, 5, 40),
                      (1, 2, 3, 1, 1), (3, 3, 2, 1, 2)])  // fewer samples than taps: the variable-count loop
    func fastMatchesNaive(_ channels: Int, _ sourceWidth: Int, _ sourceHeight: Int, _ width: Int, _ height: Int) {
        var generator = SplitMix64(state: UInt64(channels * 1000 + sourceWidth))
        let pixels = (0..<sourceWidth * sourceHeight * channels).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let source = Image(width: sourceWidth, height: sourceHeight, channels: channels, pixels: pixels)
        let boxes: [(x0: Float, y0: Float, x1: Float, y1: Float)] = [
            (0, 0, Float(sourceWidth), Float(sourceHeight)),
            (1.25, 0.5, Float(sourceWidth) - 2.75, Float(sourceHeight) - 0.125),
            (0, 0, Float(sourceWidth) / 2, Float(sourceHeight)),
        ]
        let resampler = Resampler()
        for box in boxes where box.x1 > box.x0 && box.y1 > box.y0 {
            let expected = Resampler.resampleNaive(source, box: box, width: width, height: height)
            var actual = Image(width: width, height: height, channels: channels)
            source.pixels.withUnsafeBufferPointer { input in
                actual.pixels.withUnsafeMutableBufferPointer { output in
                    let view = PixelView(pointer: UnsafeMutablePointer(mutating: input.baseAddress!),
                                         width: sourceWidth, height: sourceHeight, channels: channels)
                    resampler.resample(view, box: box, into: output.baseAddress!, width: width, height: height,
                                       rowStride: width * channels)
                }
            }
            #expect(actual == expected, "box \(box)")
        }
    }

    @Test("resizing to the same size with the whole box is the identity")
    func sameSizeIsIdentity() throws {
        let image = try preprocess("rgb_8x6.png", PreprocessOptions(width: 8, height: 6)).get()
        #expect(image.resized(width: 8, height: 6) == image)
    }

    @Test("Pillow's coefficients: a 2:1 bilinear shrink weighs 4 samples 1:3:3:1 (3:3:1 at the edges)")
    func coefficients() {
        let coefficients = ResampleCoefficients(inSize: 8, from: 0, to: 8, outSize: 4)
        // Support 2 (the filter's 1 times the scale 2), so 2 * 2 + 1 taps. Output 0 has its
        // centre at 1.0: samples 0, 1, 2 at distances 0.5, 0.5, 1.5 (in units of the scale:
        // weights 0.75, 0.75, 0.25, normalised to 3/7, 3/7, 1/7); output 1 at 3.0: samples 1...4.
        #expect(coefficients.taps == 5)
        #expect(coefficients.starts == [0, 1, 3, 5])
        #expect(coefficients.counts == [3, 4, 4, 3])
        // Weights in 22-bit fixed point, rounded: 3/7 * 2^22 = 1797558.86, 1/7 * 2^22 = 599186.29.
        #expect(Array(coefficients.weights[0..<5]) == [1_797_559, 1_797_559, 599_186, 0, 0])
        #expect(Array(coefficients.weights[5..<10]) == [524_288, 1_572_864, 1_572_864, 524_288, 0])
    }
}

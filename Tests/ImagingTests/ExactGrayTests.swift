import Testing
@testable import Imaging

/// `GrayMethod.rgb601` (`--exact-gray`) against Pillow's `ImageOps.grayscale`, on a JPEG of
/// saturated colours whose RGB decode clips (`saturated_photo_200x150_q90.jpg`), where the luma
/// channel (`--gray`) and Pillow's L differ.
@Suite("--exact-gray: Pillow's convert(\"L\") of the RGB decode")
struct ExactGrayTests {
    static let photo = "saturated_photo_200x150_q90.jpg"

    static func options(_ width: Int, _ height: Int, _ method: GrayMethod, _ mode: ResizeMode = .stretch) -> PreprocessOptions {
        PreprocessOptions(width: width, height: height, gray: true, grayMethod: method, resize: mode)
    }

    @Test("at full size: the luma channel drifts from Pillow's L by more than 1; rgb-601 is exact")
    func fullSize() throws {
        let reference = try DecodeFixture.reference(Self.photo, gray: true)
        let luma = try preprocess(Self.photo, Self.options(200, 150, .luma)).get()
        let lumaComparison = compare(luma, reference, tolerance: 1)
        #expect(lumaComparison.maxDifference > 1, "\(lumaComparison)")
        let exact = try preprocess(Self.photo, Self.options(200, 150, .rgb601)).get()
        let comparison = compare(exact, reference, tolerance: 1)
        #expect(comparison.passes && comparison.maxDifference == 0, "\(comparison)")
    }

    @Test("resized from the full-size decode: ImageOps.grayscale(image).resize((64, 48)) within 1")
    func resizedFromFullSize() throws {
        let reference = try DecodeFixture.reference(Self.photo, gray: true, mode: .stretch, width: 64, height: 48)
        let luma = try preprocess(Self.photo, Self.options(64, 48, .luma), dctScaling: false).get()
        let lumaComparison = compare(luma, reference, tolerance: 1)
        #expect(lumaComparison.maxDifference > 1, "the test must be able to fail: \(lumaComparison)")
        let exact = try preprocess(Self.photo, Self.options(64, 48, .rgb601), dctScaling: false).get()
        let comparison = compare(exact, reference, tolerance: 1)
        #expect(comparison.passes, "\(comparison)")
    }

    @Test("at DCT scale 1/2 and 1/4: Pillow's draft(\"RGB\") -> grayscale -> resize/pad within 1",
          arguments: [(ResizeMode.stretch, 80, 60, 2), (.pad, 40, 40, 4)])
    func dctScaled(_ mode: ResizeMode, _ width: Int, _ height: Int, _ draft: Int) throws {
        let name = "\(Self.photo).draft\(draft).\(mode.rawValue).\(width)x\(height).exactgray.pgm"
        let reference = try DecodeFixture.netpbm(DecodeFixture.bytes(name))
        let exact = try preprocess(Self.photo, Self.options(width, height, .rgb601, mode)).get()
        let comparison = compare(exact, reference, tolerance: 1)
        #expect(comparison.passes, "\(comparison)")
        let luma = try preprocess(Self.photo, Self.options(width, height, .luma, mode)).get()
        #expect(compare(luma, reference, tolerance: 1).maxDifference > 1)
    }

    @Test("the luma path at DCT scale 1/2 is still exactly Pillow's draft(\"L\")")
    func lumaMatchesDraftL() throws {
        let reference = try DecodeFixture.reference(Self.photo, gray: true, mode: .stretch, width: 80, height: 60, draft: 2)
        let luma = try preprocess(Self.photo, Self.options(80, 60, .luma)).get()
        let comparison = compare(luma, reference, tolerance: 0)
        #expect(comparison.passes, "\(comparison)")
    }

    @Test("every decoder case: rgb-601 at full size equals Pillow's convert(\"L\")", arguments: decoderCases)
    func decoderCasesAreExact(_ testCase: DecoderCase) throws {
        let options = Self.options(testCase.width, testCase.height, .rgb601)
        let image = try preprocess(testCase.name, options).get()
        let comparison = compare(image, try DecodeFixture.reference(testCase.name, gray: true), tolerance: 0)
        #expect(comparison.passes, "\(comparison)")
    }
}

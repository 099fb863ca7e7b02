import Testing
@testable import Preparation

/// `count` images of `width` x `height`.
private func images(_ count: Int, _ width: Int, _ height: Int) -> [ShapeTally.Size] {
    [ShapeTally.Size](repeating: .init(width: width, height: height), count: count)
}

@Suite("SizeRecommendation: the rule on constructed distributions")
struct ShapeRecommendationTests {
    /// A distribution, `maxSide`, and the recommendation it must get.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var sizes: [ShapeTally.Size]
        var maxSide = 96
        var size: String
        var mode: SizeRecommendation.Mode
        var basis: SizeRecommendation.Basis
        var reason: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "MNIST: one size, kept", sizes: images(3500, 28, 28), size: "28x28", mode: .stretch, basis: .uniform,
             reason: "All images are 28x28, so that size needs no resizing."),
        Case(name: "90% share one size: step 1", sizes: images(90, 32, 32) + images(10, 30, 20), size: "32x32",
             mode: .stretch, basis: .uniform, reason: "90% of images are 32x32 (at least 90%): that size; the other 10% are stretched to it."),
        Case(name: "one large size is scaled to --max-side, keeping its aspect", sizes: images(100, 500, 375),
             size: "96x72", mode: .stretch, basis: .uniform,
             reason: "All images are 500x375: that size, scaled to fit --max-side 96 (keeping the aspect ratio)."),
        Case(name: "a large size held by 95%", sizes: images(95, 375, 500) + images(5, 500, 375), size: "72x96", mode: .stretch,
             basis: .uniform,
             reason: "95% of images are 375x500 (at least 90%): that size, scaled to fit --max-side 96 (keeping the aspect "
                 + "ratio); the other 5% are stretched to it."),
        Case(name: "89% is not enough: step 2", sizes: images(89, 32, 32) + images(11, 48, 40), size: "32x32",
             mode: .stretch, basis: .varied,
             reason: "Sizes vary (89% of images are 32x32); 32 is the largest usual size within --max-side 96 and the "
                 + "10th-percentile short side (32), so 0% are enlarged; images are nearly square (a centre crop would cut "
                 + "1.83% on average), so stretching barely distorts them."),
        Case(name: "photos, 4:3 both ways and square: crop", sizes: images(45, 500, 375) + images(15, 375, 500) + images(40, 400, 400),
             size: "96x96", mode: .crop, basis: .varied,
             reason: "Sizes vary (45% of images are 500x375); 96 is the largest usual size within --max-side 96 and the "
                 + "10th-percentile short side (375), so 0% are enlarged; a centre crop cuts 15% of the pixels on average "
                 + "(at most a third, as for 4:3 and 3:2 photos)."),
        Case(name: "the same photos with --max-side 500", sizes: images(45, 500, 375) + images(15, 375, 500) + images(40, 400, 400),
             maxSide: 500, size: "320x320", mode: .crop, basis: .varied,
             reason: "Sizes vary (45% of images are 500x375); 320 is the largest usual size within --max-side 500 and the "
                 + "10th-percentile short side (375), so 0% are enlarged; a centre crop cuts 15% of the pixels on average "
                 + "(at most a third, as for 4:3 and 3:2 photos)."),
        Case(name: "nearly square: stretch", sizes: images(50, 100, 100) + images(50, 105, 100), size: "96x96", mode: .stretch,
             basis: .varied,
             reason: "Sizes vary (50% of images are 100x100); 96 is the largest usual size within --max-side 96 and the "
                 + "10th-percentile short side (100), so 0% are enlarged; images are nearly square (a centre crop would cut "
                 + "2.38% on average), so stretching barely distorts them."),
        Case(name: "long strips: pad", sizes: images(60, 300, 100) + images(40, 100, 100), size: "96x96", mode: .pad, basis: .varied,
             reason: "Sizes vary (60% of images are 300x100); 96 is the largest usual size within --max-side 96 and the "
                 + "10th-percentile short side (100), so 0% are enlarged; a centre crop would cut 40% on average (over a "
                 + "third), so padding keeps whole images."),
        Case(name: "tiny images: the 10th-percentile short side itself", sizes: images(20, 20, 30) + images(10, 40, 40),
             size: "20x20", mode: .crop, basis: .varied,
             reason: "Sizes vary (66.67% of images are 20x30); 20 is the 10th-percentile short side, so 0% are enlarged; "
                 + "a centre crop cuts 22.22% of the pixels on average (at most a third, as for 4:3 and 3:2 photos)."),
    ]

    @Test("size, mode and reason", arguments: cases)
    func recommend(_ fixture: Case) throws {
        let recommendation = try #require(SizeRecommendation.recommend(fixture.sizes, maxSide: fixture.maxSide))
        #expect("\(recommendation.width)x\(recommendation.height)" == fixture.size)
        #expect(recommendation.resize == fixture.mode)
        #expect(recommendation.basis == fixture.basis)
        #expect(recommendation.reason == fixture.reason)
        #expect(recommendation.maxSide == fixture.maxSide)
        #expect(recommendation.options.contains { "\($0.width)x\($0.height)" == fixture.size })
    }

    @Test("9% of small images still allow the size; 11% do not")
    func upscaleBound() throws {
        let few = try #require(SizeRecommendation.recommend(images(9, 50, 50) + images(85, 300, 200) + images(6, 200, 300), maxSide: 96))
        #expect([few.width, few.height] == [96, 96])
        let option = try #require(few.options.first { $0.width == 96 })
        #expect(option.upscaledPercent == 9)
        let many = try #require(SizeRecommendation.recommend(images(11, 50, 50) + images(83, 300, 200) + images(6, 200, 300), maxSide: 96))
        #expect([many.width, many.height] == [48, 48])
    }

    @Test("what a size does to each mode, exactly")
    func evaluate() {
        // 4:3 and 3:4 each change aspect by 1/3 and lose 1/4 to a square; 50x50 is enlarged by every mode.
        let option = SizeRecommendation.evaluate(images(1, 400, 300) + images(1, 300, 400) + images(1, 50, 50),
                                                 target: .init(width: 96, height: 96))
        #expect(option == .init(width: 96, height: 96, upscaledPercent: 33.33, upscaledByPadPercent: 33.33,
                                offAspectPercent: 66.67, meanStretchPercent: 22.22, maxStretchPercent: 33.33,
                                meanCropPercent: 16.67, meanPadPercent: 16.67))
        // A target of the images' own aspect costs nothing but enlargement.
        let native = SizeRecommendation.evaluate(images(3, 500, 375) + images(1, 100, 75), target: .init(width: 125, height: 94))
        #expect(native.offAspectPercent == 0)  // 125/94 is within 1% of 4:3
        #expect(native.upscaledPercent == 25)
        #expect(native.upscaledByPadPercent == 25)
        #expect(native.meanCropPercent == 0.27)
        // Pad enlarges only images smaller on both sides; stretch and crop those smaller on either.
        let portrait = SizeRecommendation.evaluate(images(1, 80, 200), target: .init(width: 96, height: 96))
        #expect([portrait.upscaledPercent, portrait.upscaledByPadPercent] == [100, 0])
        #expect(portrait.maxStretchPercent == 150)
        #expect(portrait.meanCropPercent == 60)
    }

    @Test("the sizes listed: the recommendation, common squares, the most common size at 1, 1/2, 1/4, 1/8")
    func candidates() {
        let sizes = SizeRecommendation.candidates(recommended: .init(width: 96, height: 96), common: .init(width: 500, height: 375))
        #expect(sizes.map { "\($0.width)x\($0.height)" } == ["32x32", "63x47", "64x64", "96x96", "125x94", "128x128", "250x188", "224x224"])
        let mnist = SizeRecommendation.candidates(recommended: .init(width: 28, height: 28), common: .init(width: 28, height: 28))
        #expect(mnist.map { "\($0.width)x\($0.height)" } == ["28x28", "32x32", "64x64", "96x96", "128x128", "224x224"])
    }

    @Test("fitting to --max-side keeps the aspect", arguments: [
        ((500, 375), 96, "96x72"), ((375, 500), 96, "72x96"), ((28, 28), 96, "28x28"), ((1000, 1), 96, "96x1"),
        ((1920, 1080), 128, "128x72"), ((97, 96), 96, "96x95"),
    ])
    func fit(size: (Int, Int), maxSide: Int, expected: String) {
        let fitted = SizeRecommendation.fit(.init(width: size.0, height: size.1), maxSide: maxSide)
        #expect("\(fitted.width)x\(fitted.height)" == expected)
    }

    @Test("no images, no recommendation")
    func empty() {
        #expect(SizeRecommendation.recommend([ShapeTally.Size](), maxSide: 96) == nil)
    }

    @Test("the recommendation of the fixture tree")
    func fixtureTree() throws {
        let recommendation = try #require(try surveyFixtureTree().recommendation)
        #expect([recommendation.width, recommendation.height] == [6, 6])
        #expect(recommendation.resize == .crop)
        #expect(recommendation.options.map { "\($0.width)x\($0.height)" } == ["6x6", "32x32", "64x64", "96x96", "128x128", "224x224"])
    }
}

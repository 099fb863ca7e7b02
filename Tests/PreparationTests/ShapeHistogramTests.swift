import Testing
@testable import Preparation

@Suite("ShapeHistogram binning")
struct ShapeHistogramTests {
    /// Values, and the histogram's step, (lower, upper, count) bins, below and above.
    struct PixelCase: Sendable, CustomTestStringConvertible {
        var name: String
        var values: [Int]
        var step: Double
        var bins: [Bin]
        var below = 0
        var above = 0
        var testDescription: String { name }
    }

    struct Bin: Sendable, Equatable {
        var lower: Double, upper: Double, count: Int
        init(_ lower: Double, _ upper: Double, _ count: Int) {
            (self.lower, self.upper, self.count) = (lower, upper, count)
        }
    }

    static let pixelCases: [PixelCase] = [
        PixelCase(name: "one value: one bin of width 1", values: [28, 28, 28], step: 1, bins: [Bin(28, 29, 3)]),
        PixelCase(name: "11 values fit steps of 1", values: Array(10...20), step: 1,
                  bins: (10...20).map { Bin(Double($0), Double($0 + 1), 1) }),
        PixelCase(name: "13 values need steps of 2; edges are multiples of the step", values: Array(9...21), step: 2,
                  bins: [Bin(8, 10, 1), Bin(10, 12, 2), Bin(12, 14, 2), Bin(14, 16, 2), Bin(16, 18, 2), Bin(18, 20, 2), Bin(20, 22, 2)]),
        PixelCase(name: "a value on an edge opens the next bin", values: [0, 25], step: 5,
                  bins: [Bin(0, 5, 1), Bin(5, 10, 0), Bin(10, 15, 0), Bin(15, 20, 0), Bin(20, 25, 0), Bin(25, 30, 1)]),
        PixelCase(name: "the fixture tree's widths", values: [6, 8, 8, 8, 8, 8, 8, 8, 8, 10, 12, 16, 24, 32], step: 5,
                  bins: [Bin(5, 10, 9), Bin(10, 15, 2), Bin(15, 20, 1), Bin(20, 25, 1), Bin(25, 30, 0), Bin(30, 35, 1)]),
        PixelCase(name: "photo widths: steps of 25 or 50", values: [100, 333, 375, 375, 500, 500, 500], step: 50,
                  bins: (2...10).map { Bin(Double($0 * 50), Double($0 * 50 + 50), [2: 1, 6: 1, 7: 2, 10: 3][$0] ?? 0) }),
        PixelCase(name: "the 1% at each end go below and above the bins",
                  values: [10] + [Int](repeating: 500, count: 198) + [6000], step: 1, bins: [Bin(500, 501, 198)],
                  below: 1, above: 1),
        PixelCase(name: "under 100 values nothing is trimmed", values: [10] + [Int](repeating: 500, count: 97) + [6000],
                  step: 1000, bins: (0...6).map { Bin(Double($0 * 1000), Double($0 * 1000 + 1000), [0: 98, 6: 1][$0] ?? 0) }),
        PixelCase(name: "no values: no bins", values: [], step: 1, bins: []),
    ]

    @Test("pixel histograms", arguments: pixelCases)
    func pixels(_ fixture: PixelCase) {
        let histogram = ShapeHistogram.pixels(fixture.values)
        #expect(histogram.step == fixture.step)
        #expect(histogram.bins.map { Bin($0.lower, $0.upper, $0.count) } == fixture.bins)
        #expect(histogram.below == fixture.below)
        #expect(histogram.above == fixture.above)
        #expect(histogram.bins.count <= ShapeHistogram.maxBins)
        #expect(histogram.bins.map(\.count).reduce(0, +) + histogram.below + histogram.above == fixture.values.count)
    }

    @Test("aspect ratios: 4:3, 3:4, 1:1 and 3:2 in steps of 0.1")
    func aspects() {
        let histogram = ShapeHistogram.aspects([(4, 3), (3, 4), (1, 1), (3, 2)])
        #expect(histogram.step == 0.1)
        #expect(histogram.bins.map(\.lower) == [0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5])
        #expect(histogram.bins.map(\.upper).last == 1.6)
        #expect(histogram.bins.map(\.count) == [1, 0, 0, 1, 0, 0, 1, 0, 1])
    }

    @Test("ratios on bin edges are placed exactly, where floating point would not be")
    func exactEdges() {
        // 0.3 / 0.05 is 5.999999999999999 in floating point; 3:10 belongs in [0.30, 0.35).
        let histogram = ShapeHistogram.aspects([(3, 10), (7, 10)])
        #expect(histogram.step == 0.05)
        #expect(histogram.bins.first.map { [$0.lower, $0.upper, Double($0.count)] } == [0.3, 0.35, 1])
        #expect(histogram.bins.last.map { [$0.lower, Double($0.count)] } == [0.7, 1])
        #expect(histogram.bins.count == 9)
    }

    @Test("wide ranges use the 1-2-2.5-5 steps", arguments: [(24, 2), (60, 5), (120, 10), (240, 20), (300, 25), (600, 50), (1200, 100), (70_000, 10_000)])
    func steps(span: Int, step: Double) {
        #expect(ShapeHistogram.pixels([0, span - 1]).step == step)
    }

    @Test func fractionsCompareExactly() {
        #expect(Fraction(1, 3) < Fraction(34, 100))
        #expect(Fraction(2, 4) == Fraction(1, 2))
        #expect(Fraction(3, 10).floor(dividedBy: Fraction(1, 20)) == 6)
        #expect(Fraction(65535, 1).floor(dividedBy: Fraction(5000, 1)) == 13)
    }
}

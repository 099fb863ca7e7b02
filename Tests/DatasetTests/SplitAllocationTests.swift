import Testing
@testable import Dataset

private let r80_10_10 = SplitRatios(train: 80, validation: 10, test: 10)
private let r80_20 = SplitRatios(train: 80, validation: 20, test: 0)
private let thirds = SplitRatios(train: 1, validation: 1, test: 1)

@Suite struct SplitAllocationTests {
    /// (images, ratios, expected train/validation/test).
    @Test(arguments: [
        (0, r80_10_10, [0, 0, 0]),
        (1, r80_10_10, [1, 0, 0]),            // too small: largest remainder only
        (2, r80_10_10, [2, 0, 0]),            // too small: 1.6/0.2/0.2 -> train takes the spare
        (3, r80_10_10, [1, 1, 1]),            // minimum of one each, taken from train
        (5, r80_10_10, [3, 1, 1]),            // 4/0.5/0.5: tie goes to validation, test then takes one from train
        (9, r80_10_10, [7, 1, 1]),            // 7.2/0.9/0.9
        (10, r80_10_10, [8, 1, 1]),
        (11, r80_10_10, [9, 1, 1]),           // 8.8/1.1/1.1
        (25_000, r80_10_10, [20_000, 2_500, 2_500]),
        (1, r80_20, [1, 0]),
        (4, r80_20, [3, 1]),                  // 3.2/0.8
        (7, SplitRatios(train: 70, validation: 15, test: 15), [5, 1, 1]),   // 4.9/1.05/1.05
        (10, thirds, [4, 3, 3]),              // equal remainders: train first
        (11, thirds, [4, 4, 3]),
        (100, thirds, [34, 33, 33]),
        (13, SplitRatios(train: 7, validation: 2, test: 1), [9, 3, 1]),  // 9.1/2.6/1.3
        (3, SplitRatios(train: 80, validation: 0, test: 20), [2, 0, 1]),  // no validation share
        (1, SplitRatios(train: 80, validation: 0, test: 20), [1, 0, 0]),
    ] as [(Int, SplitRatios, [Int])])
    func exactCounts(images: Int, ratios: SplitRatios, expected: [Int]) {
        let counts = SplitAllocation.counts(images, ratios: ratios)
        #expect(Split.allCases.prefix(expected.count).map { counts[$0] ?? 0 } == expected)
        #expect(counts.values.reduce(0, +) == images)
    }

    /// Every image lands somewhere; every split with a share gets one once the class is big
    /// enough; no split strays more than one image from its quota but for that minimum.
    @Test(arguments: [r80_10_10, r80_20, thirds, SplitRatios(train: 6, validation: 3, test: 1),
                      SplitRatios(train: 98, validation: 1, test: 1)])
    func countsAddUpAndGiveEverySplitOne(ratios: SplitRatios) {
        for images in 0...300 {
            let counts = SplitAllocation.counts(images, ratios: ratios)
            #expect(counts.values.reduce(0, +) == images)
            #expect(counts.values.allSatisfy { $0 >= 0 })
            if images >= ratios.active.count {
                #expect(ratios.active.allSatisfy { (counts[$0] ?? 0) >= 1 }, "\(images) at \(ratios)")
            }
            for split in ratios.active where (counts[split] ?? 0) > 1 {
                let quota = Double(images * ratios.weight(split)) / Double(ratios.total)
                #expect(Double(counts[split] ?? 0) < quota + 1, "\(split) of \(images) at \(ratios)")
            }
        }
    }

    @Test(arguments: [(0, false), (1, true), (2, true), (3, false), (100, false)])
    func tooSmall(images: Int, expected: Bool) {
        #expect(SplitAllocation.isTooSmall(images, ratios: r80_10_10) == expected)
        #expect(SplitAllocation.isTooSmall(images, ratios: r80_20) == (images == 1))
    }

    @Test(arguments: [
        (r80_10_10, "80/10/10"), (r80_20, "80/20"), (thirds, "33.33/33.33/33.33"),
        (SplitRatios(train: 8, validation: 1, test: 1), "80/10/10"), (SplitRatios(train: 875, validation: 125, test: 0), "87.5/12.5"),
        (SplitRatios(train: 80, validation: 0, test: 20), "80/0/20"),
    ] as [(SplitRatios, String)])
    func ratiosPrintAsPercentages(ratios: SplitRatios, text: String) {
        #expect(ratios.description == text)
    }

    @Test func keptSplitsLeaveTheirShareOut() {
        let pooled = r80_10_10.without([.test])
        #expect(pooled == SplitRatios(train: 80, validation: 10, test: 0))
        #expect(pooled.active == [.train, .validation])
        #expect(SplitAllocation.counts(300, ratios: pooled) == [.train: 267, .validation: 33, .test: 0])
    }
}

import Testing
@testable import Dataset

private let r80_10_10 = SplitRatios(train: 80, validation: 10, test: 10)

/// `count` images of class `label`, each with its own content: `label/0.jpg`, `label/1.jpg`, ...
private func images(_ label: String, _ count: Int, from start: Int = 0) -> [SplitItem] {
    (start..<(start + count)).map { SplitItem(path: "\(label)/\($0).jpg", key: "\(label)/\($0).jpg", label: label, sha256: "\(label)-\($0)") }
}

/// How many items of `label` went to each split.
private func counts(_ items: [SplitItem], _ plan: SplitPlan, _ label: String) -> [Int] {
    Split.allCases.map { split in zip(items, plan.splits).filter { $0.0.label == label && $0.1 == split }.count }
}

/// path -> split.
private func placed(_ items: [SplitItem], _ plan: SplitPlan) -> [String: Split] {
    Dictionary(uniqueKeysWithValues: zip(items.map(\.path), plan.splits))
}

@Suite struct SplitPlanTests {
    @Test(arguments: [(1, [1, 0, 0]), (2, [2, 0, 0]), (3, [1, 1, 1]), (9, [7, 1, 1]), (10, [8, 1, 1]), (1000, [800, 100, 100])])
    func everyClassGetsItsExactCounts(size: Int, expected: [Int]) {
        let items = images("cat", size) + images("dog", 7)
        let plan = SplitPlan.make(items, ratios: r80_10_10, seed: 1337)
        #expect(counts(items, plan, "cat") == expected)
        #expect(counts(items, plan, "dog") == [5, 1, 1])
    }

    @Test func tooSmallClassesAreNamedInAWarning() {
        let plan = SplitPlan.make(images("cat", 1) + images("dog", 2) + images("eel", 3), ratios: r80_10_10, seed: 1)
        #expect(plan.warnings == ["class 'cat' has 1 image to split: too few to give train, validation and test one each",
                                  "class 'dog' has 2 images to split: too few to give train, validation and test one each"])
        let twoWay = SplitPlan.make(images("cat", 1), ratios: SplitRatios(train: 80, validation: 20, test: 0), seed: 1)
        #expect(twoWay.warnings == ["class 'cat' has 1 image to split: too few to give train and validation one each"])
    }

    @Test func theOrderItemsArriveInDoesNotMatter() {
        let items = images("cat", 50) + images("dog", 40)
        let forward = placed(items, SplitPlan.make(items, ratios: r80_10_10, seed: 99))
        let reversedItems = Array(items.reversed())
        let backward = placed(reversedItems, SplitPlan.make(reversedItems, ratios: r80_10_10, seed: 99))
        #expect(forward == backward)
    }

    @Test func theSeedChoosesTheImages() {
        let items = images("cat", 100)
        let a = SplitPlan.make(items, ratios: r80_10_10, seed: 1).splits
        let b = SplitPlan.make(items, ratios: r80_10_10, seed: 2).splits
        #expect(a != b)
        #expect(a == SplitPlan.make(items, ratios: r80_10_10, seed: 1).splits)
        // Pinned, and checked against a Python transcription of the planner (paths sorted by
        // bytes, xoshiro256** Fisher-Yates, most room first): a change here changes every user's
        // split for the same seed.
        #expect(a.enumerated().filter { $0.element == .test }.map(\.offset) == [11, 14, 36, 42, 44, 54, 65, 72, 77, 83])
    }

    @Test func identicalFilesLandTogetherEvenAcrossClasses() {
        var items = images("cat", 30) + images("dog", 30)
        items[3].sha256 = "same"                    // cat/3.jpg
        items[40].sha256 = "same"                   // dog/10.jpg
        items[41].sha256 = "same"                   // dog/11.jpg
        items[7].sha256 = "pair"; items[8].sha256 = "pair"
        for seed in UInt64(0)..<20 {
            let plan = SplitPlan.make(items, ratios: r80_10_10, seed: seed)
            #expect(Set([plan.splits[3], plan.splits[40], plan.splits[41]]).count == 1)
            #expect(plan.splits[7] == plan.splits[8])
            #expect(plan.duplicateGroups == [[3, 40, 41], [7, 8]].sorted { items[$0[0]].path < items[$1[0]].path })
        }
    }

    @Test func groupKeysKeepImagesTogether() {
        var items = images("x", 40)
        for index in items.indices { items[index].group = "patient\(index / 4)" }  // 10 patients, 4 scans each
        for seed in UInt64(0)..<10 {
            let plan = SplitPlan.make(items, ratios: r80_10_10, seed: seed)
            for patient in 0..<10 { #expect(Set(plan.splits[(patient * 4)..<(patient * 4 + 4)]).count == 1) }
            #expect(plan.sharedGroupKeys == 10)
            #expect(counts(items, plan, "x") == [32, 4, 4])  // units of 4 fill 32/4/4 exactly
        }
    }

    @Test func keptImagesPullTheirDuplicatesIntoTheirSplit() {
        var items = images("cat", 20)
        items[0].kept = .test
        items[1].kept = .test
        items[5].sha256 = items[0].sha256
        let plan = SplitPlan.make(items, ratios: r80_10_10.without([.test]), seed: 1337)
        #expect(plan.splits[0] == .test && plan.splits[1] == .test && plan.splits[5] == .test)
        #expect(plan.joinedKept == 1)
        #expect(!plan.splits.enumerated().contains { $0.offset > 1 && $0.offset != 5 && $0.element == .test })
        #expect(counts(items, plan, "cat") == [15, 2, 3])  // 17 pooled at 80:10
    }

    @Test func stableSplitsNeverMoveAnImageWhenImagesAreAdded() {
        let before = images("cat", 500) + images("dog", 500)
        let after = images("cat", 700) + images("dog", 600) + images("eel", 100)
        let first = placed(before, SplitPlan.make(before, ratios: r80_10_10, seed: 1, stable: true))
        let second = placed(after, SplitPlan.make(after, ratios: r80_10_10, seed: 2, stable: true))
        for (path, split) in first { #expect(second[path] == split, "\(path)") }
        let share = Double(first.values.filter { $0 == .train }.count) / Double(first.count)
        #expect(abs(share - 0.8) < 0.04)
    }

    /// `floor(u * 100)` for u = the first 64 bits of SHA-256(key) / 2^64 (computed in Python):
    /// below 80 is train, 80-89 validation, 90-99 test.
    @Test(arguments: [("cat/1.jpg", 38, Split.train), ("a", 79, .train), ("g", 80, .validation),
                      ("t", 88, .validation), ("cat/21.jpg", 92, .test), ("cat/9.jpg", 97, .test)])
    func stableSplitIsTheHashOfThePath(key: String, position: Int, split: Split) {
        #expect(SplitPlan.stableSplit(key: key, ratios: r80_10_10) == split)
    }
}

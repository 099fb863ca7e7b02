import Testing
@testable import Dataset

/// Splits "a/b/c.jpg" into components.
private func paths(_ list: [String]) -> [[String]] { list.map { $0.split(separator: "/").map(String.init) } }

/// The placements as "[split/]class/file" strings, for readable assertions.
private func placed(_ list: [String], layout: Layout = .auto) -> (LayoutReport, [String]) {
    let (report, placements) = LayoutInference.place(paths(list), layout: layout)
    return (report, placements.map { $0.components.joined(separator: "/") })
}

@Suite struct LayoutInferenceTests {
    @Test func classFoldersUnderACommonRoot() {
        let (report, out) = placed(["PetImages/Cat/0.jpg", "PetImages/Cat/1.jpg", "PetImages/Dog/0.jpg"])
        #expect(out == ["Cat/0.jpg", "Cat/1.jpg", "Dog/0.jpg"])
        #expect(report.layout == .classFolders)
        #expect(report.root == "PetImages")
        #expect(report.splits.isEmpty)
    }

    @Test func classFoldersAtDepthKeepSubfolderNamesInTheFileName() {
        let (_, out) = placed(["a/b/flowers/rose/x/1.jpg", "a/b/flowers/tulip/1.jpg"])
        #expect(out == ["rose/x_1.jpg", "tulip/1.jpg"])
    }

    @Test func filenamePrefixesBesideKaggleUnlabelledTestFolder() {
        let (report, out) = placed(["train/cat.0.jpg", "train/cat.1.jpg", "train/dog.0.jpg", "train/dog_12.png",
                                    "test1/1.jpg", "test1/2.jpg"])
        #expect(out == ["cat/cat.0.jpg", "cat/cat.1.jpg", "dog/dog.0.jpg", "dog/dog_12.png",
                        "unlabeled/1.jpg", "unlabeled/2.jpg"])
        #expect(report.layout == .filenamePrefix)
        #expect(report.splits.isEmpty)
    }

    @Test func preSplitTreeWithDoubledFolders() {
        let (report, out) = placed([
            "dataset/training_set/training_set/cats/c1.jpg", "dataset/training_set/training_set/dogs/d1.jpg",
            "dataset/test_set/test_set/cats/c3.jpg", "dataset/valid/dogs/d3.jpg",
        ])
        #expect(out == ["train/cats/c1.jpg", "train/dogs/d1.jpg", "test/cats/c3.jpg", "validation/dogs/d3.jpg"])
        #expect(report.layout == .splitFolders)
        #expect(report.splits == [.train, .validation, .test])
        #expect(report.root == "dataset")
    }

    @Test func doubledMNISTFoldersWithUnlabelledTestSet() {
        let (report, out) = placed(["trainingSet/trainingSet/0/img_1.jpg", "trainingSet/trainingSet/1/img_2.jpg",
                                    "testSet/testSet/img_3.jpg", "testSet/testSet/img_4.jpg"])
        #expect(out == ["0/img_1.jpg", "1/img_2.jpg", "unlabeled/img_3.jpg", "unlabeled/img_4.jpg"])
        #expect(report.layout == .classFolders)
    }

    @Test func nestedArchiveFolderCollapsesWithItsOwnTopFolder() {
        let (_, out) = placed(["train/train/cat.0.jpg", "train/train/dog.0.jpg", "test1/test1/1.jpg"])
        #expect(out == ["cat/cat.0.jpg", "dog/dog.0.jpg", "unlabeled/1.jpg"])
    }

    @Test func classFoldersWinWhenPrefixFoldersHoldFewImages() {
        let (report, out) = placed(["p/Cat/cat.1.jpg", "p/Cat/kitten_2.jpg", "p/Dog/dog.1.jpg", "p/Dog/dog.2.jpg",
                                    "p/Dog/dog.3.jpg"])
        #expect(out == ["Cat/cat.1.jpg", "Cat/kitten_2.jpg", "Dog/dog.1.jpg", "Dog/dog.2.jpg", "Dog/dog.3.jpg"])
        #expect(report.layout == .classFolders)
    }

    @Test func aSinglePrefixIsNotALabel() {
        let (report, out) = placed(["images/img_1.jpg", "images/img_2.jpg"])
        #expect(out == ["unlabeled/img_1.jpg", "unlabeled/img_2.jpg"])
        #expect(report.layout == .unlabeled)
    }

    @Test func labelledImagesOutsideSplitFoldersJoinTrainWithANote() {
        let (report, out) = placed(["d/train/a/1.jpg", "d/test/a/2.jpg", "d/extra/3.jpg"])
        #expect(out == ["train/a/1.jpg", "test/a/2.jpg", "train/extra/3.jpg"])
        #expect(report.notes == ["1 labelled images outside any split folder were added to train"])
    }

    @Test func forcedLayouts() {
        let tree = ["root/train/cat/1.jpg", "root/test/dog/dog.2.jpg"]
        #expect(placed(tree, layout: .classFolders).1 == ["train/cat_1.jpg", "test/dog_dog.2.jpg"])
        #expect(placed(tree, layout: .splitFolders).1 == ["train/cat/1.jpg", "test/dog/dog.2.jpg"])
        #expect(placed(tree, layout: .filenamePrefix).1 == ["unlabeled/1.jpg", "dog/dog.2.jpg"])
        #expect(placed(tree, layout: .unlabeled).1 == ["unlabeled/1.jpg", "unlabeled/dog.2.jpg"])
        #expect(placed(tree, layout: .unlabeled).0.layout == .unlabeled)
    }

    @Test(arguments: [
        ("cat.0.jpg", "cat"), ("dog_12.png", "dog"), ("american_bulldog_10.jpg", "american_bulldog"),
        ("Abyssinian-3.jpeg", "Abyssinian"), ("img_1.jpg", "img"),
    ])
    func prefixLabels(name: String, label: String) {
        #expect(LayoutInference.prefixLabel(of: name) == label)
    }

    @Test(arguments: ["12.jpg", "cat.jpg", "IMG_20190101_123456.jpg", "2019_01.jpg", "catdog5.jpg", ".5.jpg"])
    func namesWithoutPrefixLabel(name: String) {
        #expect(LayoutInference.prefixLabel(of: name) == nil)
    }
}

@Suite struct SplitAndJunkTests {
    @Test(arguments: [
        ("train", Split.train), ("Training", .train), ("training_set", .train), ("trainingSet", .train),
        ("val", .validation), ("valid", .validation), ("Validation", .validation), ("test", .test),
        ("testing", .test), ("test-set", .test),
    ])
    func recognisedSplitFolders(name: String, split: Split) {
        #expect(Split.recognise(name) == split)
    }

    @Test(arguments: ["test1", "trains", "set", "cats", "validate"])
    func otherFoldersAreNotSplits(name: String) {
        #expect(Split.recognise(name) == nil)
    }

    @Test(arguments: [
        ("__MACOSX/pets/cat/._a.jpg", "junk: macOS archive metadata (__MACOSX)"),
        ("pets/cat/._a.jpg", "junk: macOS resource fork (._ file)"),
        ("pets/.DS_Store", "junk: macOS folder settings (.DS_Store)"),
        ("pets/cat/Thumbs.db", "junk: Windows thumbnail cache (Thumbs.db)"),
        ("pets/dog/desktop.ini", "junk: Windows folder settings (desktop.ini)"),
        ("pets/.hidden/c.jpg", "junk: inside hidden folder .hidden"),
        ("pets/.c.jpg", "junk: hidden file"),
    ])
    func junk(path: String, reason: String) {
        #expect(Junk.reason(for: path.split(separator: "/").map(String.init)) == reason)
    }

    @Test func realImagesAreNotJunk() {
        #expect(Junk.reason(for: ["pets", "cat", "a.jpg"]) == nil)
        #expect(Junk.reason(for: ["Thumbs", "a.jpg"]) == nil)
    }
}

import Dataset
import Foundation
import Imaging
import Testing
@testable import Preparation

/// The fixture data folder (`ShapeFixtures/tree`, made by `make_shape_fixtures.py`).
let shapeFixtureTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("ShapeFixtures/tree").path

/// Surveys the fixture tree with `options` changed by `change`.
func surveyFixtureTree(_ change: (inout ShapeSurveyOptions) -> Void = { _ in }) throws -> ShapeReport {
    var options = ShapeSurveyOptions(data: shapeFixtureTree, threads: 2)
    change(&options)
    return try ShapeSurvey(options: options).run()
}

/// The size in bytes of each fixture file named.
func fixtureBytes(_ paths: [String]) throws -> [Int64] {
    try paths.map { path in
        let attributes = try FileManager.default.attributesOfItem(atPath: shapeFixtureTree + "/" + path)
        return (attributes[.size] as? NSNumber)?.int64Value ?? -1
    }
}

/// The images in the fixture tree whose header is readable, by class.
let readableFixtures = [
    "cat": ["train/cat/rgb_8x6_q90.jpg", "train/cat/gray_8x6.jpg", "train/cat/cmyk_8x6.jpg",
            "train/cat/exif_orientation_6_8x6.jpg", "train/cat/icc_4k_12x9.jpg", "test/cat/truncated_scan_24x18.jpg"],
    "dog": ["train/dog/palette_8x6.png", "train/dog/palette_trns_8x6.png", "train/dog/rgba_16x16.png",
            "train/dog/gray16_32x8.png", "train/dog/png_named.jpg", "train/dog/noext_rgb_8x6"],
    "unlabeled": ["loose_rgb_8x6.jpg", "test/rgb_10x10.jpg"],
]

/// Files, images and unreadable files.
func counts(_ statistics: ShapeStatistics) -> [Int] {
    [statistics.files, statistics.images, statistics.unreadable]
}

/// The expected spread of the file sizes of `paths`: min, lower median, max.
func expectedByteSpread(_ paths: [String]) throws -> ShapeStatistics.Spread {
    let sizes = try fixtureBytes(paths).sorted()
    return .init(min: sizes[0], median: sizes[(sizes.count - 1) / 2], max: sizes[sizes.count - 1])
}

@Suite("ShapeSurvey on a fixture tree made by real encoders")
struct ShapeSurveyTests {
    @Test("every count over all images is exact")
    func allImages() throws {
        let report = try surveyFixtureTree()
        let all = report.all
        #expect(all.files == 18)
        #expect(all.images == 14)
        #expect(all.unreadable == 4)
        #expect(all.formats == ["jpeg": 10, "png": 5, "gif": 1])
        #expect(all.colorModels == .init(gray: 2, rgb: 11, cmyk: 1, palette: 2, alpha: 2, sixteenBit: 1))
        #expect(all.exifRotated == 1)
        #expect(all.topSizes.map { "\($0.width)x\($0.height) \($0.count) \($0.percent)" } == [
            "8x6 8 57.14", "6x8 1 7.14", "10x10 1 7.14", "12x9 1 7.14", "16x16 1 7.14", "24x18 1 7.14", "32x8 1 7.14",
        ])
        #expect(all.distinctSizes == 7)
        // Displayed widths 6, 8 x8, 10, 12, 16, 24, 32; heights 6 x8, 8, 8, 9, 10, 16, 18.
        #expect(all.width == .init(min: 6, median: 8, max: 32))
        #expect(all.height == .init(min: 6, median: 6, max: 18))
        #expect(all.fileBytes == (try expectedByteSpread(readableFixtures.values.flatMap { $0 })))
        #expect(report.classes == nil)
    }

    @Test("classes come from the first folder, or the second under a split folder")
    func classesAndSkipped() throws {
        let report = try surveyFixtureTree()
        #expect(report.classCounts == ["cat": 7, "dog": 9, "unlabeled": 2])
        #expect(report.skipped == .init(junkFiles: 2, nonImageFiles: 2, folders: [".quarantine", "__MACOSX"]))
        #expect(report.sample == nil)
        #expect(report.data == shapeFixtureTree)
        #expect(report.tool == "dsprep \(dsprepVersion)")
    }

    @Test("unreadable and misnamed files are listed with exact reasons, sorted by path")
    func unreadableAndMisnamed() throws {
        let report = try surveyFixtureTree()
        #expect(report.unreadable == [
            .init(path: "test/cat/truncated_header.jpg", reason: "truncated JPEG (no end-of-image marker)"),
            .init(path: "test/dog/empty.png", reason: "empty file"),
            .init(path: "test/dog/rgb_8x6.gif", reason: "unsupported format (GIF)"),
            .init(path: "test/dog/text_named.png", reason: "not an image (unrecognised content)"),
        ])
        #expect(report.misnamed == [
            .init(path: "train/dog/noext_rgb_8x6", reason: "JPEG image without an extension"),
            .init(path: "train/dog/png_named.jpg", reason: "PNG data in a file named .jpg"),
        ])
    }

    @Test("--by-class gives each class its own exact statistics")
    func byClass() throws {
        let classes = try #require(try surveyFixtureTree { $0.byClass = true }.classes)
        #expect(classes.keys.sorted() == ["cat", "dog", "unlabeled"])
        let cat = try #require(classes["cat"]), dog = try #require(classes["dog"]), loose = try #require(classes["unlabeled"])
        #expect(counts(cat) == [7, 6, 1])
        #expect(cat.formats == ["jpeg": 7])
        #expect(cat.colorModels == .init(gray: 1, rgb: 4, cmyk: 1))
        #expect(cat.exifRotated == 1)
        #expect(cat.topSizes.map { "\($0.width)x\($0.height) \($0.count)" } == ["8x6 3", "6x8 1", "12x9 1", "24x18 1"])
        #expect(cat.fileBytes == (try expectedByteSpread(readableFixtures["cat"] ?? [])))

        #expect(counts(dog) == [9, 6, 3])
        #expect(dog.formats == ["png": 5, "jpeg": 1, "gif": 1])
        #expect(dog.colorModels == .init(gray: 1, rgb: 5, cmyk: 0, palette: 2, alpha: 2, sixteenBit: 1))
        #expect(dog.topSizes.map { "\($0.width)x\($0.height) \($0.count)" } == ["8x6 4", "16x16 1", "32x8 1"])
        #expect(dog.width == .init(min: 8, median: 8, max: 32))

        #expect(counts(loose) == [2, 2, 0])
        #expect(loose.topSizes.map { "\($0.width)x\($0.height) \($0.count) \($0.percent)" } == ["8x6 1 50.0", "10x10 1 50.0"])
    }

    @Test("histograms of the fixture tree")
    func histograms() throws {
        let histograms = try surveyFixtureTree().all.histograms
        #expect(histograms.width.step == 5)
        #expect(histograms.width.bins.map(\.count) == [9, 2, 1, 1, 0, 1])
        #expect(histograms.width.bins.first?.lower == 5)
        #expect(histograms.height.step == 2)
        #expect(histograms.height.bins.map(\.count) == [8, 3, 1, 0, 0, 1, 1])
        #expect(histograms.aspect.step == 0.5)
        #expect(histograms.aspect.bins.map(\.count) == [1, 12, 0, 0, 0, 0, 0, 1])
        #expect(histograms.aspect.below == 0)
        #expect(histograms.aspect.above == 0)
    }

    @Test("the report is identical whatever the thread count", arguments: [1, 2, 3, 8, 32])
    func sameForAnyThreadCount(threads: Int) throws {
        let reference = try surveyFixtureTree { $0.threads = 1; $0.byClass = true }
        let report = try surveyFixtureTree { $0.threads = threads; $0.byClass = true }
        #expect(report == reference)
        #expect(try encoded(report) == encoded(reference))
    }

    @Test("short reads give the same report: headers past them are read further",
          arguments: [(32, 32, 32), (32, 32, 33), (32, 200, 1000), (200, 200, 1000), (64, 1024, 2048), (1024, 4096, 65536),
                      (4096, 4096, 65536), (65536, 65536, 65536)])
    func sameForAnyReadSizes(small: Int, first: Int, second: Int) throws {
        let reference = try surveyFixtureTree()
        #expect(try surveyFixtureTree { $0.readSizes = .init(small: small, first: first, second: second) } == reference)
    }

    @Test("--top limits the sizes listed")
    func top() throws {
        #expect(try surveyFixtureTree { $0.top = 2 }.all.topSizes.map(\.count) == [8, 1])
        #expect(try surveyFixtureTree { $0.top = 0 }.all.topSizes.isEmpty)
    }

    @Test("a data folder that cannot be surveyed is one error naming it")
    func missingFolder() throws {
        let missing = shapeFixtureTree + "/no-such-folder"
        #expect(throws: ShapeSurveyError(path: missing, reason: "no such folder")) {
            try ShapeSurvey(options: .init(data: missing)).run()
        }
        let file = shapeFixtureTree + "/notes.txt"
        #expect(throws: ShapeSurveyError(path: file, reason: "not a folder")) {
            try ShapeSurvey(options: .init(data: file)).run()
        }
        #expect(ShapeSurveyError(path: "data", reason: "no such folder").description == "data: no such folder")
    }

    @Test("an empty folder gives an empty report and no recommendation")
    func emptyFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shapes-empty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let report = try ShapeSurvey(options: .init(data: folder)).run()
        #expect(counts(report.all) == [0, 0, 0])
        #expect(report.all.width == nil)
        #expect(report.all.histograms.width.bins.isEmpty)
        #expect(report.recommendation == nil)
    }

    @Test("progress is reported on the calling thread, ending with every file")
    func progress() throws {
        let survey = ShapeSurvey(options: .init(data: shapeFixtureTree, threads: 3))
        var steps: [ShapeSurveyProgress] = []
        survey.onProgress = { steps.append($0) }
        _ = try survey.run()
        #expect(steps.last.map { [$0.filesRead, $0.filesTotal] } == [19, 19])  // LICENSE has no extension: read, then skipped
        #expect(steps.allSatisfy { $0.filesRead <= $0.filesTotal })
    }

    private func encoded(_ report: ShapeReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(report)
    }
}

@Suite("ShapeSurvey --sample")
struct ShapeSampleTests {
    @Test("the same seed surveys the same files, whatever the thread count")
    func sameSeedSameSample() throws {
        let first = try surveyFixtureTree { $0.sample = 6; $0.seed = 42; $0.threads = 1 }
        let second = try surveyFixtureTree { $0.sample = 6; $0.seed = 42; $0.threads = 4 }
        #expect(first == second)
        #expect(first.sample == .init(size: 6, seed: 42, population: 19))
    }

    @Test("the sample is the files the sampler picks, pinned for two seeds")
    func pinnedSample() throws {
        // Candidates in path order: 0 LICENSE, 1 loose_rgb_8x6.jpg, 2 test/cat/truncated_header.jpg,
        // 3 test/cat/truncated_scan_24x18.jpg, 4 test/dog/empty.png, 5 test/dog/rgb_8x6.gif,
        // 6 test/dog/text_named.png, 7 test/rgb_10x10.jpg, 8-12 train/cat/..., 13-18 train/dog/...
        #expect(SurveySampler.sample(6, of: 19, seed: 42) == [1, 7, 13, 15, 17, 18])
        #expect(SurveySampler.sample(6, of: 19, seed: 7) == [3, 6, 13, 16, 17, 18])
        let report = try surveyFixtureTree { $0.sample = 6; $0.seed = 7 }
        // 3 truncated_scan_24x18.jpg (cat), 6 text_named.png, 13 gray16_32x8.png, 16 palette_trns_8x6.png,
        // 17 png_named.jpg, 18 rgba_16x16.png (dog)
        #expect(counts(report.all) == [6, 5, 1])
        #expect(report.classCounts == ["cat": 1, "dog": 5])
        #expect(report.unreadable.map(\.path) == ["test/dog/text_named.png"])
        #expect(report.all.topSizes.map { "\($0.width)x\($0.height) \($0.count)" } == ["8x6 2", "16x16 1", "24x18 1", "32x8 1"])
    }

    @Test("a sample as large as the data is the whole data")
    func wholeSample() throws {
        var report = try surveyFixtureTree { $0.sample = 1000 }
        #expect(report.sample == .init(size: 19, seed: SurveySampler.defaultSeed, population: 19))
        report.sample = nil
        #expect(report == (try surveyFixtureTree()))
    }

    @Test("samples are distinct sorted indices in range", arguments: [(0, 10), (1, 1), (3, 10), (9, 10), (50, 1000), (10, 3)])
    func sampleShape(count: Int, total: Int) {
        for seed: UInt64 in [0, 1, 1337, .max] {
            let picked = SurveySampler.sample(count, of: total, seed: seed)
            #expect(picked.count == min(count, total))
            #expect(picked == picked.sorted())
            #expect(Set(picked).count == picked.count)
            #expect(picked.allSatisfy { (0..<total).contains($0) })
        }
    }

    @Test("every item is about equally likely to be picked")
    func uniform() {
        var hits = [Int](repeating: 0, count: 10)
        for seed: UInt64 in 0..<2000 {
            for index in SurveySampler.sample(3, of: 10, seed: seed) { hits[index] += 1 }
        }
        // 2000 draws of 3 of 10: 600 expected per item; 4 standard deviations is about 82.
        #expect(hits.allSatisfy { abs($0 - 600) < 82 }, "\(hits)")
    }
}

@Suite("SurveyWalker")
struct ShapeWalkerTests {
    @Test("the class of a file", arguments: [
        (["cat", "1.jpg"], "cat"),
        (["train", "cat", "1.jpg"], "cat"),
        (["validation", "dog", "a", "2.jpg"], "dog"),
        (["training_set", "Cat", "1.jpg"], "Cat"),
        (["test1", "1.jpg"], "test1"),  // Kaggle's unlabelled folder is not a split name
        (["1.jpg"], "unlabeled"),
        (["train", "1.jpg"], "unlabeled"),
        (["unlabeled", "1.jpg"], "unlabeled"),
        (["cat", "train", "1.jpg"], "cat"),
    ])
    func label(components: [String], expected: String) {
        #expect(SurveyWalker.label(of: components) == expected)
    }

    @Test("the walk asks Junk about every junk file name, and skips asking for plain ones", arguments: [
        (".DS_Store", true), ("._1.jpg", true), (".hidden.jpg", true), ("Thumbs.db", true), ("THUMBS.DB", true),
        ("desktop.ini", true), ("Desktop.INI", true), ("__MACOSX", true),
        ("DES\u{212A}TOP.INI", true),  // the Kelvin sign lower-cases to k: "desktop.ini"
        ("1.jpg", false), ("cat.12.jpg", false), ("thumbs_db", true), ("_1.jpg", true), ("chat-é.jpg", true),
        ("12345.jpg", false), ("Tiger.jpg", true), ("dog.12.jpg", false), ("Dog.123.jpg", true),
    ])
    func junkPrefilter(name: String, asks: Bool) {
        #expect(SurveyWalker.mayBeJunk(name) == asks)
        if Junk.reason(for: [name]) != nil { #expect(SurveyWalker.mayBeJunk(name)) }
    }

    @Test("candidates, sorted by path, and skipped files are counted")
    func listing() throws {
        let listing = try SurveyWalker.list(shapeFixtureTree)
        #expect(listing.sortedByPath().map(listing.path) == [
            "LICENSE", "loose_rgb_8x6.jpg", "test/cat/truncated_header.jpg", "test/cat/truncated_scan_24x18.jpg",
            "test/dog/empty.png", "test/dog/rgb_8x6.gif", "test/dog/text_named.png", "test/rgb_10x10.jpg",
            "train/cat/cmyk_8x6.jpg", "train/cat/exif_orientation_6_8x6.jpg", "train/cat/gray_8x6.jpg",
            "train/cat/icc_4k_12x9.jpg", "train/cat/rgb_8x6_q90.jpg", "train/dog/gray16_32x8.png",
            "train/dog/noext_rgb_8x6", "train/dog/palette_8x6.png", "train/dog/palette_trns_8x6.png",
            "train/dog/png_named.jpg", "train/dog/rgba_16x16.png",
        ])
        #expect(listing.junkFiles == 2)
        #expect(listing.nonImageFiles == 1)  // notes.txt; LICENSE is read, having no extension
        #expect(listing.skippedFolders == [".quarantine", "__MACOSX"])
        #expect(listing.problems.isEmpty)
    }

    @Test("symbolic links to files are followed; a link loop is entered once")
    func links() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shapes-links-\(UUID().uuidString)").path
        let files = FileManager.default
        try files.createDirectory(atPath: folder + "/cat", withIntermediateDirectories: true)
        defer { try? files.removeItem(atPath: folder) }
        try files.createSymbolicLink(atPath: folder + "/cat/1.jpg", withDestinationPath: shapeFixtureTree + "/train/cat/rgb_8x6_q90.jpg")
        try files.createSymbolicLink(atPath: folder + "/cat/loop", withDestinationPath: folder)
        try files.createSymbolicLink(atPath: folder + "/cat/dangling.jpg", withDestinationPath: folder + "/nowhere.jpg")
        let listing = try SurveyWalker.list(folder)
        #expect(listing.candidates.map(listing.path) == ["cat/1.jpg"])
        #expect(listing.problems == [.init(path: "cat/dangling.jpg", reason: "cannot read: No such file or directory")])
        let report = try ShapeSurvey(options: .init(data: folder)).run()
        #expect(report.all.topSizes.map { "\($0.width)x\($0.height)" } == ["8x6"])
        #expect(report.unreadable.map(\.path) == ["cat/dangling.jpg"])
    }
}

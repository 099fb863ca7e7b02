import ArgumentParser
import Foundation
import Testing
import Unpacking
@testable import DSPrepCLI

/// The folder holding the shapes fixture tree (`tree/`), made by
/// `Tests/PreparationTests/ShapeFixtures/make_shape_fixtures.py`.
fileprivate let fixtureFolder = repositoryRoot + "/Tests/PreparationTests/ShapeFixtures"

/// Runs the built `dsprep shapes` with `arguments` in the fixture folder, in a UTF-8 locale
/// unless `environment` says otherwise.
fileprivate func shapes(_ arguments: [String], in folder: String = fixtureFolder,
                        environment: [String: String] = [:]) throws -> RunResult {
    try dsprep(["shapes"] + arguments, in: folder, environment: ["LC_ALL": "C.UTF-8"].merging(environment) { $1 })
}

@Suite struct ShapesParsingTests {
    @Test func defaults() throws {
        let command = try #require(try DSPrep.parseAsRoot(["shapes"]) as? DSPrep.ShapesCommand)
        #expect(command.data == "data")
        #expect(!command.byClass)
        #expect(command.top == 10)
        #expect(command.sample == nil)
        #expect(command.seed == 1337)
        #expect(command.maxSide == 96)
        #expect(command.threads == nil)
        #expect(!command.global.json)
    }

    @Test func everyOption() throws {
        let command = try #require(try DSPrep.parseAsRoot(["shapes", "photos", "--by-class", "--top", "3", "--sample", "500",
                                                          "--seed", "7", "--max-side", "224", "--threads", "2", "--json"])
                                   as? DSPrep.ShapesCommand)
        #expect(command.data == "photos")
        #expect(command.byClass)
        #expect(command.top == 3)
        #expect(command.sample == 500)
        #expect(command.maxSide == 224)
        #expect(command.threads == 2)
        #expect(command.seed == 7)
        #expect(command.global.json)
    }

    @Test("bad values fail with a sentence", arguments: [
        (["--top=-1"], "--top must be 0 or more (0 lists no sizes)."),
        (["--sample", "0"], "--sample must be at least 1 (leave it out to survey every file)."),
        (["--max-side", "0"], "--max-side must be at least 1 pixel."),
        (["--threads", "0"], "--threads must be at least 1."),
    ])
    func badValues(arguments: [String], message: String) {
        var error: Error = CleanExit.message("no error")
        do { _ = try DSPrep.parseAsRoot(["shapes"] + arguments) } catch let caught { error = caught }
        #expect(DSPrep.message(for: error) == message)
    }

    /// The help text at 100 columns.
    @Test func helpIsPinned() {
        #expect(DSPrep.helpMessage(for: DSPrep.ShapesCommand.self, columns: 100) == """
            OVERVIEW: Survey image sizes, formats and colour models, and recommend a --size for shard.

            Reads only each image's header (no pixels are decoded) on all cores, and reports the formats, the
            most common sizes as displayed (after EXIF orientation), colour models, min/median/max of width,
            height and file size, histograms of width, height and aspect ratio, and unreadable files. It
            recommends a --size and --resize for dsprep shard and says how much each choice would stretch, crop
            or pad. The class of a file is its first folder under DATA, or under DATA/<split>/. Junk,
            .quarantine/ and non-image files are skipped. Writes nothing.

            USAGE: dsprep shapes [<data>] [--by-class] [--top <n>] [--sample <n>] [--seed <seed>] [--max-side <pixels>] [--threads <n>] [--json] [--quiet]

            ARGUMENTS:
              <data>                  The data folder to survey. (default: data)

            OPTIONS:
              --by-class              Report every class as well as the whole data set.
              --top <n>               How many of the most common sizes to list. (default: 10)
              --sample <n>            Survey a random sample of this many files instead of all.
              --seed <seed>           The seed that picks the --sample. (default: 1337)
              --max-side <pixels>     The longest side the recommended size may have. (default: 96)
              --threads <n>           Threads reading headers (default: all cores).
              --json                  Print the report as JSON on stdout instead of text.
              -q, --quiet             Print no progress and no summary; errors still go to stderr.
              --version               Show the version.
              -h, --help              Show help information.

            """)
    }

    @Test func rootHelpListsShapes() {
        #expect(DSPrep.helpMessage(columns: 120).contains(
            "shapes                  Survey image sizes, formats and colour models, and recommend a --size for shard."))
    }
}

@Suite struct ShapesEndToEndTests {
    /// The summary of the fixture tree, pinned whole but for the file-size line, which depends
    /// on the encoder that made the fixtures and is checked against the files themselves.
    static let fixtureSummary = """
        Surveyed tree/: 18 files in 3 classes; 14 images read, 4 unreadable.
        Skipped 2 junk files, 2 non-image files, folders .quarantine/, __MACOSX/.

        Formats:        JPEG 10 (55.6%), PNG 5 (27.8%), GIF 1 (5.6%)
        Colour models:  gray 2 (14.3%), RGB 11 (78.6%), CMYK 1 (7.1%), palette 2 (14.3%), alpha 2 (14.3%), 16-bit 1 (7.1%)
        EXIF-rotated:   1 image (7.1%), counted as displayed

        Most common sizes (width x height as displayed; 7 distinct sizes):
          8x6    8  57.1%
          6x8    1   7.1%
          10x10  1   7.1%
          12x9   1   7.1%
          16x16  1   7.1%
          24x18  1   7.1%
          32x8   1   7.1%

                         min   median      max
          width            6        8       32
          height           6        6       18
          file size (checked separately)

        Width (pixels, as displayed):
          5-9    ████████████████████████████████████████  9  64.3%
          10-14  ████████▉                                 2  14.3%
          15-19  ████▌                                     1   7.1%
          20-24  ████▌                                     1   7.1%
          25-29                                            0   0.0%
          30-34  ████▌                                     1   7.1%

        Height (pixels, as displayed):
          6-7    ████████████████████████████████████████  8  57.1%
          8-9    ███████████████                           3  21.4%
          10-11  █████                                     1   7.1%
          12-13                                            0   0.0%
          14-15                                            0   0.0%
          16-17  █████                                     1   7.1%
          18-19  █████                                     1   7.1%

        Aspect ratio (width / height):
          0.50-1.00  ███▍                                       1   7.1%
          1.00-1.50  ████████████████████████████████████████  12  85.7%
          1.50-2.00                                             0   0.0%
          2.00-2.50                                             0   0.0%
          2.50-3.00                                             0   0.0%
          3.00-3.50                                             0   0.0%
          3.50-4.00                                             0   0.0%
          4.00-4.50  ███▍                                       1   7.1%

        Unreadable (4):
          test/cat/truncated_header.jpg: truncated JPEG (no end-of-image marker)
          test/dog/empty.png: empty file
          test/dog/rgb_8x6.gif: unsupported format (GIF)
          test/dog/text_named.png: not an image (unrecognised content)

        Named for another format (2, surveyed by content):
          train/dog/noext_rgb_8x6: JPEG image without an extension
          train/dog/png_named.jpg: PNG data in a file named .jpg

        Recommended for shard: --size 6 --resize crop
          Sizes vary (57.14% of images are 8x6); 6 is the 10th-percentile short side, so 0% are
          enlarged; a centre crop cuts 25% of the pixels on average (at most a third, as for 4:3 and 3:2
          photos).

          size     enlarged  off-aspect   stretch      crop       pad
          6x6          0.0%       85.7%     47.6%     25.0%     25.0%  <- recommended
          32x32      100.0%       85.7%     47.6%     25.0%     25.0%
          64x64      100.0%       85.7%     47.6%     25.0%     25.0%
          96x96      100.0%       85.7%     47.6%     25.0%     25.0%
          128x128    100.0%       85.7%     47.6%     25.0%     25.0%
          224x224    100.0%       85.7%     47.6%     25.0%     25.0%

          enlarged: images smaller than the size on a side (stretch and crop enlarge them); off-aspect:
          images whose aspect ratio differs by more than 1%; stretch: mean change of aspect ratio; crop:
          mean share of each image cut away; pad: mean share of the output left as padding.

        """

    /// The readable images of the fixture tree, whose sizes the file-size line summarises.
    static let readable = [
        "loose_rgb_8x6.jpg", "test/rgb_10x10.jpg", "test/cat/truncated_scan_24x18.jpg", "train/cat/rgb_8x6_q90.jpg",
        "train/cat/gray_8x6.jpg", "train/cat/cmyk_8x6.jpg", "train/cat/exif_orientation_6_8x6.jpg", "train/cat/icc_4k_12x9.jpg",
        "train/dog/palette_8x6.png", "train/dog/palette_trns_8x6.png", "train/dog/rgba_16x16.png", "train/dog/gray16_32x8.png",
        "train/dog/png_named.jpg", "train/dog/noext_rgb_8x6",
    ]

    @Test("the summary of the fixture tree, exactly")
    func summary() throws {
        let result = try shapes(["tree", "--threads", "2"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        var lines = result.stdout.components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.hasPrefix("  file size") })
        let sizes = try Self.readable.map { path -> Int64 in
            let attributes = try FileManager.default.attributesOfItem(atPath: fixtureFolder + "/tree/" + path)
            return (attributes[.size] as? NSNumber)?.int64Value ?? -1
        }.sorted()
        let words = lines[index].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(words.joined(separator: " ") == "file size \(ByteCount(sizes[0])) \(ByteCount(sizes[6])) \(ByteCount(sizes[13]))")
        lines[index] = "  file size (checked separately)"
        #expect(lines.joined(separator: "\n") == Self.fixtureSummary)
    }

    @Test("the output is the same for any thread count, as text and as JSON")
    func threadCounts() throws {
        for format in [[], ["--json"], ["--by-class"]] {
            let one = try shapes(["tree", "--threads", "1"] + format)
            let many = try shapes(["tree", "--threads", "7"] + format)
            #expect(one.status == 0)
            #expect(one.stdout == many.stdout)
        }
    }

    @Test("--json: the full report, snake_case keys, sorted")
    func json() throws {
        let result = try shapes(["tree", "--by-class", "--top", "2"])
        let json = try shapes(["tree", "--by-class", "--top", "2", "--json"])
        #expect(result.status == 0 && json.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(report.keys.sorted() == ["all", "class_counts", "classes", "data", "format", "misnamed", "recommendation",
                                         "skipped", "tool", "unreadable", "version"])
        #expect(report["format"] as? String == "dsprep-shapes-report")
        #expect(report["class_counts"] as? [String: Int] == ["cat": 7, "dog": 9, "unlabeled": 2])
        let all = try #require(report["all"] as? [String: Any])
        #expect(all.keys.sorted() == ["color_models", "distinct_sizes", "exif_rotated", "file_bytes", "files", "formats",
                                      "height", "histograms", "images", "top_sizes", "unreadable", "width"])
        #expect(all["color_models"] as? [String: Int] == ["alpha": 2, "cmyk": 1, "gray": 2, "palette": 2, "rgb": 11, "sixteen_bit": 1])
        #expect((all["top_sizes"] as? [[String: Any]])?.count == 2)
        let recommendation = try #require(report["recommendation"] as? [String: Any])
        #expect(recommendation["resize"] as? String == "crop")
        #expect(recommendation["width"] as? Int == 6)
        let option = try #require((recommendation["options"] as? [[String: Any]])?.first)
        #expect(option.keys.sorted() == ["height", "max_stretch_percent", "mean_crop_percent", "mean_pad_percent",
                                         "mean_stretch_percent", "off_aspect_percent", "upscaled_by_pad_percent",
                                         "upscaled_percent", "width"])
        // Sorted keys: "all" comes first, and nested keys are sorted too.
        #expect(json.stdout.hasPrefix("{\n  \"all\" : {\n    \"color_models\" : {\n      \"alpha\" : 2,"))
    }

    @Test("--sample: the same seed gives the same output; the sample is recorded")
    func sample() throws {
        let first = try shapes(["tree", "--sample", "6", "--seed", "7", "--json"])
        let second = try shapes(["tree", "--sample", "6", "--seed", "7", "--json", "--threads", "1"])
        #expect(first.stdout == second.stdout)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(report["sample"] as? [String: Int] == ["population": 19, "seed": 7, "size": 6])
        let text = try shapes(["tree", "--sample", "6", "--seed", "7"])
        #expect(text.stdout.components(separatedBy: "\n").prefix(2) == [
            "Surveyed tree/: 6 files in 2 classes; 5 images read, 1 unreadable.",
            "A random sample of 6 of 19 files (--seed 7).",
        ])
    }

    @Test("--by-class adds a section per class")
    func byClass() throws {
        let lines = try shapes(["tree", "--by-class"]).stdout.components(separatedBy: "\n")
        #expect(lines.filter { $0.hasPrefix("Class ") } == [
            "Class cat: 7 files; 6 images read, 1 unreadable.",
            "Class dog: 9 files; 6 images read, 3 unreadable.",
            "Class unlabeled: 2 files; 2 images read, 0 unreadable.",
        ])
    }

    @Test("ASCII bars when the locale is not UTF-8")
    func ascii() throws {
        let result = try shapes(["tree"], environment: ["LC_ALL": "C"])
        #expect(result.stdout.contains("  5-9    ########################################  9  64.3%"))
        #expect(!result.stdout.contains("█"))
    }

    @Test("a missing data folder is one line on stderr and exit status 1", arguments: [
        (["nosuch"], "dsprep: nosuch: no such folder\n"),
        ([], "dsprep: data: no such folder\n"),
        (["tree/notes.txt"], "dsprep: tree/notes.txt: not a folder\n"),
    ])
    func missing(arguments: [String], stderr: String) throws {
        let result = try shapes(arguments)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == stderr)
    }

    @Test("a bad option is a usage error (64)")
    func usage() throws {
        let result = try shapes(["tree", "--top=-1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--top must be 0 or more (0 lists no sizes)."))
    }

    @Test("--quiet prints nothing")
    func quiet() throws {
        let result = try shapes(["tree", "-q"])
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "")
    }

    @Test("the demo data set: MNIST is 28x28 gray, kept as it is")
    func demo() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try dsprep(["unpack", repositoryRoot + "/Fixtures/mnist_png.zip", "-q"], in: folder).status == 0)
        let result = try shapes([], in: folder)
        #expect(result.status == 0)
        let lines = result.stdout.components(separatedBy: "\n")
        #expect(Array(lines.prefix(9)) == [
            "Surveyed data/: 3,500 files in 10 classes; 3,500 images read, 0 unreadable.",
            "Skipped 1 non-image file.",
            "",
            "Formats:        PNG 3,500 (100.0%)",
            "Colour models:  gray 3,500 (100.0%)",
            "",
            "Most common sizes (width x height as displayed; 1 distinct size):",
            "  28x28  3,500  100.0%",
            "",
        ])
        #expect(lines.contains("Recommended for shard: --size 28 --resize stretch"))
        #expect(lines.contains("  All images are 28x28, so that size needs no resizing."))
    }
}

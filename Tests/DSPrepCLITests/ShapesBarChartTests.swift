@testable import Preparation
import Testing
@testable import DSPrepCLI

@Suite("BarChart rendering, pinned")
struct ShapesBarChartTests {
    static let rows: [BarChart.Row] = [
        .init(label: "< 100", count: 1), .init(label: "450-499", count: 11_250), .init(label: "500-549", count: 1_800),
        .init(label: "550-599", count: 0),
    ]

    @Test("Unicode eighth blocks; a non-zero count gets at least one eighth")
    func unicode() {
        #expect(BarChart.render(Self.rows, total: 25_000, style: .plain) == [
            "  < 100    ▏                                              1   0.0%",
            "  450-499  ████████████████████████████████████████  11,250  45.0%",
            "  500-549  ██████▍                                    1,800   7.2%",
            "  550-599                                                 0   0.0%",
        ])
    }

    @Test("ASCII # when the locale is not UTF-8")
    func ascii() {
        #expect(BarChart.render(Self.rows, total: 25_000, style: .ascii) == [
            "  < 100    #                                              1   0.0%",
            "  450-499  ########################################  11,250  45.0%",
            "  500-549  ######                                     1,800   7.2%",
            "  550-599                                                 0   0.0%",
        ])
    }

    @Test("colour wraps the bar only, so columns stay aligned")
    func color() {
        let lines = BarChart.render([.init(label: "28", count: 3), .init(label: "29", count: 1)], total: 4, width: 8,
                                    style: .init(unicode: true, color: true))
        #expect(lines == [
            "  28  \u{1B}[36m████████\u{1B}[0m  3  75.0%",
            "  29  \u{1B}[36m██▋\u{1B}[0m       1  25.0%",
        ])
    }

    @Test("bar lengths in eighths", arguments: [
        (0, ""), (1, "▏"), (4, "▌"), (7, "▉"), (8, "█"), (9, "█▏"), (80, "██████████"),
    ])
    func eighths(count: Int, bar: String) {
        // 80 is the largest: 10 cells of 8 eighths, so a count is its length in eighths.
        let drawn = BarChart.bar(count, of: 80, width: 10, style: .plain)
        #expect(drawn == bar + String(repeating: " ", count: 10 - bar.count))
    }

    @Test("UTF-8 locales", arguments: [
        (["LANG": "en_US.UTF-8"], true), (["LANG": "C.utf8"], true), (["LC_ALL": "C", "LANG": "en_US.UTF-8"], false),
        (["LC_ALL": "", "LC_CTYPE": "de_DE.UTF-8", "LANG": "C"], true), ([:], false), (["LANG": "C"], false),
        (["LC_CTYPE": "POSIX", "LANG": "en_US.UTF-8"], false),
    ])
    func locales(environment: [String: String], unicode: Bool) {
        #expect(BarChart.Style.localeIsUTF8(environment) == unicode)
    }

    @Test("histogram rows: one value, ranges, ratios, and the ends")
    func histogramRows() {
        let pixels = ShapeHistogram(step: 50, bins: [.init(lower: 450, upper: 500, count: 3), .init(lower: 500, upper: 550, count: 9)],
                                    below: 2, above: 1)
        #expect(ShapesSummary.rows(pixels, decimals: 0).map(\.label) == ["< 450", "450-499", "500-549", ">= 550"])
        #expect(ShapesSummary.rows(pixels, decimals: 0).map(\.count) == [2, 3, 9, 1])
        let single = ShapeHistogram(step: 1, bins: [.init(lower: 28, upper: 29, count: 5)], below: 0, above: 0)
        #expect(ShapesSummary.rows(single, decimals: 0).map(\.label) == ["28"])
        let aspect = ShapeHistogram(step: 0.05, bins: [.init(lower: 1.3, upper: 1.35, count: 4)], below: 0, above: 1)
        #expect(ShapesSummary.rows(aspect, decimals: 2).map(\.label) == ["1.30-1.35", ">= 1.35"])
    }

    @Test("fixed-point numbers", arguments: [
        (0.0, 1, "0.0"), (45.0, 1, "45.0"), (7.2, 1, "7.2"), (0.04, 1, "0.0"), (0.05, 1, "0.1"), (99.96, 1, "100.0"),
        (45.25, 1, "45.3"), (1.3, 2, "1.30"), (0.05, 2, "0.05"), (28.4, 0, "28"), (1234.5678, 3, "1234.568"),
    ])
    func fixedPoint(value: Double, decimals: Int, text: String) {
        #expect(fixed(value, decimals: decimals) == text)
    }

    @Test("--size arguments as shard takes them")
    func sizeArgument() {
        #expect(ShapesSummary.sizeArgument(96, 96) == "--size 96")
        #expect(ShapesSummary.sizeArgument(125, 94) == "--size 125x94")
    }

    @Test("reasons wrap at word boundaries")
    func wrapping() {
        #expect(ShapesSummary.wrapped("one two three four", width: 11, indent: "  ") == ["  one two", "  three", "  four"])
    }
}

import Foundation
import Preparation
import Unpacking

/// The text and JSON forms of a shapes report.
enum ShapesSummary {
    static func json(_ report: ShapeReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// The summary: what was surveyed, the statistics over all images (and per class when the
    /// report has them), unreadable and misnamed files, and the recommended size last.
    static func text(_ report: ShapeReport, style: BarChart.Style) -> String {
        let folder = report.data.hasSuffix("/") ? report.data : report.data + "/"
        var lines = ["Surveyed \(folder): \(counted(report.all.files, "file")) in \(classes(report.classCounts.count)); "
                     + "\(counted(report.all.images, "image")) read, \(grouped(report.all.unreadable)) unreadable."]
        if let sample = report.sample {
            lines.append("A random sample of \(grouped(sample.size)) of \(counted(sample.population, "file")) (--seed \(sample.seed)).")
        }
        var skipped: [String] = []
        if report.skipped.junkFiles > 0 { skipped.append(counted(report.skipped.junkFiles, "junk file")) }
        if report.skipped.nonImageFiles > 0 { skipped.append(counted(report.skipped.nonImageFiles, "non-image file")) }
        if !report.skipped.folders.isEmpty {
            skipped.append("folders " + report.skipped.folders.map { $0 + "/" }.joined(separator: ", "))
        }
        if !skipped.isEmpty { lines.append("Skipped \(skipped.joined(separator: ", ")).") }

        lines += [""] + statistics(report.all, style: style)
        for (name, statistics) in (report.classes ?? [:]).sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            lines += ["", "Class \(name): \(counted(statistics.files, "file")); \(counted(statistics.images, "image")) read, "
                      + "\(grouped(statistics.unreadable)) unreadable."]
            lines += statistics.images > 0 ? [""] + self.statistics(statistics, style: style) : []
        }
        if !report.unreadable.isEmpty {
            lines += ["", "Unreadable (\(grouped(report.unreadable.count))):"] + listed(report.unreadable)
        }
        if !report.misnamed.isEmpty {
            lines += ["", "Named for another format (\(grouped(report.misnamed.count)), surveyed by content):"] + listed(report.misnamed)
        }
        if let recommendation = report.recommendation {
            lines += [""] + self.recommendation(recommendation)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Formats, colour models, the most common sizes, min/median/max and the histograms.
    static func statistics(_ statistics: ShapeStatistics, style: BarChart.Style) -> [String] {
        var lines: [String] = []
        let formats = statistics.formats.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key.uppercased()) \(grouped($0.value)) (\(share($0.value, of: statistics.files)))" }
        lines.append("Formats:        " + (formats.isEmpty ? "none recognised" : formats.joined(separator: ", ")))
        guard statistics.images > 0 else { return lines }
        let models = statistics.colorModels
        let colours = [("gray", models.gray), ("RGB", models.rgb), ("CMYK", models.cmyk), ("palette", models.palette),
                       ("alpha", models.alpha), ("16-bit", models.sixteenBit)]
            .filter { $0.1 > 0 }
            .map { "\($0.0) \(grouped($0.1)) (\(share($0.1, of: statistics.images)))" }
        lines.append("Colour models:  " + colours.joined(separator: ", "))
        if statistics.exifRotated > 0 {
            lines.append("EXIF-rotated:   \(counted(statistics.exifRotated, "image")) (\(share(statistics.exifRotated, of: statistics.images))), counted as displayed")
        }

        lines += ["", statistics.topSizes.isEmpty ? "\(counted(statistics.distinctSizes, "distinct size")) (width x height as displayed)."
                  : "Most common sizes (width x height as displayed; \(counted(statistics.distinctSizes, "distinct size"))):"]
        let names = statistics.topSizes.map { "\($0.width)x\($0.height)" }
        let nameWidth = names.map(\.count).max() ?? 0
        let countWidth = statistics.topSizes.map { grouped($0.count).count }.max() ?? 0
        let shareWidth = statistics.topSizes.map { share($0.count, of: statistics.images).count }.max() ?? 0
        for (name, size) in zip(names, statistics.topSizes) {
            lines.append("  " + leftAligned(name, nameWidth) + "  " + rightAligned(grouped(size.count), countWidth)
                         + "  " + rightAligned(share(size.count, of: statistics.images), shareWidth))
        }

        if let width = statistics.width, let height = statistics.height, let bytes = statistics.fileBytes {
            let rows = [("width", width.min.description, width.median.description, width.max.description),
                        ("height", height.min.description, height.median.description, height.max.description),
                        ("file size", "\(ByteCount(bytes.min))", "\(ByteCount(bytes.median))", "\(ByteCount(bytes.max))")]
            let column = max(6, rows.flatMap { [$0.1.count, $0.2.count, $0.3.count] }.max() ?? 0)
            lines += ["", "  " + leftAligned("", 9) + "  " + [("min"), ("median"), ("max")].map { rightAligned($0, column) }.joined(separator: "  ")]
            lines += rows.map { "  " + leftAligned($0.0, 9) + "  " + [$0.1, $0.2, $0.3].map { rightAligned($0, column) }.joined(separator: "  ") }
        }

        let histograms = statistics.histograms
        for (title, histogram, decimals) in [("Width (pixels, as displayed)", histograms.width, 0),
                                             ("Height (pixels, as displayed)", histograms.height, 0),
                                             ("Aspect ratio (width / height)", histograms.aspect, 2)] {
            lines += ["", title + ":"] + BarChart.render(rows(histogram, decimals: decimals), total: statistics.images, style: style)
        }
        return lines
    }

    /// The bar-chart rows of a histogram: `< lower` for values below the first bin, one row per
    /// bin (`450-499` for whole numbers, `1.30-1.40` for ratios, `28` for a bin of one value),
    /// and `>= upper` for values past the last.
    static func rows(_ histogram: ShapeHistogram, decimals: Int) -> [BarChart.Row] {
        func number(_ value: Double) -> String {
            fixed(value, decimals: decimals)
        }
        var rows: [BarChart.Row] = []
        if histogram.below > 0, let first = histogram.bins.first {
            rows.append(.init(label: "< " + number(first.lower), count: histogram.below))
        }
        for bin in histogram.bins {
            let label: String
            if decimals == 0 {
                let (lower, last) = (Int(bin.lower.rounded()), Int(bin.upper.rounded()) - 1)
                label = lower == last ? "\(lower)" : "\(lower)-\(last)"
            } else {
                label = number(bin.lower) + "-" + number(bin.upper)
            }
            rows.append(.init(label: label, count: bin.count))
        }
        if histogram.above > 0, let last = histogram.bins.last {
            rows.append(.init(label: ">= " + number(last.upper), count: histogram.above))
        }
        return rows
    }

    /// The recommended `--size`/`--resize`, why, and what each listed size would do.
    static func recommendation(_ recommendation: SizeRecommendation) -> [String] {
        var lines = ["Recommended for shard: \(sizeArgument(recommendation.width, recommendation.height)) --resize \(recommendation.resize.rawValue)"]
        lines += wrapped(recommendation.reason, width: 96, indent: "  ")
        let header = ["size", "enlarged", "off-aspect", "stretch", "crop", "pad"]
        var table = recommendation.options.map { option in
            ["\(option.width)x\(option.height)", percentText(option.upscaledPercent), percentText(option.offAspectPercent),
             percentText(option.meanStretchPercent), percentText(option.meanCropPercent), percentText(option.meanPadPercent)]
        }
        table.insert(header, at: 0)
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        lines.append("")
        for (index, row) in table.enumerated() {
            var line = "  " + leftAligned(row[0], widths[0])
            for column in 1..<row.count { line += "  " + rightAligned(row[column], max(widths[column], 8)) }
            if index > 0 {
                let option = recommendation.options[index - 1]
                if option.width == recommendation.width && option.height == recommendation.height { line += "  <- recommended" }
            }
            lines.append(line)
        }
        lines.append("")
        lines += wrapped("enlarged: images smaller than the size on a side (stretch and crop enlarge them); off-aspect: "
                         + "images whose aspect ratio differs by more than 1%; stretch: mean change of aspect ratio; "
                         + "crop: mean share of each image cut away; pad: mean share of the output left as padding.",
                         width: 96, indent: "  ")
        return lines
    }

    /// `--size 96` for a square, `--size 125x94` otherwise (width x height, as shard takes it).
    static func sizeArgument(_ width: Int, _ height: Int) -> String {
        width == height ? "--size \(width)" : "--size \(width)x\(height)"
    }

    /// A percentage with one decimal.
    private static func percentText(_ value: Double) -> String {
        fixed(value, decimals: 1) + "%"
    }

    /// "1 class", "10 classes".
    private static func classes(_ count: Int) -> String {
        count == 1 ? "1 class" : "\(grouped(count)) classes"
    }

    /// Words of `text` in lines of at most `width` characters (a longer word stands alone).
    static func wrapped(_ text: String, width: Int, indent: String) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && indent.count + line.count + 1 + word.count > width {
                lines.append(indent + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines
    }

    /// Files grouped by reason: up to five paths per reason are listed, more are counted.
    private static func listed(_ notes: [ShapeReport.FileNote], limit: Int = 5) -> [String] {
        var order: [String] = []
        var byReason: [String: [String]] = [:]
        for note in notes {
            if byReason[note.reason] == nil { order.append(note.reason) }
            byReason[note.reason, default: []].append(note.path)
        }
        return order.flatMap { reason -> [String] in
            let paths = byReason[reason] ?? []
            return paths.count <= limit
                ? paths.map { "  \($0): \(reason)" }
                : ["  \(counted(paths.count, "file")): \(reason) (e.g. \(paths[0]))"]
        }
    }
}

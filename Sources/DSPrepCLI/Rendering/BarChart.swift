import Foundation

/// Horizontal bar charts for the terminal: one row per bin, a bar of fixed full width for the
/// largest count, then the count and its share of the total.
///
///     450-499  ████████████████████████████████████████  11,250  45.0%
///     500-549  ██████▌                                    1,800   7.2%
///
/// Bars are drawn in eighths of a cell with the Unicode block elements U+2588...U+258F when the
/// locale is UTF-8, and in whole cells of `#` otherwise. A non-zero count always gets at least
/// the smallest bar, so rare bins stay visible. Colour only when asked (`Style.current` asks
/// for it on a colour terminal without `NO_COLOR`).
struct BarChart {
    /// How bars are drawn.
    struct Style: Equatable {
        /// Unicode eighth blocks, or ASCII `#`.
        var unicode: Bool
        /// An ANSI colour around each bar.
        var color: Bool

        static let plain = Style(unicode: true, color: false)
        static let ascii = Style(unicode: false, color: false)

        /// The style for stdout now: Unicode when the locale's character set is UTF-8, colour
        /// when stdout is a terminal and colour is allowed (`Terminal.useColor`).
        static var current: Style {
            Style(unicode: localeIsUTF8(ProcessInfo.processInfo.environment),
                  color: Terminal.useColor && isatty(STDOUT_FILENO) != 0)
        }

        /// Whether the locale's character set is UTF-8: the first of `LC_ALL`, `LC_CTYPE` and
        /// `LANG` that is set and not empty decides, as setlocale(3) does.
        static func localeIsUTF8(_ environment: [String: String]) -> Bool {
            let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
            let lower = locale.lowercased()
            return lower.contains("utf-8") || lower.contains("utf8")
        }
    }

    struct Row: Equatable {
        var label: String
        var count: Int
    }

    /// Cells in a full-length bar.
    static let width = 40

    /// Partial blocks, one to seven eighths of a cell.
    private static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// The chart's lines, without a heading, each indented by two spaces.
    /// - Parameters:
    ///   - rows: the bins in order.
    ///   - total: what the percentages are of (the counts may add up to less).
    static func render(_ rows: [Row], total: Int, width: Int = BarChart.width, style: Style) -> [String] {
        let largest = rows.map(\.count).max() ?? 0
        let labelWidth = rows.map(\.label.count).max() ?? 0
        let countWidth = rows.map { grouped($0.count).count }.max() ?? 0
        let shareWidth = rows.map { share($0.count, of: total).count }.max() ?? 0
        return rows.map { row in
            let bar = self.bar(row.count, of: largest, width: width, style: style)
            return "  " + leftAligned(row.label, labelWidth) + "  " + bar + "  "
                + rightAligned(grouped(row.count), countWidth) + "  " + rightAligned(share(row.count, of: total), shareWidth)
        }
    }

    /// A bar of `count / largest` of `width` cells, padded with spaces to `width`.
    static func bar(_ count: Int, of largest: Int, width: Int, style: Style) -> String {
        guard largest > 0, count > 0 else { return String(repeating: " ", count: width) }
        var text: String
        let cells: Int
        if style.unicode {
            let units = max(1, Int((Double(count) / Double(largest) * Double(width * 8)).rounded()))
            text = String(repeating: "█", count: units / 8)
            if units % 8 > 0 { text.append(eighths[units % 8 - 1]) }
            cells = (units + 7) / 8
        } else {
            cells = max(1, Int((Double(count) / Double(largest) * Double(width)).rounded()))
            text = String(repeating: "#", count: cells)
        }
        let padding = String(repeating: " ", count: width - cells)
        return style.color ? "\u{1B}[36m" + text + "\u{1B}[0m" + padding : text + padding
    }
}

/// `text` with spaces in front to make it `width` characters long (never cut).
func rightAligned(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

/// `text` with spaces after it to make it `width` characters long (never cut).
func leftAligned(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

/// `count` as a percentage of `total` with one decimal, e.g. "45.0%".
func share(_ count: Int, of total: Int) -> String {
    fixed(total > 0 ? Double(count) * 100 / Double(total) : 0, decimals: 1) + "%"
}

/// A non-negative `value` with `decimals` digits after the point, rounded to the nearest, ties
/// away from zero (`fixed(45.25, decimals: 1)` is "45.3"). Used instead of `String(format:)`,
/// whose first use costs a few milliseconds, a noticeable part of a 0.1-second command.
func fixed(_ value: Double, decimals: Int) -> String {
    precondition(value >= 0 && value.isFinite && (0...9).contains(decimals), "a finite, non-negative value")
    let scale = (0..<decimals).reduce(1) { value, _ in value * 10 }
    let units = Int((value * Double(scale)).rounded())
    guard decimals > 0 else { return String(units) }
    let fraction = String(units % scale)
    return "\(units / scale)." + String(repeating: "0", count: decimals - fraction.count) + fraction
}

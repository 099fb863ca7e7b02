import Foundation

/// What the standard streams are connected to, and how to write to them.
enum Terminal {
    /// Whether stderr is a terminal: progress is shown only then.
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// Colour only on a terminal, and never when `NO_COLOR` is set (no-color.org).
    static var useColor: Bool {
        stderrIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    static func printError(_ message: String) {
        writeStderr("dsprep: \(message)\n")
    }

    static func writeStderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func bold(_ text: String) -> String {
        useColor && isatty(STDOUT_FILENO) != 0 ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }
}

/// A number with thousands separators: 25000 -> "25,000".
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return value < 0 ? "-" + result : result
}

/// "1 file", "2,500 files".
func counted(_ value: Int, _ noun: String) -> String {
    "\(grouped(value)) \(noun)\(value == 1 ? "" : "s")"
}

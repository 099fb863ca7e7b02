import Foundation

/// One self-overwriting status line on stderr: count, rate and ETA, at most ten times a second.
/// It draws nothing unless stderr is a terminal and the user did not ask for `--quiet`.
final class ProgressLine {
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(quiet: Bool) {
        enabled = !quiet && Terminal.stderrIsTerminal
    }

    /// Redraws the line with `text` and, when `fraction` is known, a rate-based ETA.
    func update(_ text: String, fraction: Double? = nil) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        var line = text
        let elapsed = now.timeIntervalSince(start)
        if let fraction, fraction > 0.01, fraction < 1, elapsed > 1 {
            line += "  ETA \(Self.duration(elapsed / fraction - elapsed))"
        }
        Terminal.writeStderr("\r\u{1B}[2K" + line)
        drawn = true
    }

    /// Seconds since the line was created.
    var elapsed: TimeInterval { Date().timeIntervalSince(start) }

    /// Clears the line so that the next output starts on a clean line.
    func finish() {
        guard enabled, drawn else { return }
        Terminal.writeStderr("\r\u{1B}[2K")
        drawn = false
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 60 ? "\(total / 60)m\(String(format: "%02d", total % 60))s" : "\(total)s"
    }
}

import ArgumentParser
import Foundation

/// A size given on the command line: `500M`, `2G`, `1.5GiB`, `100000` (bytes).
/// K, M, G and T are binary multiples (KiB, MiB, GiB, TiB), as `du -h` and `ls -h` print them.
struct ByteSize: ExpressibleByArgument, Sendable {
    var bytes: Int64

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).uppercased()
        let digits = text.prefix { $0.isNumber || $0 == "." }
        var unit = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        for suffix in ["IB", "B"] where unit.hasSuffix(suffix) { unit.removeLast(suffix.count); break }
        let shifts: [String: Int] = ["": 0, "K": 10, "M": 20, "G": 30, "T": 40]
        guard let value = Double(digits), value > 0, let shift = shifts[unit] else { return nil }
        let bytes = value * Double(Int64(1) << shift)
        guard bytes < 9e18 else { return nil }
        self.bytes = Int64(bytes)
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

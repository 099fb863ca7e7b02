import ArgumentParser
import Dataset

/// `--ratios`: train/validation[/test] as percentages (`80/10/10`, `90/10`, `33.3/33.3/33.4`) or
/// fractions (`0.8/0.1/0.1`). Two parts mean no test split.
///
/// Parsing never fails in ArgumentParser's words: a bad value is kept with the sentence that
/// explains it, and `SplitCommand.validate()` throws that sentence, e.g.
/// "--ratios must add up to 100 (got 80/10/5)."
struct Ratios: ExpressibleByArgument, Sendable {
    /// What the user typed.
    var text: String
    /// The shares, or nil when `problem` says what is wrong.
    var value: SplitRatios?
    var problem: String?

    static let `default` = Ratios(value: .default)

    private init(value: SplitRatios) {
        text = value.description
        self.value = value
    }

    init?(argument: String) {
        text = argument
        do {
            value = try Self.parse(argument)
        } catch {
            problem = error.sentence
        }
    }

    var defaultValueDescription: String { text }

    struct Problem: Error {
        var sentence: String
    }

    /// The most decimals a part may have (0.333333 is fine; 1/3 is not a number here).
    static let maxDecimals = 6

    static func parse(_ text: String) throws(Problem) -> SplitRatios {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let numbers = parts.map(decimal)
        guard (2...3).contains(parts.count), numbers.allSatisfy({ $0 != nil }) else {
            throw Problem(sentence: "--ratios takes 2 or 3 numbers separated by '/', like 80/10/10 or 0.8/0.1/0.1 (got \(text)).")
        }
        let decimals = numbers.map { $0?.decimals ?? 0 }.max() ?? 0
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        // Every part as an integer count of 10^-decimals.
        let weights = numbers.map { number -> Int in
            guard let number else { return 0 }
            var value = number.digits
            for _ in number.decimals..<decimals { value *= 10 }
            return value
        }
        let sum = weights.reduce(0, +)
        guard sum == 100 * scale || sum == scale else {
            let looksLikeFractions = decimals > 0 && weights.allSatisfy { $0 <= scale }
            throw Problem(sentence: "--ratios must add up to \(looksLikeFractions ? "1" : "100") (got \(text)).")
        }
        guard weights[0] > 0 else {
            throw Problem(sentence: "--ratios must give train a share above 0 (got \(text)).")
        }
        return SplitRatios(train: weights[0], validation: weights[1], test: weights.count > 2 ? weights[2] : 0)
    }

    /// `12.5` -> (125, 1 decimal); nil unless it is digits with at most one `.`.
    private static func decimal(_ text: String) -> (digits: Int, decimals: Int)? {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), !text.isEmpty, text != "." else { return nil }
        let whole = pieces[0], fraction = pieces.count == 2 ? pieces[1] : ""
        guard whole.count <= 9, fraction.count <= maxDecimals,
              (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }),
              let digits = Int(whole + fraction) else { return nil }
        return (digits, fraction.count)
    }
}

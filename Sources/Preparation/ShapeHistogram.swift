/// A histogram of equal-width bins with "nice" edges, for widths, heights and aspect ratios.
///
/// Binning rule:
/// 1. The bins cover the middle of the data: from `lo`, the value at index `n / 100` of the
///    sorted values, to `hi`, the value at index `n - 1 - n / 100` (for fewer than 100 values,
///    the minimum and the maximum). So one 6000-pixel panorama does not squash 25,000 photos
///    into one bar.
/// 2. The step is the first of the candidate steps (1, 2, 5, 10, 20, 25, 50, 100, ... for
///    pixels; 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, ... for aspect ratios) that covers
///    `lo...hi` in at most `maxBins` bins whose edges are multiples of the step.
/// 3. Bin k holds the values v with `lower <= v < upper`; values below the first bin and at or
///    above the last are counted in `below` and `above`.
/// Values and steps are fractions of integers (width / height for an aspect ratio), so a
/// value on an edge always falls in the same bin: no floating-point rounding decides.
public struct ShapeHistogram: Codable, Sendable, Equatable {
    public struct Bin: Codable, Sendable, Equatable {
        /// The lowest value in the bin.
        public var lower: Double
        /// The first value past the bin.
        public var upper: Double
        public var count: Int
    }

    /// The width of every bin.
    public var step: Double
    public var bins: [Bin]
    /// Values under the first bin's `lower`.
    public var below: Int
    /// Values at or over the last bin's `upper`.
    public var above: Int

    /// The largest number of bins.
    public static let maxBins = 12

    /// A histogram of whole numbers (pixels).
    static func pixels(_ values: [Int]) -> ShapeHistogram {
        build(values.map { (Fraction($0, 1), 1) }, steps: pixelSteps)
    }

    /// A histogram of aspect ratios, width / height.
    static func aspects(_ sizes: [(width: Int, height: Int)]) -> ShapeHistogram {
        build(sizes.map { (Fraction($0.width, $0.height), 1) }, steps: aspectSteps)
    }

    /// Steps for pixels: 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, ... (10^k times 1, 2,
    /// 2.5 and 5, where that is a whole number).
    static let pixelSteps: [Fraction] = [1, 2, 5] + (0...9).flatMap { power -> [Fraction] in
        let scale = (0..<power).reduce(10) { value, _ in value * 10 }
        return [Fraction(scale, 1), Fraction(scale * 2, 1), Fraction(scale * 5 / 2, 1), Fraction(scale * 5, 1)]
    }

    /// Steps for aspect ratios: 0.05, 0.1, 0.2, 0.25, 0.5, then as for pixels from 1.
    static let aspectSteps: [Fraction] = [Fraction(1, 20), Fraction(1, 10), Fraction(1, 5), Fraction(1, 4), Fraction(1, 2)]
        + pixelSteps

    /// Bins `values`, each occurring `count` times, by the rule above.
    static func build(_ values: [(value: Fraction, count: Int)], steps: [Fraction], maxBins: Int = maxBins) -> ShapeHistogram {
        let sorted = values.filter { $0.count > 0 }.sorted { $0.value < $1.value }
        let total = sorted.reduce(0) { $0 + $1.count }
        guard total > 0, let firstStep = steps.first else {
            return ShapeHistogram(step: steps.first?.value ?? 1, bins: [], below: 0, above: 0)
        }
        let trim = total / 100
        let lo = ShapeTally.value(at: trim, in: sorted), hi = ShapeTally.value(at: total - 1 - trim, in: sorted)
        var chosen = (step: firstStep, first: lo.floor(dividedBy: firstStep), last: hi.floor(dividedBy: firstStep))
        for step in steps {
            chosen = (step, lo.floor(dividedBy: step), hi.floor(dividedBy: step))
            if chosen.last - chosen.first + 1 <= maxBins { break }
        }
        let (step, first, last) = chosen
        var counts = [Int](repeating: 0, count: last - first + 1)
        var below = 0, above = 0
        for (value, count) in sorted {
            let index = value.floor(dividedBy: step)
            if index < first { below += count } else if index > last { above += count } else { counts[index - first] += count }
        }
        let bins = counts.enumerated().map { offset, count in
            Bin(lower: step.times(first + offset), upper: step.times(first + offset + 1), count: count)
        }
        return ShapeHistogram(step: step.value, bins: bins, below: below, above: above)
    }
}

/// A non-negative fraction of integers, compared exactly.
struct Fraction: Comparable, Sendable, ExpressibleByIntegerLiteral {
    var numerator: Int
    var denominator: Int

    init(_ numerator: Int, _ denominator: Int) {
        precondition(numerator >= 0 && denominator > 0, "a fraction here is non-negative with a positive denominator")
        self.numerator = numerator
        self.denominator = denominator
    }

    init(integerLiteral value: Int) {
        self.init(value, 1)
    }

    var value: Double { Double(numerator) / Double(denominator) }

    /// floor(self / step).
    func floor(dividedBy step: Fraction) -> Int {
        (numerator * step.denominator) / (denominator * step.numerator)
    }

    /// self * k, as a Double (a bin edge).
    func times(_ k: Int) -> Double {
        Double(numerator * k) / Double(denominator)
    }

    static func < (lhs: Fraction, rhs: Fraction) -> Bool {
        lhs.numerator * rhs.denominator < rhs.numerator * lhs.denominator
    }

    static func == (lhs: Fraction, rhs: Fraction) -> Bool {
        lhs.numerator * rhs.denominator == rhs.numerator * lhs.denominator
    }
}

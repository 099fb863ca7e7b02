import Dataset
import Randomness

/// Picks the seeded random sample that `dsprep shapes --sample N` surveys.
///
/// The same list, count and seed give the same sample on every machine and Swift release:
/// the draws come from `RandomGenerator` (xoshiro256** seeded through SplitMix64, with
/// Lemire's bounded draw), the generator `split` uses, whose algorithms are written out in
/// dsprep rather than taken from the standard library.
public enum SurveySampler {
    /// The seed used when none is given.
    public static let defaultSeed: UInt64 = 1337

    /// The indices of a uniform random sample of `count` of `total` items, in increasing order.
    ///
    /// A partial Fisher-Yates shuffle of `0..<total`: step i swaps position i with a position
    /// drawn from `i..<total`; the first `count` positions are the sample. When `count >=
    /// total` every index is returned and no number is drawn.
    /// - Parameters:
    ///   - count: how many to pick.
    ///   - total: how many there are.
    ///   - seed: the generator's seed.
    /// - Returns: `min(count, total)` distinct indices in `0..<total`, sorted.
    static func sample(_ count: Int, of total: Int, seed: UInt64) -> [Int] {
        precondition(count >= 0 && total >= 0, "sample sizes cannot be negative")
        guard count < total else { return Array(0..<total) }
        var generator = RandomGenerator(seed: seed)
        var order = Array(0..<total)
        for index in 0..<count {
            order.swapAt(index, index + generator.below(total - index))
        }
        return order[0..<count].sorted()
    }
}

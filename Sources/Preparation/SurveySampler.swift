/// Picks the seeded random sample that `dsprep shapes --sample N` surveys.
///
/// The same list, count and seed give the same sample on every machine and Swift version:
/// the generator (SplitMix64) and the bounded draw (Lemire's multiply-and-reject) are both
/// written out here rather than taken from the standard library, whose algorithms for
/// `random(in:using:)` and `shuffle(using:)` are not promised to stay the same.
public enum SurveySampler {
    /// The seed used when none is given.
    public static let defaultSeed: UInt64 = 1337

    /// The indices of a uniform random sample of `count` of `total` items, in increasing order.
    ///
    /// A partial Fisher-Yates shuffle of `0..<total`: step i swaps position i with a position
    /// drawn from `i..<total`; the first `count` positions are the sample. When `count >=
    /// total` every index is returned.
    /// - Parameters:
    ///   - count: how many to pick.
    ///   - total: how many there are.
    ///   - seed: the generator's seed.
    /// - Returns: `min(count, total)` distinct indices in `0..<total`, sorted.
    static func sample(_ count: Int, of total: Int, seed: UInt64) -> [Int] {
        precondition(count >= 0 && total >= 0, "sample sizes cannot be negative")
        guard count < total else { return Array(0..<total) }
        var generator = SplitMix64(seed: seed)
        var order = Array(0..<total)
        for index in 0..<count {
            let pick = index + Int(generator.next(below: UInt64(total - index)))
            order.swapAt(index, pick)
        }
        return order[0..<count].sorted()
    }
}

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; the constants of Vigna's reference `splitmix64.c`): a 64-bit state advanced by
/// a fixed odd increment and mixed by two multiply-xorshift rounds. Small, fast, and every
/// seed (0 included) gives a good stream.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in `0..<bound`, without modulo bias (Lemire, "Fast random integer
    /// generation in an interval", 2019): the high word of `next() * bound`, redrawing the few
    /// values whose low word falls below `2^64 mod bound`.
    mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "the bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }
}

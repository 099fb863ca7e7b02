/// Exact per-split counts for one class: how many of its `n` images each split gets.
///
/// 1. Largest remainder (Hamilton's method): each split first gets the whole part of its quota
///    `n * weight / total`; the images left over go, one each, to the splits with the largest
///    fractional parts. Ties: the larger weight first, then train, validation, test.
///    Every image lands somewhere, and no split is more than one image from its quota.
/// 2. Minimum of one: when the class has at least as many images as there are splits with a
///    share above 0, each such split that got none takes one image from the split that has the
///    most (ties: train first). So 5 at 80/10/10 gives 3/1/1 rather than 4/1/0, and 9 gives
///    7/1/1. A smaller class keeps what step 1 gave it (2 at 80/10/10 is 2/0/0), and
///    `isTooSmall` says so, so that the caller can warn.
///
/// All arithmetic is on integers, so the result is the same on every machine.
public enum SplitAllocation {
    /// The counts for train, validation and test, in that order; they add up to `n`.
    public static func counts(_ n: Int, ratios: SplitRatios) -> [Split: Int] {
        precondition(n >= 0)
        let total = ratios.total
        var counts: [Split: Int] = [:]
        var remainders: [(split: Split, remainder: Int, weight: Int)] = []
        for split in Split.allCases {
            let weight = ratios.weight(split)
            let (quota, remainder) = (n * weight).quotientAndRemainder(dividingBy: total)
            counts[split] = quota
            remainders.append((split, remainder, weight))
        }
        let leftOver = n - counts.values.reduce(0, +)
        remainders.sort { a, b in
            if a.remainder != b.remainder { return a.remainder > b.remainder }
            if a.weight != b.weight { return a.weight > b.weight }
            return a.split < b.split
        }
        for entry in remainders.prefix(leftOver) { counts[entry.split, default: 0] += 1 }

        let active = ratios.active
        if n >= active.count {
            for split in active where counts[split] == 0 {
                // The donor has at least 2: n >= k images over at most k - 1 non-empty splits.
                let donor = active.max { a, b in
                    let (ca, cb) = (counts[a] ?? 0, counts[b] ?? 0)
                    return ca != cb ? ca < cb : a > b
                } ?? .train
                counts[donor, default: 0] -= 1
                counts[split] = 1
            }
        }
        return counts
    }

    /// Whether `n` images are too few to give every split with a share one image (but not 0:
    /// an empty class has nothing to warn about).
    public static func isTooSmall(_ n: Int, ratios: SplitRatios) -> Bool {
        n > 0 && n < ratios.active.count
    }
}

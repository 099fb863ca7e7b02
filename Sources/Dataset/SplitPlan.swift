import Checksum
import Randomness

/// One image to place.
public struct SplitItem: Sendable, Equatable {
    /// Where the image is now, relative to the data folder; items are ordered by its bytes.
    public var path: String
    /// `class/path-below-the-class-folder`: the same before and after a split, so `--stable`
    /// hashes it and `--group` matches the part after the class.
    public var key: String
    public var label: String
    /// SHA-256 of the content, as hex: identical files form one unit.
    public var sha256: String
    /// The `--group` key, when the pattern matched.
    public var group: String?
    /// The split the image stays in (a pre-split data set's test images), or nil when pooled.
    public var kept: Split?

    public init(path: String, key: String, label: String, sha256: String, group: String? = nil, kept: Split? = nil) {
        self.path = path
        self.key = key
        self.label = label
        self.sha256 = sha256
        self.group = group
        self.kept = kept
    }
}

/// Where every image goes, and what the planner found on the way.
///
/// Images that must stay together — identical content (by SHA-256), or the same `--group` key —
/// form one unit, and a unit is placed whole, so no content is in two splits (no leakage).
/// A unit with a kept image (a pre-split test image) takes its pooled images into that split.
///
/// Placing the other units, per class `c` with `n_c` pooled images:
/// - Default: the targets are `SplitAllocation.counts(n_c)`. Units are sorted by their first
///   path (byte order), shuffled with `RandomGenerator(seed:)`, then the larger units go first;
///   each goes to the split with the most room left for its images' classes (ties: train,
///   validation, test). With no duplicates, every class gets its exact target counts; a unit of
///   several images can push a split past its target by less than the unit's size.
/// - `stable`: each unit goes by the hash of its key alone (`stableSplit`), so adding images
///   never moves existing ones; the counts are then close to, not exactly, the ratios.
public struct SplitPlan: Sendable, Equatable {
    /// The split of each item, in the order the items were given.
    public var splits: [Split]
    /// Groups of two or more items with identical content: indices into the items, each group
    /// and the list sorted by path.
    public var duplicateGroups: [[Int]]
    /// `--group` keys that two or more items share.
    public var sharedGroupKeys: Int
    /// Pooled images that went to a kept split because they share content or a group key
    /// with an image there.
    public var joinedKept: Int
    /// Things to tell the user: classes too small, leakage the input already had.
    public var warnings: [String]

    /// Plans the split of `items`.
    /// - Parameters:
    ///   - ratios: the shares for the pooled images (kept splits' shares already removed).
    ///   - seed: the shuffle's seed; unused when `stable`.
    public static func make(_ items: [SplitItem], ratios: SplitRatios, seed: UInt64, stable: Bool = false) -> SplitPlan {
        let grouping = Grouping(items)
        var plan = SplitPlan(splits: items.map { $0.kept ?? .train }, duplicateGroups: grouping.duplicates,
                             sharedGroupKeys: grouping.sharedKeys, joinedKept: 0, warnings: [])
        let free = plan.joinKeptSplits(grouping.units, items)
        var pooled: [String: Int] = [:]
        for unit in free { for index in unit { pooled[items[index].label, default: 0] += 1 } }
        plan.warnings += tooSmallWarnings(pooled, ratios)
        if stable {
            for unit in free {
                let key = unit.map { items[$0].key }.min { $0.utf8.lexicographicallyPrecedes($1.utf8) } ?? ""
                plan.place(unit, in: stableSplit(key: key, ratios: ratios))
            }
        } else {
            plan.placeShuffled(free, items, targets: pooled.mapValues { SplitAllocation.counts($0, ratios: ratios) },
                               active: ratios.active, seed: seed)
        }
        return plan
    }

    private mutating func place(_ unit: [Int], in split: Split) {
        for index in unit { splits[index] = split }
    }

    /// Sends the pooled images of units that hold a kept image to that image's split (test
    /// before validation), and returns the other units.
    private mutating func joinKeptSplits(_ units: [[Int]], _ items: [SplitItem]) -> [[Int]] {
        var free: [[Int]] = []
        for unit in units {
            let kept = Set(unit.compactMap { items[$0].kept })
            guard let anchor = kept.max() else { free.append(unit); continue }
            if kept.count > 1 {
                let paths = unit.filter { items[$0].kept != nil }.map { items[$0].path }
                warnings.append("identical or grouped files are already in different splits and stay there: "
                                + paths.joined(separator: ", "))
            }
            let pooled = unit.filter { items[$0].kept == nil }
            place(pooled, in: anchor)
            joinedKept += pooled.count
        }
        return free
    }

    /// Shuffles the units (in path order) with the seed, takes the larger ones first, and puts
    /// each where its images' classes have the most room left against their targets.
    private mutating func placeShuffled(_ units: [[Int]], _ items: [SplitItem], targets: [String: [Split: Int]],
                                        active: [Split], seed: UInt64) {
        var room = targets
        var generator = RandomGenerator(seed: seed)
        var shuffled = units
        generator.shuffle(&shuffled)
        let position = Dictionary(uniqueKeysWithValues: shuffled.enumerated().map { ($1[0], $0) })
        shuffled.sort { a, b in a.count != b.count ? a.count > b.count : position[a[0], default: 0] < position[b[0], default: 0] }
        for unit in shuffled {
            var best = active[0], bestRoom = Int.min
            for split in active {
                let space = unit.reduce(0) { $0 + (room[items[$1].label]?[split] ?? 0) }
                if space > bestRoom { (best, bestRoom) = (split, space) }
            }
            place(unit, in: best)
            for index in unit { room[items[index].label]?[best, default: 0] -= 1 }
        }
    }

    private static func tooSmallWarnings(_ pooled: [String: Int], _ ratios: SplitRatios) -> [String] {
        let names = ratios.active.map(\.rawValue)
        let list = names.count == 2 ? names.joined(separator: " and ")
            : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
        return pooled.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .filter { SplitAllocation.isTooSmall($0.value, ratios: ratios) }
            .map { "class '\($0.key)' has \($0.value) image\($0.value == 1 ? "" : "s") to split: too few to give \(list) one each" }
    }

    /// The split that `--stable` gives `key`: the first 64 bits of SHA-256(key) as a number `u`
    /// in [0, 1), against the cumulative shares (80/10/10: train below 0.8, validation below
    /// 0.9, test above). Computed as `floor(u * total)` in integers, so it is exact.
    public static func stableSplit(key: String, ratios: SplitRatios) -> Split {
        let hasher = SHA256()
        hasher.update(Array(key.utf8))
        let digest = hasher.finalize()
        let bits = UInt64(digest.prefix(16), radix: 16) ?? 0
        let position = Int(bits.multipliedFullWidth(by: UInt64(ratios.total)).high)  // 0 ..< total
        var cumulative = 0
        for split in Split.allCases {
            cumulative += ratios.weight(split)
            if position < cumulative { return split }
        }
        return .train
    }
}

/// The units of a plan: items joined by identical content or a shared `--group` key.
private struct Grouping {
    /// Each unit's items in path order; units in the order of their first path.
    var units: [[Int]] = []
    /// Groups of two or more items with identical content, in the order of their first path.
    var duplicates: [[Int]] = []
    var sharedKeys = 0

    init(_ items: [SplitItem]) {
        let order = items.indices.sorted { items[$0].path.utf8.lexicographicallyPrecedes(items[$1].path.utf8) }
        var joined = Units(count: items.count)
        var withHash: [String: [Int]] = [:]
        var withGroup: [String: [Int]] = [:]
        for index in order {
            if let other = withHash[items[index].sha256]?.first { joined.join(index, other) }
            withHash[items[index].sha256, default: []].append(index)
            if let key = items[index].group {
                if let other = withGroup[key]?.first { joined.join(index, other) }
                withGroup[key, default: []].append(index)
            }
        }
        var members: [Int: [Int]] = [:]
        var roots: [Int] = []
        for index in order {
            let root = joined.root(index)
            if members[root] == nil { roots.append(root) }
            members[root, default: []].append(index)
        }
        units = roots.map { members[$0] ?? [] }
        duplicates = withHash.values.filter { $0.count > 1 }
            .sorted { items[$0[0]].path.utf8.lexicographicallyPrecedes(items[$1[0]].path.utf8) }
        sharedKeys = withGroup.values.filter { $0.count > 1 }.count
    }
}

/// Union-find over item indices, with path halving.
private struct Units {
    private var parent: [Int]

    init(count: Int) { parent = Array(0..<count) }

    mutating func root(_ index: Int) -> Int {
        var index = index
        while parent[index] != index {
            parent[index] = parent[parent[index]]
            index = parent[index]
        }
        return index
    }

    mutating func join(_ a: Int, _ b: Int) {
        let (rootA, rootB) = (root(a), root(b))
        if rootA != rootB { parent[max(rootA, rootB)] = min(rootA, rootB) }
    }
}

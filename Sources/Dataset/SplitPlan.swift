import Checksum

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
///   path (byte order), shuffled with `SeededShuffle(seed)`, then the larger units go first;
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
        let order = items.indices.sorted { items[$0].path.utf8.lexicographicallyPrecedes(items[$1].path.utf8) }
        var units = Units(count: items.count)
        var withHash: [String: [Int]] = [:]  // content -> items, in path order
        var firstWithGroup: [String: Int] = [:]
        var groupSizes: [String: Int] = [:]
        for index in order {
            if let other = withHash[items[index].sha256]?.first { units.join(index, other) }
            withHash[items[index].sha256, default: []].append(index)
            if let key = items[index].group {
                groupSizes[key, default: 0] += 1
                if let other = firstWithGroup[key] { units.join(index, other) } else { firstWithGroup[key] = index }
            }
        }
        var members: [Int: [Int]] = [:]  // root -> member indices, in path order
        var unitOrder: [Int] = []        // roots, by first path
        for index in order {
            let root = units.root(index)
            if members[root] == nil { unitOrder.append(root) }
            members[root, default: []].append(index)
        }

        var splits = items.map { $0.kept ?? .train }
        var warnings: [String] = []
        var joinedKept = 0
        var free: [[Int]] = []
        for root in unitOrder {
            let unit = members[root] ?? []
            let kept = Set(unit.compactMap { items[$0].kept })
            guard let anchor = kept.max() else { free.append(unit); continue }
            if kept.count > 1 {
                let paths = unit.filter { items[$0].kept != nil }.map { items[$0].path }
                warnings.append("identical or grouped files are already in different splits and stay there: "
                                + paths.joined(separator: ", "))
            }
            for index in unit where items[index].kept == nil {
                splits[index] = anchor
                joinedKept += 1
            }
        }

        var pooled: [String: Int] = [:]
        for unit in free { for index in unit { pooled[items[index].label, default: 0] += 1 } }
        for (label, count) in pooled.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) })
            where SplitAllocation.isTooSmall(count, ratios: ratios) {
            let names = ratios.active.map(\.rawValue)
            let list = names.count == 2 ? names.joined(separator: " and ")
                : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
            warnings.append("class '\(label)' has \(count) image\(count == 1 ? "" : "s") to split: "
                            + "too few to give \(list) one each")
        }

        if stable {
            for unit in free {
                let key = unit.map { items[$0].key }.min { $0.utf8.lexicographicallyPrecedes($1.utf8) } ?? ""
                let split = stableSplit(key: key, ratios: ratios)
                for index in unit { splits[index] = split }
            }
        } else {
            var room: [String: [Split: Int]] = pooled.mapValues { SplitAllocation.counts($0, ratios: ratios) }
            var generator = SeededShuffle(seed: seed)
            var shuffled = free
            generator.shuffle(&shuffled)
            let position = Dictionary(uniqueKeysWithValues: shuffled.enumerated().map { ($1[0], $0) })
            shuffled.sort { a, b in a.count != b.count ? a.count > b.count : position[a[0], default: 0] < position[b[0], default: 0] }
            let active = ratios.active
            for unit in shuffled {
                var best = active[0], bestRoom = Int.min
                for split in active {
                    let space = unit.reduce(0) { $0 + (room[items[$1].label]?[split] ?? 0) }
                    if space > bestRoom { (best, bestRoom) = (split, space) }
                }
                for index in unit {
                    splits[index] = best
                    room[items[index].label]?[best, default: 0] -= 1
                }
            }
        }

        let duplicateGroups = withHash.values.filter { $0.count > 1 }
        return SplitPlan(splits: splits,
                         duplicateGroups: duplicateGroups.sorted { items[$0[0]].path.utf8.lexicographicallyPrecedes(items[$1[0]].path.utf8) },
                         sharedGroupKeys: groupSizes.values.filter { $0 > 1 }.count,
                         joinedKept: joinedKept, warnings: warnings)
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

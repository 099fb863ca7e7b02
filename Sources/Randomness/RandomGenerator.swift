/// Every seeded random number dsprep draws: the split's shuffle, the shard order, the survey's
/// sample, initial weights, dropout masks, augmentation and the training data order. It is
/// xoshiro256** (Blackman and Vigna, 2018) seeded through SplitMix64, as the authors
/// recommend, with Lemire's bounded integers and a Fisher-Yates shuffle on top.
///
/// Written out rather than taken from the standard library so that a seed gives the same
/// split, weights and masks on every machine, Swift release and thread count (never
/// `SystemRandomNumberGenerator`). The state is four words a checkpoint stores and restores,
/// so a resumed run draws exactly the numbers an uninterrupted one would. It deliberately does
/// not conform to `RandomNumberGenerator`: the standard library documents neither
/// `shuffle(using:)`'s algorithm nor how `random(in:using:)` maps bits to a range. The hot
/// draws are `@inlinable`, so other modules' loops inline them.
public struct RandomGenerator: Sendable, Equatable, Codable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The four state words, to save and restore a stream.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A stream for `seed`. Different `stream` numbers give independent streams from one seed
    /// (initialisation and dropout draw from different streams, so adding dropout never
    /// changes the initial weights).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var mixer = SplitMix64(state: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        (s0, s1, s2, s3) = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    /// A generator that continues from saved state words.
    /// - Precondition: four words, not all zero.
    public init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 }, "RandomGenerator: state must be four words, not all zero")
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// The next 64 random bits (xoshiro256**).
    @inlinable
    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotateLeft(s3, 45)
        return result
    }

    /// A uniform Float in `[0, 1)`: the top 24 bits scaled by 2^-24, exact on every machine.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A uniform Float in `[low, high)`.
    @inlinable
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnitFloat()
    }

    /// A uniform integer in `0..<bound`: Lemire's multiply-and-shift with rejection.
    @inlinable
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "RandomGenerator.below needs a bound above 0")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// Shuffles `elements` in place: Fisher-Yates from the last position down, each swap
    /// partner drawn by `below` (the trainer's per-epoch data order).
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(index, below(index + 1))
        }
    }

    // Codable as four hexadecimal strings: JSON numbers lose precision above 2^53.
    public init(from decoder: any Decoder) throws {
        let words = try decoder.singleValueContainer().decode([String].self)
        let values = words.compactMap { UInt64($0, radix: 16) }
        guard values.count == 4, values.contains(where: { $0 != 0 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "a random state is four hexadecimal words, not all zero"))
        }
        (s0, s1, s2, s3) = (values[0], values[1], values[2], values[3])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(state.map { String($0, radix: 16) })
    }

    @inlinable
    static func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): turns one 64-bit seed into well-mixed words
/// (also dropout's counter-based hash).
public struct SplitMix64: Sendable {
    public var state: UInt64

    @inlinable
    public init(state: UInt64) { self.state = state }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Randomness

/// Inverted dropout: Keras's `Dropout`.
///
/// In training, each value is kept with probability `1 - rate` and scaled by `1 / (1 - rate)`,
/// or set to 0; at inference the layer passes its input through unchanged. Any shape in, the
/// same shape out. Each training pass draws one 64-bit key from the model's dropout stream;
/// value `k` then takes 24 random bits from SplitMix64's output for `key + (k / 2 + 1) * gamma`
/// (the low half for even `k`, the high half for odd), a function of the key and the index
/// alone. So a seed gives the same masks on every machine and thread count, and the mask is
/// drawn in parallel, in the same pass that applies it.
public final class Dropout: Layer {
    public let kind = "Dropout"
    public let rate: Float
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    /// The stream masks are drawn from, shared with the model that owns the layer.
    public let random: RandomSource
    private var mask: [Float] = []
    private var outputStorage = RecycledStorage()
    private var gradInputStorage = RecycledStorage()
    private var wasTraining = false

    /// - Precondition: `0 <= rate < 1`.
    public init(inputShape: [Int], rate: Float, random: RandomSource) {
        precondition(rate >= 0 && rate < 1, "Dropout rate must be in [0, 1), got \(rate)")
        self.inputShape = inputShape
        self.rate = rate
        self.random = random
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        checkInput(input)
        wasTraining = training && rate > 0
        guard wasTraining else { return input }
        if mask.count != input.count { mask = [Float](repeating: 0, count: input.count) }
        var generator = random.generator
        let key = generator.next()
        random.generator = generator
        let keep = 1 - rate
        return outputStorage.tensor(shape: input.shape) { out in
            input.data.withUnsafeBufferPointer { x in
                mask.withUnsafeMutableBufferPointer { m in
                    // Parts start at even indices, so no draw is split between two parts.
                    Threads.parallelFor((x.count + 1) / 2, grain: 1 << 14) { pairs in
                        let range = (2 * pairs.lowerBound)..<min(2 * pairs.upperBound, x.count)
                        let masked = UnsafeMutableBufferPointer(rebasing: m[range])
                        Self.drawMask(into: masked, first: range.lowerBound, keep: keep, key: key)
                        Elementwise.multiply(x.baseAddress! + range.lowerBound, masked.baseAddress!,
                                             into: out.baseAddress! + range.lowerBound, count: range.count)
                    }
                }
            }
        }
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor {
        guard needsInputGradient else { return .empty }
        return wasTraining ? multiplied(gradOutput, into: &gradInputStorage) : gradOutput
    }

    /// `mask[k] = 1 / keep` where value `first + k`'s uniform draw in [0, 1) (24 bits of
    /// `draw(key, pair)`) is below `keep`, else 0.
    /// - Precondition: `first` is even.
    static func drawMask(into mask: UnsafeMutableBufferPointer<Float>, first: Int, keep: Float, key: UInt64) {
        let scale = 1 / keep
        // u * 2^-24 < keep exactly when u < threshold, for the integer u of 24 bits.
        let threshold = UInt64((Double(keep) * 0x1p24).rounded(.up))
        var k = 0, pair = UInt64(first / 2)
        while k + 2 <= mask.count {
            let bits = draw(key, pair)
            mask[k] = scale * kept(bits & 0xFF_FFFF, below: threshold)
            mask[k + 1] = scale * kept(bits >> 40, below: threshold)
            k += 2
            pair += 1
        }
        if k < mask.count { mask[k] = scale * kept(draw(key, pair) & 0xFF_FFFF, below: threshold) }
    }

    /// SplitMix64's output for state `key + (pair + 1) * gamma`: 64 random bits for values
    /// `2 * pair` and `2 * pair + 1`.
    @inline(__always)
    static func draw(_ key: UInt64, _ pair: UInt64) -> UInt64 {
        var mixer = SplitMix64(state: key &+ pair &* 0x9E37_79B9_7F4A_7C15)
        return mixer.next()
    }

    /// 1 when `value < threshold`, else 0, without a branch (the sign bit of the difference;
    /// both are below 2^25).
    @inline(__always)
    private static func kept(_ value: UInt64, below threshold: UInt64) -> Float {
        Float((value &- threshold) >> 63)
    }

    private func multiplied(_ tensor: Tensor, into storage: inout RecycledStorage) -> Tensor {
        storage.tensor(shape: tensor.shape) { out in
            tensor.data.withUnsafeBufferPointer { x in
                mask.withUnsafeBufferPointer { m in
                    Threads.parallelFor(x.count, grain: 1 << 15) { range in
                        Elementwise.multiply(x.baseAddress! + range.lowerBound, m.baseAddress! + range.lowerBound,
                                             into: out.baseAddress! + range.lowerBound, count: range.count)
                    }
                }
            }
        }
    }
}

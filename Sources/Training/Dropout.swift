/// Inverted dropout: Keras's `Dropout`.
///
/// In training, each value is kept with probability `1 - rate` and scaled by `1 / (1 - rate)`,
/// or set to 0; at inference the layer passes its input through unchanged. Any shape in, the
/// same shape out. The mask is drawn from the model's dropout stream in storage order, 24
/// random bits per value (two values per 64-bit draw: the low and the high half), so a seed
/// gives the same masks on every machine and thread count.
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
        mask.withUnsafeMutableBufferPointer { mask in
            Self.drawMask(into: mask, keep: 1 - rate, using: &generator)
        }
        random.generator = generator
        return multiplied(input, into: &outputStorage)
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor {
        guard needsInputGradient else { return .empty }
        return wasTraining ? multiplied(gradOutput, into: &gradInputStorage) : gradOutput
    }

    /// `mask[k] = 1 / keep` where a uniform draw in [0, 1) (24 bits) is below `keep`, else 0.
    static func drawMask(into mask: UnsafeMutableBufferPointer<Float>, keep: Float, using generator: inout RandomGenerator) {
        let scale = 1 / keep
        // u * 2^-24 < keep exactly when u < threshold, for the integer u of 24 bits.
        let threshold = UInt64((Double(keep) * 0x1p24).rounded(.up))
        var k = 0
        while k + 2 <= mask.count {
            let bits = generator.next()
            mask[k] = scale * kept(bits & 0xFF_FFFF, below: threshold)
            mask[k + 1] = scale * kept(bits >> 40, below: threshold)
            k += 2
        }
        if k < mask.count { mask[k] = scale * kept(generator.next() >> 40, below: threshold) }
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

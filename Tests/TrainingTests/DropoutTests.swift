import Randomness
import Testing
@testable import Training

@Suite("Dropout masks")
struct DropoutTests {
    /// Draws the mask of `count` values for `key` in parts starting at `starts` (even).
    static func mask(count: Int, key: UInt64, keep: Float, starts: [Int]) -> [Float] {
        var mask = [Float](repeating: -1, count: count)
        let bounds = starts + [count]
        mask.withUnsafeMutableBufferPointer { mask in
            for (start, end) in zip(bounds, bounds.dropFirst()) {
                Dropout.drawMask(into: UnsafeMutableBufferPointer(rebasing: mask[start..<end]), first: start, keep: keep, key: key)
            }
        }
        return mask
    }

    @Test("a value's mask depends on the key and its index, not on how the values are split")
    func splitIndependent() {
        let whole = Self.mask(count: 10_001, key: 42, keep: 0.75, starts: [0])
        #expect(Self.mask(count: 10_001, key: 42, keep: 0.75, starts: [0, 2, 5000, 9998]) == whole)
        #expect(Self.mask(count: 10_001, key: 43, keep: 0.75, starts: [0]) != whole)
    }

    @Test("keeps about 1 - rate of the values, scaled by 1 / (1 - rate)", arguments: [Float(0.25), 0.5, 0.9])
    func keepRate(_ rate: Float) {
        let count = 200_000
        let mask = Self.mask(count: count, key: 7, keep: 1 - rate, starts: [0])
        #expect(mask.allSatisfy { $0 == 0 || $0 == 1 / (1 - rate) })
        let kept = Double(mask.filter { $0 != 0 }.count) / Double(count)
        // Five binomial standard deviations.
        let sigma = (Double(1 - rate) * Double(rate) / Double(count)).squareRoot()
        #expect(abs(kept - Double(1 - rate)) < 5 * sigma)
        // Even and odd values (the two halves of a draw) keep at the same rate.
        let oddKept = Double(stride(from: 1, to: count, by: 2).filter { mask[$0] != 0 }.count) / Double(count / 2)
        #expect(abs(oddKept - Double(1 - rate)) < 5 * sigma * 2.0.squareRoot())
    }

    @Test("the layer multiplies by the mask it drew and routes the gradient through it")
    func layerAppliesMask() {
        let random = RandomSource(RandomGenerator(seed: 3))
        let layer = Dropout(inputShape: [300], rate: 0.5, random: random)
        let input = randomTensor([200, 300], seed: 4, in: 0.5...1.5)
        let output = layer.forward(input, training: true)
        let dropped = zip(input.data, output.data).filter { $0.1 == 0 }.count
        #expect(dropped > 0 && dropped < input.count)
        #expect(zip(input.data, output.data).allSatisfy { x, y in y == 0 || y == x * 2 })
        let gradient = layer.backward(Tensor(shape: [200, 300], data: [Float](repeating: 1, count: 60_000)), needsInputGradient: true)
        #expect(gradient.data == output.data.map { $0 == 0 ? 0 : 2 })
        // The next pass draws another mask.
        let again = layer.forward(input, training: true)
        #expect(again.data != output.data)
    }
}

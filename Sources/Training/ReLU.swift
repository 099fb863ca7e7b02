/// `max(0, x)` as a layer of its own (for `conv…linear, bn, relu` stacks): Keras's `ReLU`.
///
/// Any shape in, the same shape out. Its gradient at 0 is taken as 0, as in every framework.
public final class ReLU: Layer {
    public let kind = "ReLU"
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    private var output = Tensor.empty
    private var outputStorage = RecycledStorage()
    private var gradInputStorage = RecycledStorage()

    public init(inputShape: [Int]) {
        self.inputShape = inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        checkInput(input)
        let output = outputStorage.tensor(shape: input.shape) { out in
            input.data.withUnsafeBufferPointer { x in
                Threads.parallelFor(x.count, grain: 1 << 15) { range in
                    Elementwise.relu(x.baseAddress! + range.lowerBound, into: out.baseAddress! + range.lowerBound,
                                     count: range.count)
                }
            }
        }
        self.output = output
        return output
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor {
        defer { output = .empty }
        guard needsInputGradient else { return .empty }
        return reluMasked(gradOutput, by: output, into: &gradInputStorage)
    }

    public func releaseCaches() {
        output = .empty
    }
}

/// Flattens each sample to a vector: Keras's `Flatten`.
///
/// `input [batch, height, width, channels] -> output [batch, height * width * channels]`, in
/// NHWC order (Keras's channels-last order; a PyTorch `nn.Flatten` after NCHW convolutions
/// orders the same values channel first, so a dense weight that follows needs its columns
/// permuted to be used there).
public final class Flatten: Layer {
    public let kind = "Flatten"
    public let inputShape: [Int]
    public var outputShape: [Int] { [inputShape.reduce(1, *)] }

    public init(inputShape: [Int]) {
        self.inputShape = inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        checkInput(input)
        return input.reshaped([input.batch] + outputShape)
    }

    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor {
        guard needsInputGradient else { return .empty }
        return gradOutput.reshaped([gradOutput.batch] + inputShape)
    }
}

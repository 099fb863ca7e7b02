/// One step of a `Sequential` model: a forward pass and its backward pass.
///
/// Shapes are per sample (`inputShape`, `outputShape`, without the batch); tensors passed to
/// `forward` and `backward` carry the batch first. A layer remembers what its backward pass
/// needs from the latest `forward`, so calls alternate: forward, then backward for that batch.
/// `backward` adds the parameters' gradients to `Parameter.gradient` (the trainer zeroes them)
/// and returns d(loss)/d(input), or an empty tensor when `needsInputGradient` is false (the
/// first layer of a model, whose input is the data).
///
/// Results are written into storage the layer keeps and reuses for the next batch
/// (`RecycledStorage`): a tensor returned by `forward` or `backward` stays valid, but holding
/// on to it past the next call costs that call a copy.
public protocol Layer: AnyObject {
    /// The Keras class this layer matches, for summaries: `Conv2D`, `Dense`, ...
    var kind: String { get }
    /// The per-sample input shape, e.g. `[28, 28, 1]`.
    var inputShape: [Int] { get }
    /// The per-sample output shape, e.g. `[26, 26, 32]`.
    var outputShape: [Int] { get }
    /// Weights and statistics, in a fixed order (`weight` before `bias`).
    var parameters: [Parameter] { get }
    /// `input [batch] + inputShape -> output [batch] + outputShape`; `training` turns on
    /// dropout and batch statistics.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// `gradOutput [batch] + outputShape -> gradInput [batch] + inputShape`; drops what
    /// `forward` cached.
    func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor
    /// Drops what `forward` cached for a backward pass that will not come (after inference),
    /// so that the storage of the tensors can be reused (`RecycledStorage`).
    func releaseCaches()
}

extension Layer {
    public var parameters: [Parameter] { [] }

    public func releaseCaches() {}

    /// d(loss)/d(input) for `gradOutput`, accumulating parameter gradients.
    public func backward(_ gradOutput: Tensor) -> Tensor {
        backward(gradOutput, needsInputGradient: true)
    }

    /// The number of values in a parameter, summed over this layer.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    func checkInput(_ input: Tensor) {
        precondition(input.shape.count == inputShape.count + 1 && Array(input.shape.dropFirst()) == inputShape,
                     "\(kind): expected input [batch] + \(inputShape), got \(input.shape)")
    }

    func checkGradient(_ gradOutput: Tensor, batch: Int) {
        precondition(gradOutput.shape == [batch] + outputShape,
                     "\(kind): expected gradient [\(batch)] + \(outputShape), got \(gradOutput.shape)")
    }
}

/// The activation fused into a Dense or Conv2D layer.
public enum Activation: String, Sendable, Codable {
    /// max(0, x): Keras's `activation="relu"`; the default for hidden layers.
    case relu
    /// None: the layer's output is its affine map (the logits of the last layer).
    case linear
}

/// Keras's padding for convolution and pooling.
public enum Padding: String, Sendable, Codable {
    /// No padding: `out = floor((in - kernel) / stride) + 1`.
    case valid
    /// `out = ceil(in / stride)`, padded with `max((out - 1) * stride + kernel - in, 0)` in all,
    /// the smaller half before and the larger after (TensorFlow's rule, which Keras follows).
    case same
}

/// Where a kernel window lands along one spatial axis: output size and padding before.
struct WindowGeometry: Equatable {
    let input: Int
    let kernel: Int
    let stride: Int
    let output: Int
    let padBefore: Int

    /// Nil when the window does not fit (valid padding, input smaller than the kernel).
    init?(input: Int, kernel: Int, stride: Int, padding: Padding) {
        precondition(kernel >= 1 && stride >= 1, "kernel and stride must be at least 1")
        self.input = input
        self.kernel = kernel
        self.stride = stride
        switch padding {
        case .valid:
            guard input >= kernel else { return nil }
            output = (input - kernel) / stride + 1
            padBefore = 0
        case .same:
            guard input >= 1 else { return nil }
            output = (input + stride - 1) / stride
            padBefore = max((output - 1) * stride + kernel - input, 0) / 2
        }
    }
}

/// One named tensor of a model: a weight the optimiser trains, or a statistic (batch
/// normalisation's running mean and variance) that training updates by other means.
///
/// Names follow PyTorch's state dict: `layers.<index>.<name>`, with `weight`/`bias` for
/// Dense, Conv2D and BatchNorm's gamma/beta, `running_mean`/`running_var` for its statistics.
/// Gradients accumulate across `backward` calls until `Sequential.zeroGradients()`.
/// `slots` hold the optimiser's per-parameter state (`m`, `v` for Adam; `momentum` for SGD),
/// so a checkpoint saves and restores them with the weights.
public final class Parameter {
    /// What a parameter is, which decides whether the optimiser trains it and whether weight
    /// decay applies.
    public enum Kind: String, Sendable, Codable {
        /// Dense and convolution kernels: trained, and L2 weight decay applies.
        case kernel
        /// Biases, BatchNorm's gamma and beta: trained, no weight decay (as Keras's
        /// `kernel_regularizer`, which leaves them alone).
        case bias
        /// BatchNorm's running statistics: saved, updated by the forward pass, never trained.
        case statistic
    }

    /// `layers.<index>.<name>`.
    public let name: String
    public let kind: Kind
    /// The values, in the layout stated by the layer's documentation.
    public var value: Tensor
    /// d(loss)/d(value), same shape, accumulated by `backward`.
    public var gradient: Tensor
    /// The optimiser's state for this parameter, by slot name; empty until the first step.
    public var slots: [String: Tensor] = [:]
    /// False to keep the parameter fixed (fine-tuning with frozen layers).
    public var isTrainable: Bool

    public init(name: String, kind: Kind, value: Tensor) {
        self.name = name
        self.kind = kind
        self.value = value
        self.gradient = Tensor(zeros: value.shape)
        self.isTrainable = kind != .statistic
    }

    /// Whether L2 weight decay applies to this parameter.
    public var decays: Bool { kind == .kernel }

    /// Sets the gradient to zeros.
    public func zeroGradient() {
        gradient.data.withUnsafeMutableBufferPointer { buffer in
            buffer.update(repeating: 0)
        }
    }
}

/// Updates parameters from their gradients; one `step` per batch.
///
/// Optimisers follow Keras 3's formulas exactly (checked against Keras by
/// `Tests/TrainingTests/reference/optimizers.py`). State lives in each parameter's `slots`
/// and in `iterations`, so a checkpoint holds everything needed to resume bit for bit.
///
/// Weight decay is coupled L2, as PyTorch's `weight_decay` argument and Keras's
/// `kernel_regularizer`: `gradient += weightDecay * value` before the update, for kernels only
/// (`Parameter.decays`). A Keras model with `kernel_regularizer=L2(l)` adds `l * sum(w^2)` to
/// its loss, whose gradient is `2 * l * w`: it trains as `weightDecay = 2 * l`. (Keras's own
/// optimiser argument `weight_decay` is decoupled, AdamW-style, which this is not.)
public protocol Optimizer: AnyObject {
    /// The learning rate of the next step (a schedule sets it before each step).
    var learningRate: Float { get set }
    /// Steps taken (Keras's `iterations`); Adam's bias correction uses `iterations + 1`.
    var iterations: Int { get set }
    /// Everything but the per-parameter state: what to rebuild this optimiser from.
    var configuration: OptimizerConfiguration { get }
    /// The names of the per-parameter slots this optimiser keeps.
    var slotNames: [String] { get }
    /// Updates every trainable parameter (`isTrainable`) from its gradient and counts a step.
    func step(_ parameters: [Parameter])
}

/// An optimiser's kind and hyperparameters, Codable for checkpoints and run records.
public enum OptimizerConfiguration: Codable, Equatable, Sendable {
    case adam(learningRate: Float, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Float)
    case sgd(learningRate: Float, momentum: Double, nesterov: Bool, weightDecay: Float)

    /// A new optimiser with these hyperparameters and no state.
    /// - Throws: `TrainingError.invalidHyperparameter` for a value out of range.
    public func makeOptimizer() throws -> any Optimizer {
        switch self {
        case let .adam(learningRate, beta1, beta2, epsilon, weightDecay):
            try Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        case let .sgd(learningRate, momentum, nesterov, weightDecay):
            try SGD(learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        }
    }
}

/// The checks every optimiser makes up front.
enum Hyperparameters {
    static func checkLearningRate(_ value: Float) throws {
        guard value.isFinite && value > 0 else {
            throw TrainingError.invalidHyperparameter("The learning rate must be a number above 0 (got \(value)).")
        }
    }

    static func checkWeightDecay(_ value: Float) throws {
        guard value.isFinite && value >= 0 else {
            throw TrainingError.invalidHyperparameter("Weight decay must be a number of at least 0 (got \(value)).")
        }
    }

    static func checkUnitInterval(_ value: Double, name: String) throws {
        guard value >= 0 && value < 1 else {
            throw TrainingError.invalidHyperparameter("\(name) must be at least 0 and below 1 (got \(value)).")
        }
    }
}

extension Parameter {
    /// Removes and returns the slot named `name`, zeros of the parameter's shape if it has
    /// none yet; the caller updates it in place and puts it back.
    func takeSlot(_ name: String) -> Tensor {
        slots.removeValue(forKey: name) ?? Tensor(zeros: value.shape)
    }
}

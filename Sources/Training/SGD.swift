/// Stochastic gradient descent with optional momentum and Nesterov momentum, exactly as
/// Keras 3's `SGD` (defaults: learning rate 0.01, momentum 0, no Nesterov).
///
/// For each trainable parameter and its gradient `g`, with the velocity slot `momentum`:
///
///     without momentum:  value -= lr * g
///     with momentum:     velocity = momentum * velocity - lr * g
///                        value += velocity                              (classical)
///                        value += momentum * velocity - lr * g          (Nesterov)
///
/// Keras keeps the learning rate inside the velocity; PyTorch keeps it outside
/// (`buf = momentum * buf + g; value -= lr * buf`), which is the same while the learning rate
/// is constant and differs when a schedule changes it.
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Double
    public let nesterov: Bool
    public let weightDecay: Float
    public var iterations = 0
    public var slotNames: [String] { momentum > 0 ? ["momentum"] : [] }

    /// - Throws: `TrainingError.invalidHyperparameter` unless `learningRate > 0`,
    ///   `0 <= momentum < 1` (above 0 for Nesterov) and `weightDecay >= 0`.
    public init(learningRate: Float = 0.01, momentum: Double = 0, nesterov: Bool = false, weightDecay: Float = 0) throws {
        try Hyperparameters.checkLearningRate(learningRate)
        try Hyperparameters.checkUnitInterval(momentum, name: "SGD's momentum")
        if nesterov && momentum == 0 {
            throw TrainingError.invalidHyperparameter("Nesterov momentum needs a momentum above 0 (got 0).")
        }
        try Hyperparameters.checkWeightDecay(weightDecay)
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public var configuration: OptimizerConfiguration {
        .sgd(learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
    }

    public func step(_ parameters: [Parameter]) {
        let lr = learningRate, mu = Float(momentum)
        for parameter in parameters where parameter.isTrainable {
            let decay = parameter.decays ? weightDecay : 0
            var velocity = momentum > 0 ? parameter.takeSlot("momentum") : Tensor(zeros: [0])
            velocity.data.withUnsafeMutableBufferPointer { velocity in
                parameter.gradient.data.withUnsafeBufferPointer { gradient in
                    parameter.value.data.withUnsafeMutableBufferPointer { value in
                        for k in 0..<value.count {
                            let g = decay > 0 ? gradient[k] + decay * value[k] : gradient[k]
                            if momentum == 0 {
                                value[k] -= g * lr
                            } else {
                                velocity[k] = velocity[k] * mu - g * lr
                                value[k] += nesterov ? velocity[k] * mu - g * lr : velocity[k]
                            }
                        }
                    }
                }
            }
            if momentum > 0 { parameter.slots["momentum"] = velocity }
        }
        iterations += 1
    }
}

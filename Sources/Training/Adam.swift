import Foundation

/// Adam (Kingma and Ba, 2015) exactly as Keras 3 computes it, with Keras's defaults:
/// learning rate 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7 (PyTorch's default epsilon is 1e-8).
///
/// With `t = iterations + 1`, for each trainable parameter and its gradient `g`:
///
///     alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
///     m += (g - m) * (1 - beta1)
///     v += (g * g - v) * (1 - beta2)
///     value -= m * alpha / (sqrt(v) + epsilon)
///
/// Epsilon placement: this is the paper's "efficient version" (end of its section 2), the one
/// Keras 3 and TensorFlow use: epsilon is added to `sqrt(v)`, not to `sqrt(v_hat)`. It equals
/// `m_hat / (sqrt(v_hat) + epsilon / sqrt(1 - beta2^t))`, so early steps are damped slightly
/// less than PyTorch's `m_hat / (sqrt(v_hat) + epsilon)`; with epsilon 1e-7 the difference only
/// shows for gradients near 1e-7. Scalars are Float32 as in Keras (`beta^t` by `powf`, the
/// `1 - beta` factors rounded from Double as Keras rounds its Python floats).
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Float
    public var iterations = 0
    public let slotNames = ["m", "v"]

    /// - Throws: `TrainingError.invalidHyperparameter` unless `learningRate > 0`,
    ///   `0 <= beta1, beta2 < 1`, `epsilon > 0` and `weightDecay >= 0`.
    public init(learningRate: Float = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-7,
                weightDecay: Float = 0) throws {
        try Hyperparameters.checkLearningRate(learningRate)
        try Hyperparameters.checkUnitInterval(beta1, name: "Adam's beta1")
        try Hyperparameters.checkUnitInterval(beta2, name: "Adam's beta2")
        guard epsilon > 0 && epsilon.isFinite else {
            throw TrainingError.invalidHyperparameter("Adam's epsilon must be a number above 0 (got \(epsilon)).")
        }
        try Hyperparameters.checkWeightDecay(weightDecay)
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public var configuration: OptimizerConfiguration {
        .adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    public func step(_ parameters: [Parameter]) {
        let t = Float(iterations + 1)
        let beta1Power = powf(Float(beta1), t), beta2Power = powf(Float(beta2), t)
        let alpha = learningRate * (1 - beta2Power).squareRoot() / (1 - beta1Power)
        let oneMinusBeta1 = Float(1 - beta1), oneMinusBeta2 = Float(1 - beta2), epsilon = Float(epsilon)
        for parameter in parameters where parameter.isTrainable {
            let decay = parameter.decays ? weightDecay : 0
            // Taken out of the dictionary while updated, so the update writes in place.
            var m = parameter.takeSlot("m"), v = parameter.takeSlot("v")
            m.data.withUnsafeMutableBufferPointer { m in
                v.data.withUnsafeMutableBufferPointer { v in
                    parameter.gradient.data.withUnsafeBufferPointer { gradient in
                        parameter.value.data.withUnsafeMutableBufferPointer { value in
                            // Elementwise, so splitting it among threads changes no bit.
                            Threads.parallelFor(value.count, grain: 1 << 13) { range in
                                let k = range.lowerBound
                                Self.update(value: value.baseAddress! + k, m: m.baseAddress! + k, v: v.baseAddress! + k,
                                            gradient: gradient.baseAddress! + k, count: range.count, decay: decay,
                                            alpha: alpha, oneMinusBeta1: oneMinusBeta1, oneMinusBeta2: oneMinusBeta2,
                                            epsilon: epsilon)
                            }
                        }
                    }
                }
            }
            parameter.slots["m"] = m
            parameter.slots["v"] = v
        }
        iterations += 1
    }

    /// The update of one parameter, eight values at a time. Each lane performs the scalar
    /// loop's operations in the same order (IEEE square root and division are exact), so the
    /// result is the same bits as the formula in the type's documentation.
    private static func update(value: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                               gradient: UnsafePointer<Float>, count: Int, decay: Float, alpha: Float,
                               oneMinusBeta1: Float, oneMinusBeta2: Float, epsilon: Float) {
        typealias Lanes = Elementwise.Lanes
        var k = 0
        while k + 8 <= count {
            var g = Elementwise.load(gradient + k)
            if decay > 0 { g += decay * Elementwise.load(value + k) }
            var mk = Elementwise.load(m + k), vk = Elementwise.load(v + k)
            mk += (g - mk) * oneMinusBeta1
            vk += (g * g - vk) * oneMinusBeta2
            Elementwise.store(mk, m + k)
            Elementwise.store(vk, v + k)
            Elementwise.store(Elementwise.load(value + k) - mk * alpha / (vk.squareRoot() + epsilon), value + k)
            k += 8
        }
        while k < count {
            let g = decay > 0 ? gradient[k] + decay * value[k] : gradient[k]
            m[k] += (g - m[k]) * oneMinusBeta1
            v[k] += (g * g - v[k]) * oneMinusBeta2
            value[k] -= m[k] * alpha / (v[k].squareRoot() + epsilon)
            k += 1
        }
    }
}

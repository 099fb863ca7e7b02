import Foundation

/// Softmax and categorical cross-entropy fused into one numerically stable step: Keras's
/// `CategoricalCrossentropy(from_logits=True, label_smoothing=…)` on one-hot labels.
///
/// For each row of `logits [batch, classes]`: `log p = z - logsumexp(z)` with
/// `logsumexp(z) = max(z) + log(sum(exp(z - max(z))))`, so no exponential overflows; the target
/// is `q = (1 - smoothing) * onehot(label) + smoothing / classes`; the row's loss is
/// `-sum(q * log p)`. The batch loss is Keras's `sum_over_batch_size`:
/// `sum(weight[label] * loss) / batch` (weights 1 without class weights), and the gradient is
/// `d loss / d z = weight[label] * (softmax(z) - q) / batch`. Sums are in Double.
public struct SoftmaxCrossEntropy: Sendable, Equatable {
    public let labelSmoothing: Float
    /// One weight per class (Keras's `class_weight`), or nil for all 1.
    public let classWeights: [Float]?

    /// - Throws: `TrainingError.invalidHyperparameter` when `labelSmoothing` is outside
    ///   `[0, 1)` or a class weight is negative or not finite.
    public init(labelSmoothing: Float = 0, classWeights: [Float]? = nil) throws {
        guard labelSmoothing >= 0 && labelSmoothing < 1 else {
            throw TrainingError.invalidHyperparameter("Label smoothing must be at least 0 and below 1 (got \(labelSmoothing)).")
        }
        if let weights = classWeights, let bad = weights.first(where: { !$0.isFinite || $0 < 0 }) {
            throw TrainingError.invalidHyperparameter("Class weights must be finite and at least 0 (got \(bad)).")
        }
        self.labelSmoothing = labelSmoothing
        self.classWeights = classWeights
    }

    /// The mean loss over the batch and d(loss)/d(logits).
    /// - Parameters:
    ///   - logits: `[batch, classes]`.
    ///   - labels: `batch` class indices in `0..<classes`.
    /// - Returns: the loss and the gradient `[batch, classes]`.
    public func forwardBackward(_ logits: Tensor, _ labels: [Int]) -> (loss: Float, gradient: Tensor) {
        var gradient = Tensor(zeros: logits.shape)
        let loss = evaluate(logits, labels, gradient: &gradient.data)
        return (loss, gradient)
    }

    /// The mean loss over the batch, without a gradient (evaluation).
    public func loss(_ logits: Tensor, _ labels: [Int]) -> Float {
        var none: [Float] = []
        return evaluate(logits, labels, gradient: &none)
    }

    /// Softmax of each row of `logits [batch, classes]`: the class probabilities.
    public static func probabilities(_ logits: Tensor) -> Tensor {
        precondition(logits.shape.count == 2, "probabilities need logits [batch, classes], got \(logits.shape)")
        let classes = logits.shape[1]
        var result = logits
        for row in 0..<logits.shape[0] {
            let z = logits.data[(row * classes)..<((row + 1) * classes)]
            let top = z.max() ?? 0
            let total = z.reduce(0.0) { $0 + exp(Double($1 - top)) }
            for j in 0..<classes { result.data[row * classes + j] = Float(exp(Double(z[row * classes + j] - top)) / total) }
        }
        return result
    }

    private func evaluate(_ logits: Tensor, _ labels: [Int], gradient: inout [Float]) -> Float {
        precondition(logits.shape.count == 2, "SoftmaxCrossEntropy needs logits [batch, classes], got \(logits.shape)")
        let (batch, classes) = (logits.shape[0], logits.shape[1])
        precondition(labels.count == batch, "SoftmaxCrossEntropy: \(labels.count) labels for a batch of \(batch)")
        precondition(classWeights == nil || classWeights!.count == classes,
                     "SoftmaxCrossEntropy: \(classWeights?.count ?? 0) class weights for \(classes) classes")
        let wantsGradient = !gradient.isEmpty
        let off = Double(labelSmoothing) / Double(classes)
        let on = 1 - Double(labelSmoothing) + off
        var total = 0.0
        for row in 0..<batch {
            let label = labels[row]
            precondition(label >= 0 && label < classes, "SoftmaxCrossEntropy: label \(label) is not in 0..<\(classes)")
            let weight = Double(classWeights?[label] ?? 1)
            let base = row * classes
            var top = -Double.infinity
            for j in 0..<classes { top = max(top, Double(logits.data[base + j])) }
            var sum = 0.0
            for j in 0..<classes { sum += exp(Double(logits.data[base + j]) - top) }
            let logSumExp = top + log(sum)
            var rowLoss = 0.0
            for j in 0..<classes {
                let logP = Double(logits.data[base + j]) - logSumExp
                let target = j == label ? on : off
                rowLoss -= target * logP
                if wantsGradient {
                    gradient[base + j] = Float(weight * (exp(logP) - target) / Double(batch))
                }
            }
            total += weight * rowLoss
        }
        return Float(total / Double(max(batch, 1)))
    }
}

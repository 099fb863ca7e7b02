/// Lowers the learning rate when a monitored metric stops improving: Keras's
/// `ReduceLROnPlateau`, with its defaults (factor 0.1, patience 10, min_delta 1e-4, cooldown 0,
/// min_lr 0; `min` mode, for a loss).
///
/// Call `update` once per epoch with the metric. As in Keras: an epoch improves when the value
/// beats the best by more than `minDelta` (`value < best - minDelta` in `min` mode,
/// `value > best + minDelta` in `max` mode); after `patience` epochs in a row without
/// improvement the rate is multiplied by `factor` (not below `minLearningRate`), then
/// `cooldown` epochs pass before counting again. Codable, so a checkpoint can store it.
public struct ReduceLROnPlateau: Codable, Equatable, Sendable {
    public enum Mode: String, Codable, Sendable {
        /// Lower is better (a loss).
        case min
        /// Higher is better (an accuracy).
        case max
    }

    public let factor: Double
    public let patience: Int
    public let minDelta: Double
    public let cooldown: Int
    public let minLearningRate: Float
    public let mode: Mode
    /// The best value seen, nil before the first epoch.
    public private(set) var best: Double?
    /// Epochs since the last improvement.
    public private(set) var wait = 0
    /// Epochs of cooldown left.
    public private(set) var cooldownCounter = 0

    /// - Throws: `TrainingError.invalidHyperparameter` unless `0 < factor < 1`,
    ///   `patience >= 0`, `minDelta >= 0`, `cooldown >= 0` and `minLearningRate >= 0`.
    public init(factor: Double = 0.1, patience: Int = 10, minDelta: Double = 1e-4, cooldown: Int = 0,
                minLearningRate: Float = 0, mode: Mode = .min) throws {
        guard factor > 0 && factor < 1 else {
            throw TrainingError.invalidHyperparameter("The plateau factor must be above 0 and below 1 (got \(factor)).")
        }
        guard patience >= 0 && cooldown >= 0 else {
            throw TrainingError.invalidHyperparameter("Plateau patience and cooldown must be at least 0 epochs (got \(patience) and \(cooldown)).")
        }
        guard minDelta >= 0 && minLearningRate >= 0 else {
            throw TrainingError.invalidHyperparameter("The plateau's minimum change and minimum learning rate must be at least 0.")
        }
        self.factor = factor
        self.patience = patience
        self.minDelta = minDelta
        self.cooldown = cooldown
        self.minLearningRate = minLearningRate
        self.mode = mode
    }

    /// Records one epoch's `value` and returns the learning rate to use from now on.
    public mutating func update(value: Double, learningRate: Float) -> Float {
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            wait = 0
        }
        if isImprovement(value) {
            best = value
            wait = 0
            return learningRate
        }
        guard cooldownCounter == 0 else { return learningRate }
        wait += 1
        guard wait >= patience, learningRate > minLearningRate else { return learningRate }
        cooldownCounter = cooldown
        wait = 0
        return max(Float(Double(learningRate) * factor), minLearningRate)
    }

    private func isImprovement(_ value: Double) -> Bool {
        guard let best else { return true }
        switch mode {
        case .min: return value + minDelta < best
        case .max: return value - minDelta > best
        }
    }
}

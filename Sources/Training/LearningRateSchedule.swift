import Foundation

/// The learning rate as a function of the optimiser step, set before each step:
/// `optimizer.learningRate = schedule.learningRate(base: lr, step: optimizer.iterations)`.
///
/// `step` counts optimiser steps from 0, as Keras passes `iterations` to a schedule, so the
/// first update uses `learningRate(base:step: 0)`. For a per-epoch schedule multiply epochs by
/// the steps per epoch.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// The base rate throughout.
    case constant
    /// `base * factor^floor(step / every)`: Keras's `ExponentialDecay(staircase=True)`,
    /// PyTorch's `StepLR` (with `every` in steps).
    case step(every: Int, factor: Double)
    /// `base * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps)) + alpha)`:
    /// Keras's `CosineDecay` without warm-up; after `decaySteps` the rate stays at `alpha * base`.
    case cosine(decaySteps: Int, alpha: Double)

    /// Checks the schedule's numbers.
    /// - Throws: `TrainingError.invalidHyperparameter` for a period below 1, a step factor
    ///   outside `(0, 1]` or an alpha outside `[0, 1]`.
    public func validate() throws {
        switch self {
        case .constant:
            break
        case let .step(every, factor):
            guard every >= 1 else {
                throw TrainingError.invalidHyperparameter("A step schedule needs a period of at least 1 step (got \(every)).")
            }
            guard factor > 0 && factor <= 1 else {
                throw TrainingError.invalidHyperparameter("A step schedule's factor must be above 0 and at most 1 (got \(factor)).")
            }
        case let .cosine(decaySteps, alpha):
            guard decaySteps >= 1 else {
                throw TrainingError.invalidHyperparameter("A cosine schedule needs at least 1 decay step (got \(decaySteps)).")
            }
            guard alpha >= 0 && alpha <= 1 else {
                throw TrainingError.invalidHyperparameter("A cosine schedule's alpha must be between 0 and 1 (got \(alpha)).")
            }
        }
    }

    /// The learning rate for optimiser step `step` (from 0), computed in Double and rounded once.
    public func learningRate(base: Float, step: Int) -> Float {
        switch self {
        case .constant:
            return base
        case let .step(every, factor):
            return Float(Double(base) * pow(factor, Double(step / every)))
        case let .cosine(decaySteps, alpha):
            let fraction = Double(min(step, decaySteps)) / Double(decaySteps)
            let cosine = 0.5 * (1 + cos(Double.pi * fraction))
            return Float(Double(base) * ((1 - alpha) * cosine + alpha))
        }
    }
}

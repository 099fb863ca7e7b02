import Foundation

/// Batch normalisation over the last axis: Keras's `BatchNormalization` with its defaults
/// (momentum 0.99, epsilon 1e-3).
///
/// Any shape in, the same shape out; statistics are per channel (the last axis) over every
/// other axis, so over batch, height and width after a convolution. In training,
/// `y = gamma * (x - mean) / sqrt(variance + epsilon) + beta` with the batch's mean and
/// biased variance, and the running statistics move as
/// `running = running * momentum + batch * (1 - momentum)` (Keras keeps the biased variance;
/// PyTorch would store the unbiased one, and its momentum is `1 - 0.99 = 0.01`). At inference
/// the running statistics are used. Parameters, named as PyTorch's `BatchNorm2d`: `weight`
/// (gamma, ones), `bias` (beta, zeros), `running_mean` (zeros), `running_var` (ones); the
/// last two are statistics, saved but not trained (PyTorch's `num_batches_tracked` is not kept).
public final class BatchNorm: Layer {
    public let kind = "BatchNormalization"
    public let momentum: Float
    public let epsilon: Float
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public let gamma: Parameter
    public let beta: Parameter
    public let runningMean: Parameter
    public let runningVariance: Parameter
    public var parameters: [Parameter] { [gamma, beta, runningMean, runningVariance] }

    private var normalized: [Float] = []
    private var inverseStd: [Float] = []
    private var wasTraining = false
    private var batch = 0
    private var outputStorage = RecycledStorage()
    private var gradInputStorage = RecycledStorage()

    /// - Precondition: `0 <= momentum < 1`, `epsilon > 0`.
    public init(inputShape: [Int], momentum: Float = 0.99, epsilon: Float = 1e-3, name: String = "batch_norm") {
        precondition(!inputShape.isEmpty && inputShape.last! >= 1, "BatchNorm needs a channel axis, got \(inputShape)")
        precondition(momentum >= 0 && momentum < 1 && epsilon > 0, "BatchNorm needs 0 <= momentum < 1 and epsilon > 0")
        self.inputShape = inputShape
        self.momentum = momentum
        self.epsilon = epsilon
        let channels = inputShape.last!
        gamma = Parameter(name: "\(name).weight", kind: .bias, value: Tensor(shape: [channels], data: [Float](repeating: 1, count: channels)))
        beta = Parameter(name: "\(name).bias", kind: .bias, value: Tensor(zeros: [channels]))
        runningMean = Parameter(name: "\(name).running_mean", kind: .statistic, value: Tensor(zeros: [channels]))
        runningVariance = Parameter(name: "\(name).running_var", kind: .statistic,
                                    value: Tensor(shape: [channels], data: [Float](repeating: 1, count: channels)))
    }

    var channels: Int { inputShape.last! }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        checkInput(input)
        let batch = input.batch
        let channels = channels, rowsPerSample = input.count / max(batch * channels, 1)
        let mean: [Float], variance: [Float]
        if training {
            let count = Double(batch * rowsPerSample)
            let batchMean = input.data.withUnsafeBufferPointer { x in
                perChannelSums(batch: batch, rowsPerSample: rowsPerSample) { k, _ in Double(x[k]) }
            }.map { $0 / count }
            let squares = input.data.withUnsafeBufferPointer { x in
                perChannelSums(batch: batch, rowsPerSample: rowsPerSample) { k, c in
                    (Double(x[k]) - batchMean[c]) * (Double(x[k]) - batchMean[c])
                }
            }
            mean = batchMean.map { Float($0) }
            variance = squares.map { Float($0 / count) }
            for c in 0..<channels {
                runningMean.value.data[c] = runningMean.value.data[c] * momentum + mean[c] * (1 - momentum)
                runningVariance.value.data[c] = runningVariance.value.data[c] * momentum + variance[c] * (1 - momentum)
            }
        } else {
            mean = runningMean.value.data
            variance = runningVariance.value.data
        }
        inverseStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        if normalized.count != input.count { normalized = [Float](repeating: 0, count: input.count) }
        let scale = gamma.value.data, shift = beta.value.data, inverseStd = inverseStd
        let perSample = rowsPerSample * channels
        let output = outputStorage.tensor(shape: input.shape) { out in
            input.data.withUnsafeBufferPointer { x in
                normalized.withUnsafeMutableBufferPointer { xhat in
                    Threads.parallelFor(batch) { samples in
                        for k in (samples.lowerBound * perSample)..<(samples.upperBound * perSample) {
                            let c = k % channels
                            xhat[k] = (x[k] - mean[c]) * inverseStd[c]
                            out[k] = scale[c] * xhat[k] + shift[c]
                        }
                    }
                }
            }
        }
        wasTraining = training
        self.batch = batch
        return output
    }

    /// In training: `dgamma = sum(dy * xhat)`, `dbeta = sum(dy)`,
    /// `dx = gamma * invStd / M * (M * dy - dbeta - xhat * dgamma)` with M values per channel.
    /// At inference the statistics are constants: `dx = dy * gamma * invStd`.
    public func backward(_ gradOutput: Tensor, needsInputGradient: Bool) -> Tensor {
        checkGradient(gradOutput, batch: batch)
        let channels = channels
        let perSample = gradOutput.count / max(batch, 1)
        let count = Float(gradOutput.count / channels)
        let rowsPerSample = perSample / channels
        let (gradBeta, gradGamma) = gradOutput.data.withUnsafeBufferPointer { dy in
            normalized.withUnsafeBufferPointer { xhat in
                (perChannelSums(batch: batch, rowsPerSample: rowsPerSample) { k, _ in Double(dy[k]) },
                 perChannelSums(batch: batch, rowsPerSample: rowsPerSample) { k, _ in Double(dy[k]) * Double(xhat[k]) })
            }
        }
        for c in 0..<channels {
            gamma.gradient.data[c] += Float(gradGamma[c])
            beta.gradient.data[c] += Float(gradBeta[c])
        }
        guard needsInputGradient else { return .empty }
        let scale = gamma.value.data, inverseStd = inverseStd, training = wasTraining
        let sumG = gradBeta.map(Float.init), sumGX = gradGamma.map(Float.init)
        return gradInputStorage.tensor(shape: gradOutput.shape) { dx in
            gradOutput.data.withUnsafeBufferPointer { dy in
                normalized.withUnsafeBufferPointer { xhat in
                    Threads.parallelFor(batch) { samples in
                        for k in (samples.lowerBound * perSample)..<(samples.upperBound * perSample) {
                            let c = k % channels
                            if training {
                                dx[k] = scale[c] * inverseStd[c] / count * (count * dy[k] - sumG[c] - xhat[k] * sumGX[c])
                            } else {
                                dx[k] = dy[k] * scale[c] * inverseStd[c]
                            }
                        }
                    }
                }
            }
        }
    }

    /// Per-channel sums of `term(index, channel)` in Double, over values stored as
    /// `[batch, rowsPerSample, channels]`: per-sample partial sums in parallel, then added in
    /// sample order, so the result does not depend on the thread count.
    private func perChannelSums(batch: Int, rowsPerSample: Int, _ term: (_ index: Int, _ channel: Int) -> Double) -> [Double] {
        let channels = channels
        var partial = [Double](repeating: 0, count: batch * channels)
        partial.withUnsafeMutableBufferPointer { sums in
            Threads.parallelFor(batch) { samples in
                for n in samples {
                    for row in (n * rowsPerSample)..<((n + 1) * rowsPerSample) {
                        for c in 0..<channels { sums[n * channels + c] += term(row * channels + c, c) }
                    }
                }
            }
        }
        var total = [Double](repeating: 0, count: channels)
        for n in 0..<batch {
            for c in 0..<channels { total[c] += partial[n * channels + c] }
        }
        return total
    }
}

import Foundation
import Randomness
import Sharding

/// Trains a `Sequential` model on a shard folder's `train` split, streaming, and writes a run
/// folder (`RunFolder`): Keras's `model.fit` with a `CSVLogger`, a `ModelCheckpoint` of the best
/// epoch, `EarlyStopping` and `BackupAndRestore`.
///
/// Each epoch visits every labelled training sample once, in `BatchOrder`'s seeded order, in
/// batches of `batchSize` (the last one smaller); pixels are read from the memory-mapped shards
/// and normalised as the batch is built, then augmented if asked. After the epoch the
/// `validation` split (if the manifest has one; never `test`) is evaluated, and the files are
/// written in an order that keeps the run resumable at every moment: `history.csv`,
/// `curves.svg`, the model files when the epoch is the best so far, then the checkpoint.
/// Library code: it prints nothing; `onBatch` and `onEpoch` report progress.
public final class Trainer {
    public let options: TrainingOptions
    public let run: RunFolder
    public let model: Sequential
    public let optimizer: any Optimizer
    /// The model card written beside the weights (its `training` block is filled as the run goes).
    public let card: ModelCard
    public let train: ShardSplit
    /// Nil when the shards have no `validation` split.
    public let validation: ShardSplit?
    /// The class weights in use (`--class-weight`), or nil.
    public let classWeights: [Float]?
    /// Steps (batches) per epoch.
    public let stepsPerEpoch: Int
    /// The epochs already done, the history, the best epoch, schedule and patience state.
    public internal(set) var state: TrainerState

    /// Called after every batch, on the training thread.
    public var onBatch: ((BatchProgress) -> Void)?
    /// Called after every epoch, once its files and checkpoint are written.
    public var onEpoch: ((EpochRecord) -> Void)?

    let trainSamples: [ShardSplit.Sample]
    let validationSamples: [ShardSplit.Sample]
    let order: BatchOrder
    let lossFunction: SoftmaxCrossEntropy
    /// Validation loss: the same smoothing, no class weights (Keras applies `class_weight` to
    /// training only).
    let validationLossFunction: SoftmaxCrossEntropy
    /// The first layer with a trainable parameter: the backward pass stops there.
    let firstTrainedLayer: Int
    /// Layers before this index are frozen (`--freeze`); BatchNorm among them runs in inference
    /// mode, as a Keras layer with `trainable = False` does.
    let frozenLayers: Int

    init(options: TrainingOptions, run: RunFolder, model: Sequential, optimizer: any Optimizer, card: ModelCard,
         train: ShardSplit, validation: ShardSplit?, classWeights: [Float]?, stepsPerEpoch: Int, state: TrainerState,
         trainSamples: [ShardSplit.Sample], validationSamples: [ShardSplit.Sample], order: BatchOrder,
         lossFunction: SoftmaxCrossEntropy, validationLossFunction: SoftmaxCrossEntropy, firstTrainedLayer: Int,
         frozenLayers: Int) {
        self.options = options
        self.run = run
        self.model = model
        self.optimizer = optimizer
        self.card = card
        self.train = train
        self.validation = validation
        self.classWeights = classWeights
        self.stepsPerEpoch = stepsPerEpoch
        self.state = state
        self.trainSamples = trainSamples
        self.validationSamples = validationSamples
        self.order = order
        self.lossFunction = lossFunction
        self.validationLossFunction = validationLossFunction
        self.firstTrainedLayer = firstTrainedLayer
        self.frozenLayers = frozenLayers
    }

    /// The labelled samples of the training split (an epoch's size).
    public var trainSampleCount: Int { trainSamples.count }
    /// The labelled samples of the validation split (0 without one).
    public var validationSampleCount: Int { validationSamples.count }

    /// What one batch reports.
    public struct BatchProgress: Sendable {
        public var epoch: Int
        public var epochs: Int
        /// Batches done in this epoch, from 1.
        public var step: Int
        public var steps: Int
        /// The epoch's mean loss and accuracy so far.
        public var loss: Double
        public var accuracy: Double
        /// Seconds since the epoch began.
        public var seconds: Double
    }

    /// Trains epochs until `options.epochs` are done or early stopping stops the run.
    /// - Returns: what happened; the model ends with the best epoch's weights.
    /// - Throws: `FileError`/`TrainingError` when a file cannot be written, or the loss becomes NaN.
    @discardableResult
    public func fit() throws -> TrainingReport {
        while state.epochsDone < options.epochs && !state.stoppedEarly {
            let record = try trainEpoch(state.epochsDone)
            try finishEpoch(record)
            onEpoch?(record)
        }
        if let best = state.bestEpoch, best != state.history.last?.epoch {
            try model.loadWeights(from: run.weightsPath)  // restore_best_weights
        }
        try writeModelCard()
        return report
    }

    /// One epoch (from 0): the training loop, then validation.
    func trainEpoch(_ epoch: Int) throws -> EpochRecord {
        let start = Date()
        let indices = order.indices(epoch: epoch)
        var augmentationRandom = RandomGenerator(seed: options.seed, stream: Augmentation.augmentationStream &+ UInt64(epoch))
        var lossSum = 0.0, correct = 0, seen = 0
        for step in 0..<stepsPerEpoch {
            let chosen = indices[(step * options.batchSize)..<min((step + 1) * options.batchSize, indices.count)]
            var (inputs, labels) = train.batch(ArraySlice(chosen.map { trainSamples[$0] }), normalizedBy: card)
            options.augmentation?.apply(to: &inputs, using: &augmentationRandom)
            optimizer.learningRate = learningRate(step: optimizer.iterations)
            let logits = forward(inputs)
            let (loss, gradient) = lossFunction.forwardBackward(logits, labels)
            model.zeroGradients()
            backward(gradient)
            optimizer.step(model.parameters)

            lossSum += Double(loss) * Double(labels.count)
            correct += zip(logits.argmaxRows(), labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
            seen += labels.count
            onBatch?(BatchProgress(epoch: epoch + 1, epochs: options.epochs, step: step + 1, steps: stepsPerEpoch,
                                   loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen),
                                   seconds: Date().timeIntervalSince(start)))
        }
        let loss = lossSum / Double(max(seen, 1))
        guard loss.isFinite else {
            throw TrainingError.invalidHyperparameter("The training loss became \(loss) in epoch \(epoch + 1): lower the learning rate (--lr).")
        }
        let validated = validation.map { evaluate($0, validationSamples) }
        return EpochRecord(epoch: epoch + 1, loss: loss, accuracy: Double(correct) / Double(max(seen, 1)),
                           valLoss: validated?.loss, valAccuracy: validated?.accuracy,
                           learningRate: optimizer.learningRate, seconds: Date().timeIntervalSince(start))
    }

    /// `inputs -> logits` in training mode, with frozen BatchNorm layers in inference mode.
    func forward(_ inputs: Tensor) -> Tensor {
        var activations = inputs
        for (index, layer) in model.layers.enumerated() {
            activations = layer.forward(activations, training: !(index < frozenLayers && layer is BatchNorm))
        }
        return activations
    }

    /// Back-propagates down to the first layer with trainable parameters (no further: nothing
    /// below needs a gradient); the layers below drop what their forward pass kept.
    func backward(_ gradLogits: Tensor) {
        var gradient = gradLogits
        for index in stride(from: model.layers.count - 1, through: firstTrainedLayer, by: -1) {
            gradient = model.layers[index].backward(gradient, needsInputGradient: index > firstTrainedLayer)
        }
        for layer in model.layers[..<firstTrainedLayer] { layer.releaseCaches() }
    }

    /// Mean loss (no class weights) and accuracy of the model on `samples` of `split`, in
    /// batches of the training batch size, inference mode.
    public func evaluate(_ split: ShardSplit, _ samples: [ShardSplit.Sample]) -> (loss: Double, accuracy: Double) {
        var lossSum = 0.0, correct = 0
        var start = 0
        while start < samples.count {
            let end = min(start + options.batchSize, samples.count)
            let (inputs, labels) = split.batch(samples[start..<end], normalizedBy: card)
            let logits = model.forward(batch: inputs, training: false)
            lossSum += Double(validationLossFunction.loss(logits, labels)) * Double(labels.count)
            correct += zip(logits.argmaxRows(), labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
            start = end
        }
        let count = Double(max(samples.count, 1))
        return (lossSum / count, Double(correct) / count)
    }

    /// The learning rate of optimiser step `step` (from 0).
    func learningRate(step: Int) -> Float {
        let base = state.baseLearningRate
        switch options.schedule {
        case .constant, .plateau:
            return base
        case let .step(everyEpochs, factor):
            return LearningRateSchedule.step(every: everyEpochs * stepsPerEpoch, factor: factor).learningRate(base: base, step: step)
        case let .cosine(alpha):
            return LearningRateSchedule.cosine(decaySteps: options.epochs * stepsPerEpoch, alpha: alpha)
                .learningRate(base: base, step: step)
        }
    }

    /// Records the epoch: best epoch, early stopping and plateau, then the files.
    func finishEpoch(_ record: EpochRecord) throws {
        state.history.append(record)
        state.epochsDone = record.epoch
        let monitored = record.valLoss ?? record.loss
        let best = state.bestEpoch.flatMap { epoch in state.history.first { $0.epoch == epoch } }
        let improved: Bool
        if validation == nil {
            improved = true  // without validation, the model files follow the last epoch
        } else {
            improved = best.map { monitored < ($0.valLoss ?? .infinity) } ?? true
        }
        if improved {
            state.bestEpoch = record.epoch
            state.wait = 0
        } else {
            state.wait += 1
            if let patience = options.patience, state.wait >= patience, record.epoch > 1 { state.stoppedEarly = true }
        }
        if var plateau = state.plateau {
            state.baseLearningRate = plateau.update(value: monitored, learningRate: state.baseLearningRate)
            state.plateau = plateau
        }
        try run.write(History.csv(state.history), to: History.fileName)
        try run.write(Curves.svg(state.history), to: Curves.fileName)
        if improved {
            try model.saveWeights(to: run.weightsPath, metadata: ["run": run.path, "epoch": String(record.epoch)])
            try writeModelCard()
        }
        try saveCheckpoint()
    }

    /// What the run did so far.
    public var report: TrainingReport {
        TrainingReport(run: run.path, epochs: options.epochs, history: state.history,
                       bestEpoch: state.bestEpoch, stoppedEarly: state.stoppedEarly, hasValidation: validation != nil,
                       patience: options.patience)
    }
}

/// What a finished (or stopped) run did.
public struct TrainingReport: Codable, Equatable, Sendable {
    public var run: String
    /// Epochs asked for.
    public var epochs: Int
    public var history: [EpochRecord]
    /// The epoch whose weights are in `model.safetensors`.
    public var bestEpoch: Int?
    public var stoppedEarly: Bool
    public var hasValidation: Bool
    public var patience: Int?

    public var best: EpochRecord? { bestEpoch.flatMap { epoch in history.first { $0.epoch == epoch } } }

    enum CodingKeys: String, CodingKey {
        case run, epochs, history, patience
        case bestEpoch = "best_epoch"
        case stoppedEarly = "stopped_early"
        case hasValidation = "has_validation"
    }
}

import Foundation

/// Everything that decides a training run's numbers, stored as `runs/<name>/options.json` so
/// that `--resume` continues with exactly the same ones. Defaults are the CLI's (and Keras's
/// `fit`, where it has one).
public struct TrainingOptions: Codable, Equatable, Sendable {
    /// The shards folder, as given (a resumed run must be started from the same folder).
    public var shards: String
    /// `cnn`, `mlp`, `cnn-large`, `custom` (from `--layers`) or `init` (from `--init`): for
    /// people; `layers` is what is built.
    public var model: String
    /// The layers to build; with `initFrom`, the earlier model's layers with a new output layer.
    public var layers: [LayerSpec]
    public var normalization: ModelCard.Normalization
    /// Nil: no augmentation.
    public var augmentation: Augmentation?
    public var epochs: Int
    public var batchSize: Int
    /// The optimiser and its hyperparameters; its learning rate is the schedule's base.
    public var optimizer: OptimizerConfiguration
    public var schedule: Schedule
    public var seed: UInt64
    public var classWeight: ClassWeighting?
    public var labelSmoothing: Float
    /// Early stopping: epochs without a lower val_loss before training stops (Keras's
    /// `EarlyStopping(monitor="val_loss", patience=N, restore_best_weights=True)`); nil: never.
    public var patience: Int?
    /// A run folder whose model gives every layer but the output layer (fine-tuning).
    public var initFrom: String?
    /// Keep the layers copied from `initFrom` fixed.
    public var freeze: Bool
    /// Threads (`Threads.set`); the same seed and thread count give the same run, bit for bit.
    public var threads: Int
    /// Places in the shuffle buffer (`BatchOrder`).
    public var shuffleBuffer: Int

    public init(shards: String, model: String = ModelPreset.cnn.rawValue, layers: [LayerSpec] = ModelPreset.cnn.layers,
                normalization: ModelCard.Normalization = .standardize, augmentation: Augmentation? = nil,
                epochs: Int = 10, batchSize: Int = 32,
                optimizer: OptimizerConfiguration = .adam(learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0),
                schedule: Schedule = .constant, seed: UInt64 = 1337, classWeight: ClassWeighting? = nil,
                labelSmoothing: Float = 0, patience: Int? = nil, initFrom: String? = nil, freeze: Bool = false,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                shuffleBuffer: Int = BatchOrder.defaultBufferSize) {
        self.shards = shards
        self.model = model
        self.layers = layers
        self.normalization = normalization
        self.augmentation = augmentation
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.schedule = schedule
        self.seed = seed
        self.classWeight = classWeight
        self.labelSmoothing = labelSmoothing
        self.patience = patience
        self.initFrom = initFrom
        self.freeze = freeze
        self.threads = threads
        self.shuffleBuffer = shuffleBuffer
    }

    /// How the learning rate changes over the run, in epochs (the trainer turns it into a
    /// per-step `LearningRateSchedule`, or runs `ReduceLROnPlateau` for `plateau`).
    public enum Schedule: Codable, Equatable, Sendable, CustomStringConvertible {
        /// The optimiser's learning rate throughout.
        case constant
        /// Multiplied by `factor` every `everyEpochs` epochs (PyTorch's `StepLR`).
        case step(everyEpochs: Int, factor: Double)
        /// Cosine decay over all the run's steps, down to `alpha` times the rate (Keras's
        /// `CosineDecay`, decay steps = epochs x steps per epoch).
        case cosine(alpha: Double)
        /// Multiplied by `factor` after `patience` epochs without a lower val_loss (the
        /// training loss without a validation split): Keras's `ReduceLROnPlateau`.
        case plateau(factor: Double, patience: Int)

        public var description: String {
            switch self {
            case .constant: "constant"
            case let .step(every, factor): "step (x\(factor) every \(every) epochs)"
            case let .cosine(alpha): alpha == 0 ? "cosine" : "cosine (to \(alpha)x)"
            case let .plateau(factor, patience): "plateau (x\(factor) after \(patience) epochs without improvement)"
            }
        }
    }

    /// How class weights are chosen.
    public enum ClassWeighting: String, Codable, Sendable, CaseIterable {
        /// `n_samples / (n_classes * n_c)` over the training split: scikit-learn's
        /// `compute_class_weight("balanced")`, the formula the Keras tutorials use.
        case balanced
    }

    /// The optimiser's (base) learning rate.
    public var learningRate: Float {
        switch optimizer {
        case let .adam(learningRate, _, _, _, _), let .sgd(learningRate, _, _, _): learningRate
        }
    }

    /// `adam` or `sgd`.
    public var optimizerName: String {
        switch optimizer {
        case .adam: "adam"
        case let .sgd(_, momentum, nesterov, _): nesterov ? "sgd (nesterov \(momentum))" : momentum > 0 ? "sgd (momentum \(momentum))" : "sgd"
        }
    }

    /// Checks every number before anything is read or built.
    /// - Throws: `TrainingError.invalidHyperparameter` with a sentence naming the option.
    public func validate() throws {
        guard epochs >= 1 else { throw TrainingError.invalidHyperparameter("The number of epochs must be at least 1 (got \(epochs)).") }
        guard batchSize >= 1 else { throw TrainingError.invalidHyperparameter("The batch size must be at least 1 (got \(batchSize)).") }
        guard threads >= 1 else { throw TrainingError.invalidHyperparameter("The thread count must be at least 1 (got \(threads)).") }
        guard shuffleBuffer >= 1 else {
            throw TrainingError.invalidHyperparameter("The shuffle buffer must hold at least 1 sample (got \(shuffleBuffer)).")
        }
        if let patience, patience < 0 {
            throw TrainingError.invalidHyperparameter("Early-stopping patience must be at least 0 epochs (got \(patience)).")
        }
        if freeze && initFrom == nil {
            throw TrainingError.invalidHyperparameter("Freezing keeps the layers copied by --init fixed: give --init RUN too.")
        }
        _ = try optimizer.makeOptimizer()
        _ = try SoftmaxCrossEntropy(labelSmoothing: labelSmoothing)
        try augmentation?.validate()
        switch schedule {
        case .constant: break
        case let .step(every, factor):
            try LearningRateSchedule.step(every: every, factor: factor).validate()
        case let .cosine(alpha):
            try LearningRateSchedule.cosine(decaySteps: 1, alpha: alpha).validate()
        case let .plateau(factor, patience):
            _ = try ReduceLROnPlateau(factor: factor, patience: patience)
        }
    }

    /// The JSON of `options.json`: sorted keys, pretty-printed.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Reads `options.json` of `run`.
    /// - Throws: `FileError` when it is missing or does not decode.
    public static func read(run: RunFolder) throws -> TrainingOptions {
        guard let data = FileManager.default.contents(atPath: run.optionsPath) else {
            throw FileError(path: run.path, reason: "no \(RunFolder.optionsFileName): not a run folder written by 'dsprep train'")
        }
        do {
            return try JSONDecoder().decode(TrainingOptions.self, from: data)
        } catch {
            throw FileError(path: run.optionsPath, reason: "cannot read the run's options: \(error)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case shards, model, layers, normalization, augmentation, epochs, optimizer, schedule, seed, patience, freeze, threads
        case batchSize = "batch_size"
        case classWeight = "class_weight"
        case labelSmoothing = "label_smoothing"
        case initFrom = "init"
        case shuffleBuffer = "shuffle_buffer"
    }
}

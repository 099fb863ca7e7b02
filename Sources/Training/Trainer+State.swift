import Foundation

/// The trainer's part of a checkpoint (`Checkpoint`'s `trainer` metadata, as JSON): with the
/// weights, optimiser slots and dropout stream that `Checkpoint` stores, everything a resumed
/// run needs to continue as if it had never stopped. The data order and the augmentation are
/// recomputed from the seed and the epoch number (`BatchOrder`, `Augmentation`), so they need
/// no state here.
///
///     { "epochs_done": 3, "history": [ {epoch 1}, {epoch 2}, {epoch 3} ], "best_epoch": 3,
///       "wait": 0, "base_lr": 0.001, "plateau": {...}, "stopped_early": false,
///       "shards": ["<sha256 of each train and validation shard>", ...] }
public struct TrainerState: Codable, Equatable, Sendable {
    /// Epochs finished; the next epoch to train is `epochsDone + 1`.
    public var epochsDone = 0
    public var history: [EpochRecord] = []
    /// The epoch whose weights are in `model.safetensors`.
    public var bestEpoch: Int?
    /// Epochs since val_loss last improved (early stopping).
    public var wait = 0
    /// The learning rate before the per-step schedule (lowered by the plateau schedule).
    public var baseLearningRate: Float
    public var plateau: ReduceLROnPlateau?
    public var stoppedEarly = false
    /// The SHA-256 of every shard the run reads, to refuse resuming on other data.
    public var shards: [String]

    public init(baseLearningRate: Float, shards: [String]) {
        self.baseLearningRate = baseLearningRate
        self.shards = shards
    }

    enum CodingKeys: String, CodingKey {
        case history, wait, plateau, shards
        case epochsDone = "epochs_done"
        case bestEpoch = "best_epoch"
        case baseLearningRate = "base_lr"
        case stoppedEarly = "stopped_early"
    }
}

extension Trainer {
    /// Writes `checkpoint.safetensors`: weights, optimiser, dropout stream and `state`.
    func saveCheckpoint() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(state), as: UTF8.self)
        try Checkpoint.save(model: model, optimizer: optimizer, trainerState: text, to: run.checkpointPath)
    }

    /// Writes `model.json` for the best epoch so far.
    func writeModelCard() throws {
        var card = card
        card.training = trainingSummary
        try run.write(try card.encoded(), to: ModelCard.fileName)
    }

    /// `model.json`'s `training` block: the best epoch's numbers and the options, as strings.
    var trainingSummary: [String: String] {
        var summary: [String: String] = [
            "run": run.path,
            "shards": options.shards,
            "model": options.model,
            "epochs": String(options.epochs),
            "epochs_run": String(state.epochsDone),
            "stopped_early": String(state.stoppedEarly),
            "batch_size": String(options.batchSize),
            "optimizer": options.optimizerName,
            "learning_rate": "\(options.learningRate)",
            "schedule": options.schedule.description,
            "seed": String(options.seed),
            "threads": String(options.threads),
            "normalization": options.normalization.rawValue,
            "augmentation": options.augmentation?.description ?? "none",
            "label_smoothing": "\(options.labelSmoothing)",
            "train_samples": String(trainSamples.count),
            "validation_samples": String(validationSamples.count),
        ]
        if case let .adam(_, _, _, _, decay) = options.optimizer, decay > 0 { summary["weight_decay"] = "\(decay)" }
        if case let .sgd(_, _, _, decay) = options.optimizer, decay > 0 { summary["weight_decay"] = "\(decay)" }
        if let classWeights { summary["class_weight"] = classWeights.map { "\($0)" }.joined(separator: ",") }
        if let patience = options.patience { summary["patience"] = String(patience) }
        if let initFrom = options.initFrom {
            summary["init"] = initFrom
            summary["freeze"] = String(options.freeze)
        }
        if let best = report.best {
            summary["best_epoch"] = String(best.epoch)
            summary["loss"] = "\(best.loss)"
            summary["accuracy"] = "\(best.accuracy)"
            if let valLoss = best.valLoss { summary["val_loss"] = "\(valLoss)" }
            if let valAccuracy = best.valAccuracy { summary["val_accuracy"] = "\(valAccuracy)" }
        }
        return summary
    }
}

import Foundation
import Sharding

extension Trainer {
    /// Prepares a new run in `run` (an empty folder): opens the shards, builds the model
    /// (copying layers with `initFrom`), and writes `options.json`.
    /// - Parameter tool: `dsprep <version>`, recorded in `model.json`.
    /// - Throws: `TrainingError` for bad options or a model that does not fit the data;
    ///   `ModelCardError`/`ShardError`/`FileError` for unusable shards, runs or files.
    public convenience init(options: TrainingOptions, run: RunFolder, tool: String) throws {
        try self.init(options: options, run: run, tool: tool, checkpoint: nil, state: nil)
        try run.write(try self.options.encoded(), to: RunFolder.optionsFileName)
    }

    /// Reopens the run in `run` to continue it from its last checkpoint, with the options in its
    /// `options.json` (a run killed before its first checkpoint starts again from the beginning).
    /// - Parameters:
    ///   - epochs: a new total number of epochs (to train a finished run further), or nil.
    ///   - threads: another thread count, or nil for the recorded one (the only way to get the
    ///     bits an uninterrupted run would have).
    /// - Throws: `FileError` when the folder is not a run, the run is over, or the shards changed.
    public convenience init(resuming run: RunFolder, epochs: Int? = nil, threads: Int? = nil, tool: String) throws {
        var options = try TrainingOptions.read(run: run)
        if let epochs { options.epochs = epochs }
        if let threads { options.threads = threads }
        var checkpoint: Checkpoint?
        var state: TrainerState?
        if FileManager.default.fileExists(atPath: run.checkpointPath) {
            let restored = try Checkpoint(contentsOf: run.checkpointPath)
            guard let text = restored.trainerState,
                  let decoded = try? JSONDecoder().decode(TrainerState.self, from: Data(text.utf8)) else {
                throw FileError(path: run.checkpointPath, reason: "holds no trainer state: not a checkpoint written by 'dsprep train'")
            }
            if decoded.stoppedEarly {
                throw FileError(path: run.path, reason: "stopped early after epoch \(decoded.epochsDone) (val_loss did not improve for \(Self.epochs(options.patience ?? 0))): there is nothing to resume; model.safetensors holds epoch \(decoded.bestEpoch ?? decoded.epochsDone)")
            }
            if decoded.epochsDone >= options.epochs {
                throw FileError(path: run.path, reason: "finished its \(Self.epochs(decoded.epochsDone)): there is nothing to resume (to train it further, add --epochs with a larger total)")
            }
            (checkpoint, state) = (restored, decoded)
        }
        try self.init(options: options, run: run, tool: tool, checkpoint: checkpoint, state: state)
        try run.write(try self.options.encoded(), to: RunFolder.optionsFileName)
    }

    private convenience init(options: TrainingOptions, run: RunFolder, tool: String, checkpoint: Checkpoint?,
                             state: TrainerState?) throws {
        var options = options
        try options.validate()
        Threads.set(options.threads)
        let train = try Self.openTrainingSplit(options.shards)
        let manifest = train.manifest
        let validation = manifest.splits["validation"] == nil ? nil : try ShardSplit(folder: options.shards, split: "validation")
        if options.patience != nil && validation == nil {
            throw TrainingError.invalidHyperparameter("Early stopping watches val_loss, but \(options.shards) has no validation split: make one with 'dsprep split' and shard again, or drop --patience.")
        }
        if let initFrom = options.initFrom, checkpoint == nil && state == nil {
            options.layers = try Self.fineTuningLayers(from: initFrom, inputShape: train.inputShape)
        }

        let model: Sequential, optimizer: any Optimizer
        let description = ModelDescription(layers: options.layers, inputShape: train.inputShape, classes: manifest.classes)
        if let checkpoint {
            guard checkpoint.model.modelDescription == description else {
                throw FileError(path: run.checkpointPath, reason: "holds another model than options.json describes (\(checkpoint.model.modelDescription.layers.map(\.description).joined(separator: ",")))")
            }
            (model, optimizer) = (checkpoint.model, checkpoint.optimizer)
        } else {
            do {
                model = try Sequential(description, seed: options.seed)
            } catch TrainingError.invalidModel(let sentence) {
                throw FileError(path: options.shards, reason: "the model does not fit its \(Self.shapeText(train.inputShape)) images and \(manifest.classes.count) classes: \(sentence)")
            }
            optimizer = try options.optimizer.makeOptimizer()
            if let initFrom = options.initFrom {
                try Self.copyLayers(from: initFrom, into: model)
            }
        }
        var frozenLayers = 0
        if options.freeze {
            frozenLayers = model.layers.count - 1
            for layer in model.layers[..<frozenLayers] {
                for parameter in layer.parameters { parameter.isTrainable = false }
            }
        }
        let firstTrainedLayer = model.layers.firstIndex { $0.parameters.contains(where: \.isTrainable) } ?? model.layers.count - 1

        let classWeights = options.classWeight.map { _ in Self.balancedClassWeights(manifest.splits[train.name]?.classCounts ?? []) }
        let fingerprint = ([train] + (validation.map { [$0] } ?? [])).flatMap { split in
            (manifest.splits[split.name]?.shards ?? []).map(\.sha256)
        }
        var state = state ?? TrainerState(baseLearningRate: options.learningRate, shards: fingerprint)
        if case let .plateau(factor, patience) = options.schedule, state.plateau == nil {
            state.plateau = try ReduceLROnPlateau(factor: factor, patience: patience)
        }
        guard state.shards == fingerprint else {
            throw FileError(path: options.shards, reason: "the shards changed since \(run.path) started (their SHA-256 differ from the checkpoint's): resuming would not continue the same run")
        }
        let trainSamples = train.samples.filter { $0.label >= 0 }
        guard !trainSamples.isEmpty else {
            throw FileError(path: options.shards, reason: "the '\(train.name)' split holds no labelled image")
        }
        var shardSizes = [Int](repeating: 0, count: train.readers.count)
        for sample in trainSamples { shardSizes[sample.shard] += 1 }

        self.init(options: options, run: run, model: model, optimizer: optimizer,
                  card: ModelCard(tool: tool, model: description, image: manifest.image, preprocess: manifest.preprocess,
                                  normalize: manifest.normalize, normalization: options.normalization, training: [:]),
                  train: train, validation: validation, classWeights: classWeights,
                  stepsPerEpoch: (trainSamples.count + options.batchSize - 1) / options.batchSize,
                  state: state, trainSamples: trainSamples,
                  validationSamples: validation?.samples.filter { $0.label >= 0 } ?? [],
                  order: BatchOrder(shardSizes: shardSizes, bufferSize: options.shuffleBuffer, seed: options.seed),
                  lossFunction: try SoftmaxCrossEntropy(labelSmoothing: options.labelSmoothing, classWeights: classWeights),
                  validationLossFunction: try SoftmaxCrossEntropy(labelSmoothing: options.labelSmoothing),
                  firstTrainedLayer: firstTrainedLayer, frozenLayers: frozenLayers)
    }

    /// The split to train on: `train`, or `all` when the data set was sharded without splitting.
    static func openTrainingSplit(_ folder: String) throws -> ShardSplit {
        do {
            return try ShardSplit(folder: folder, split: "train")
        } catch let error as ModelCardError where error.path == folder && error.reason.hasPrefix("no split") {
            do {
                return try ShardSplit(folder: folder, split: "all")
            } catch let other as ModelCardError where other.path == folder && other.reason.hasPrefix("no split") {
                throw ModelCardError(path: folder, reason: error.reason.replacingOccurrences(of: "no split 'train'", with: "no 'train' split to train on")
                                     + ": run 'dsprep split', then 'dsprep shard'")
            }
        }
    }

    /// `n_samples / (n_classes * n_c)` per class (scikit-learn's "balanced"); 0 for a class
    /// with no sample (it never occurs in a batch).
    public static func balancedClassWeights(_ counts: [Int]) -> [Float] {
        let total = Double(counts.reduce(0, +)), classes = Double(counts.count)
        return counts.map { $0 == 0 ? 0 : Float(total / (classes * Double($0))) }
    }

    /// The layers of an earlier run's model for this data set: every layer but the output layer,
    /// then a new output layer sized to `classes`.
    /// - Throws: `ModelCardError` when the run has no model; `FileError` when its input shape is
    ///   not the shards' or its last layer is not a dense output layer.
    public static func fineTuningLayers(from initRun: String, inputShape: [Int]) throws -> [LayerSpec] {
        let card = try ModelCard.read(run: initRun)
        guard card.model.inputShape == inputShape else {
            throw FileError(path: initRun + "/" + ModelCard.fileName,
                            reason: "the model takes \(shapeText(card.model.inputShape)) inputs but the shards hold \(shapeText(inputShape)) images: shard the data at the model's size and colour, or train without --init")
        }
        guard case .dense? = card.model.layers.last else {
            throw FileError(path: initRun + "/" + ModelCard.fileName, reason: "the model does not end with a dense output layer to replace")
        }
        return card.model.layers.dropLast() + [.dense(units: nil, activation: nil)]
    }

    /// Copies every parameter but the output layer's from `initRun/model.safetensors`.
    static func copyLayers(from initRun: String, into model: Sequential) throws {
        let outputLayer = model.layers.count - 1
        do {
            try model.loadWeights(from: initRun + "/" + ModelCard.weightsFileName, skippingLayers: [outputLayer])
        } catch TrainingError.unreadableFile(let path, let reason) {
            throw FileError(path: path, reason: "cannot copy its layers: \(reason)")
        }
    }

    /// "1 epoch", "3 epochs".
    static func epochs(_ count: Int) -> String { count == 1 ? "1 epoch" : "\(count) epochs" }

    /// `28x28x1`.
    static func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }
}

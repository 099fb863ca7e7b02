import Foundation
import Randomness
import Sharding
import Testing
@testable import Training

/// A shards folder of 6x6 gray images in three classes, written with `ShardSetWriter` in
/// shards of at most 25 rows: `horizontal` (a bright row), `vertical` (a bright column) and
/// `blank` (noise only). Learnable in a few epochs by a tiny model.
struct BarShards {
    static let image = ImageLayout(height: 6, width: 6, channels: 1, dtype: .uint8)
    static let classes = ["horizontal", "vertical", "blank"]

    let folder: String

    /// - Parameters:
    ///   - counts: samples per split, e.g. `["train": 120, "validation": 30]`.
    ///   - classes: the class names (the pictures cycle through the three kinds).
    ///   - labelShift: added to the validation labels (modulo the classes), to make a
    ///     validation split the model gets worse at as it learns.
    init(counts: [String: Int] = ["train": 120, "validation": 30], classes: [String] = BarShards.classes,
         classWeights: [Int]? = nil, labelShift: Int = 0, seed: UInt64 = 7) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-trainer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var random = RandomGenerator(seed: seed, stream: 5)
        var splits: [String: Manifest.SplitEntry] = [:]
        var statistics = ChannelStatistics(channels: 1)
        for (split, count) in counts.sorted(by: { $0.key < $1.key }) {
            let writer = try ShardSetWriter(folder: folder, naming: ShardNaming(split: split), image: Self.image, classes: classes,
                                            options: .init(maxCount: 25, durable: false))
            for row in 0..<count {
                let kind = classWeights.map { Self.kind(row, weights: $0) } ?? row % 3
                let pixels = Self.picture(kind: kind, random: &random)
                var label = kind % classes.count
                if split == "validation" { label = (label + labelShift) % classes.count }
                if split == "train" { statistics.add(pixels) }
                try pixels.withUnsafeBytes { try writer.append(row: $0, label: Int64(label), source: "\(split)/\(row).png") }
            }
            let shards = try writer.finish().enumerated().map { Manifest.ShardEntry($0.element, sha256: "\(split)-\($0.offset)") }
            splits[split] = Manifest.SplitEntry(shards: shards, classCount: classes.count)
        }
        let manifest = Manifest(tool: "test", classes: classes, image: .init(Self.image),
                                preprocess: .init(color: "gray", resize: "stretch", filter: "pillow-bilinear", exif: true),
                                normalize: Manifest.Normalize(statistics: statistics), seed: 1, splits: splits)
        try manifest.write(to: folder)
    }

    /// Row `row`'s kind when the kinds come in the proportions `weights` (e.g. [1, 3, 6]).
    static func kind(_ row: Int, weights: [Int]) -> Int {
        var position = row % weights.reduce(0, +)
        for (kind, weight) in weights.enumerated() {
            if position < weight { return kind }
            position -= weight
        }
        return 0
    }

    static func picture(kind: Int, random: inout RandomGenerator) -> [UInt8] {
        var pixels = (0..<36).map { _ in UInt8(random.below(60)) }
        let line = random.below(6)
        for k in 0..<6 {
            switch kind % 3 {
            case 0: pixels[line * 6 + k] += 150
            case 1: pixels[k * 6 + line] += 150
            default: break
            }
        }
        return pixels
    }

    /// A fresh run folder beside the shards.
    func runFolder(_ name: String = "run") throws -> RunFolder {
        try RunFolder.create(folder + "/runs/" + name)
    }

    /// Options for a small, fast model on these shards.
    func options(_ spec: String = "conv4k3,pool2,drop.25,flatten,dense16,dense", epochs: Int = 3) throws -> TrainingOptions {
        TrainingOptions(shards: folder, model: "custom", layers: try LayerSpec.parseList(spec), epochs: epochs, batchSize: 16)
    }
}

/// What `body` throws, as the line a user would see, or "no error".
func errorText(_ body: () throws -> Any) -> String {
    do {
        _ = try body()
        return "no error"
    } catch {
        return "\(error)"
    }
}

/// The values of every parameter of `model`.
func weights(_ model: Sequential) -> [Tensor] { model.parameters.map(\.value) }

@Suite("Trainer")
struct TrainerTests {
    @Test("a small CNN learns the bars to over 90% validation accuracy in 6 epochs")
    func learns() throws {
        let shards = try BarShards(counts: ["train": 300, "validation": 60])
        let trainer = try Trainer(options: try shards.options(epochs: 6), run: try shards.runFolder(), tool: "test")
        var batches = 0
        trainer.onBatch = { progress in
            batches += 1
            #expect(progress.steps == 19 && progress.epochs == 6)
        }
        var epochs: [Int] = []
        trainer.onEpoch = { epochs.append($0.epoch) }
        let report = try trainer.fit()
        #expect(batches == 6 * 19)
        #expect(epochs == [1, 2, 3, 4, 5, 6])
        let last = try #require(report.history.last)
        #expect(try #require(last.valAccuracy) > 0.9, "history: \(report.history)")
        #expect(last.loss < report.history[0].loss)
        #expect(trainer.trainSampleCount == 300 && trainer.validationSampleCount == 60)
    }

    @Test("the same seed gives the same run, another seed another")
    func deterministic() throws {
        let shards = try BarShards()
        var options = try shards.options(epochs: 2)
        options.augmentation = .standard
        let first = try Trainer(options: options, run: try shards.runFolder("a"), tool: "test")
        let second = try Trainer(options: options, run: try shards.runFolder("b"), tool: "test")
        options.seed = 1338
        let other = try Trainer(options: options, run: try shards.runFolder("c"), tool: "test")
        let (a, b, c) = (try first.fit(), try second.fit(), try other.fit())
        #expect(a.history.map(\.loss) == b.history.map(\.loss))
        #expect(a.history.map(\.valLoss) == b.history.map(\.valLoss))
        #expect(weights(first.model) == weights(second.model))
        #expect(a.history.map(\.loss) != c.history.map(\.loss))
        #expect(weights(first.model) != weights(other.model))
    }

    @Test("balanced class weights are n_samples / (n_classes * n_c), from the training split's counts")
    func balancedClassWeights() throws {
        let weights = Trainer.balancedClassWeights([10, 30, 60])
        expectClose(weights, [100 / 30, 100 / 90, 100 / 180], absolute: 0, relative: 1e-6, "weights")
        #expect(Trainer.balancedClassWeights([5, 5]) == [1, 1])
        #expect(Trainer.balancedClassWeights([4, 0, 4]) == [Float(8.0 / 12), 0, Float(8.0 / 12)])  // n_classes counts the empty class

        let shards = try BarShards(counts: ["train": 100, "validation": 20], classWeights: [1, 3, 6])
        var options = try shards.options(epochs: 1)
        options.classWeight = .balanced
        let trainer = try Trainer(options: options, run: try shards.runFolder(), tool: "test")
        expectClose(try #require(trainer.classWeights), [100 / 30, 100 / 90, 100 / 180], absolute: 0, relative: 1e-6, "trainer")
        #expect(trainer.lossFunction.classWeights == trainer.classWeights)
        #expect(trainer.validationLossFunction.classWeights == nil)
    }

    @Test("early stopping stops after `patience` epochs without a lower val_loss and restores the best weights")
    func earlyStopping() throws {
        // Validation labels shifted by one class: the better the model learns, the worse val_loss.
        let shards = try BarShards(counts: ["train": 120, "validation": 30], labelShift: 1)
        var options = try shards.options(epochs: 10)
        options.patience = 2
        let trainer = try Trainer(options: options, run: try shards.runFolder(), tool: "test")
        var afterEpoch: [Int: [Tensor]] = [:]
        trainer.onEpoch = { afterEpoch[$0.epoch] = weights(trainer.model) }
        let report = try trainer.fit()
        let valLosses = report.history.compactMap(\.valLoss)
        let best = try #require(report.bestEpoch)
        #expect(report.stoppedEarly)
        #expect(report.history.count == best + 2, "val_loss: \(valLosses)")
        #expect(valLosses[best - 1] == valLosses.min())
        #expect(weights(trainer.model) == afterEpoch[best])
        let saved = try Sequential.load(trainer.model.modelDescription, weightsFrom: trainer.run.weightsPath)
        #expect(weights(saved) == afterEpoch[best])
        let card = try ModelCard.read(run: trainer.run.path)
        #expect(card.training["best_epoch"] == String(best))
        #expect(card.training["stopped_early"] == "true")
        #expect(card.training["epochs_run"] == String(best + 2))
    }

    @Test("patience 0 stops at the first epoch that does not improve")
    func patienceZero() throws {
        let shards = try BarShards(counts: ["train": 60, "validation": 30], labelShift: 1)
        var options = try shards.options(epochs: 10)
        options.patience = 0
        let report = try Trainer(options: options, run: try shards.runFolder(), tool: "test").fit()
        #expect(report.stoppedEarly)
        #expect(report.history.count == (report.bestEpoch ?? 0) + 1)
    }

    @Test("without a validation split the model follows the last epoch, and --patience is refused with a sentence")
    func noValidation() throws {
        let shards = try BarShards(counts: ["train": 60, "test": 20])
        let trainer = try Trainer(options: try shards.options(epochs: 2), run: try shards.runFolder("a"), tool: "test")
        #expect(trainer.validation == nil)
        let report = try trainer.fit()
        #expect(report.bestEpoch == 2 && !report.hasValidation)
        #expect(report.history.allSatisfy { $0.valLoss == nil && $0.valAccuracy == nil })
        let saved = try Sequential.load(trainer.model.modelDescription, weightsFrom: trainer.run.weightsPath)
        #expect(weights(saved) == weights(trainer.model))

        var options = try shards.options()
        options.patience = 3
        #expect(throws: TrainingError.invalidHyperparameter("Early stopping watches val_loss, but \(shards.folder) has no validation split: make one with 'dsprep split' and shard again, or drop --patience.")) {
            try Trainer(options: options, run: try shards.runFolder("b"), tool: "test")
        }
    }

    @Test("a data set sharded without splitting trains on 'all'; one without 'train' or 'all' is refused")
    func trainingSplitNames() throws {
        let all = try BarShards(counts: ["all": 40])
        #expect(try Trainer(options: try all.options(epochs: 1), run: try all.runFolder(), tool: "test").train.name == "all")
        let testOnly = try BarShards(counts: ["test": 40])
        #expect(errorText { try Trainer(options: try testOnly.options(), run: try testOnly.runFolder(), tool: "test") }
            == "\(testOnly.folder): no 'train' split to train on (the manifest has: test): run 'dsprep split', then 'dsprep shard'")
    }

    @Test("schedules set the learning rate per step: step, cosine and plateau")
    func schedules() throws {
        let shards = try BarShards(counts: ["train": 64, "validation": 16])
        var options = try shards.options("flatten,dense", epochs: 4)   // 4 steps per epoch
        options.schedule = .step(everyEpochs: 2, factor: 0.5)
        let step = try Trainer(options: options, run: try shards.runFolder("step"), tool: "test")
        #expect(step.stepsPerEpoch == 4)
        #expect(try step.fit().history.map(\.learningRate) == [0.001, 0.001, 0.0005, 0.0005])

        options.schedule = .cosine(alpha: 0)
        let cosine = try Trainer(options: options, run: try shards.runFolder("cosine"), tool: "test")
        let rates = try cosine.fit().history.map(\.learningRate)
        // The last step of epoch e is step 4e - 1 of 16.
        let expected = (1...4).map { LearningRateSchedule.cosine(decaySteps: 16, alpha: 0).learningRate(base: 0.001, step: 4 * $0 - 1) }
        #expect(rates == expected)

        options.schedule = .plateau(factor: 0.1, patience: 0)
        let plateau = try Trainer(options: options, run: try shards.runFolder("plateau"), tool: "test")
        let history = try plateau.fit().history
        // The rate drops after each epoch whose val_loss is not lower than the best.
        var rate: Float = 0.001, best = Double.infinity
        for record in history {
            #expect(record.learningRate == rate)
            if record.valLoss! + 1e-4 < best { best = record.valLoss! } else { rate *= 0.1 }
        }
    }

    @Test("options are checked up front, each with a sentence")
    func badOptions() throws {
        let shards = try BarShards(counts: ["train": 20, "validation": 10])
        func failure(_ change: (inout TrainingOptions) -> Void) throws -> String {
            var options = try shards.options()
            change(&options)
            do {
                _ = try Trainer(options: options, run: try shards.runFolder(UUID().uuidString), tool: "test")
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(try failure { $0.epochs = 0 } == "The number of epochs must be at least 1 (got 0).")
        #expect(try failure { $0.batchSize = 0 } == "The batch size must be at least 1 (got 0).")
        #expect(try failure { $0.labelSmoothing = 1 } == "Label smoothing must be at least 0 and below 1 (got 1.0).")
        #expect(try failure { $0.freeze = true } == "Freezing keeps the layers copied by --init fixed: give --init RUN too.")
        #expect(try failure { $0.schedule = .plateau(factor: 2, patience: 1) } == "The plateau factor must be above 0 and below 1 (got 2.0).")
        #expect(try failure { $0.layers = try! LayerSpec.parseList("conv4k9,flatten,dense") }
            == "\(shards.folder): the model does not fit its 6x6x1 images and 3 classes: `conv4k9` (layer 1) does not fit its 6x6x1 input with valid padding: use a larger input, `same` padding or fewer pooling layers.")
        #expect(try failure { $0.shards = shards.folder + "/nowhere" }
            == "\(shards.folder)/nowhere/manifest.json: no manifest (run 'dsprep shard' first, or name the shards folder)")
    }
}

import Foundation
import Sharding
import Testing
@testable import Training

@Suite("Trainer: fine-tuning with --init and --freeze")
struct TrainerFineTuningTests {
    static let spec = "conv4k3linear,bn,relu,pool2,flatten,dense8,dense"

    /// A model trained on the three bar classes, to start from.
    static func base() throws -> Trainer {
        let shards = try BarShards(counts: ["train": 60, "validation": 15])
        let trainer = try Trainer(options: try shards.options(spec, epochs: 1), run: try shards.runFolder("base"), tool: "test")
        try trainer.fit()
        return trainer
    }

    /// Options for a two-class data set of the same images, starting from `base`.
    static func fineTuning(_ base: Trainer, freeze: Bool) throws -> (BarShards, TrainingOptions) {
        let shards = try BarShards(counts: ["train": 40, "validation": 10], classes: ["bar", "blank"], seed: 9)
        var options = TrainingOptions(shards: shards.folder, model: "init", layers: [], epochs: 2, batchSize: 16)
        options.initFrom = base.run.path
        options.freeze = freeze
        return (shards, options)
    }

    @Test("--init copies every layer but the output layer and adds one for the new classes; --freeze keeps them fixed")
    func freeze() throws {
        let base = try Self.base()
        let (shards, options) = try Self.fineTuning(base, freeze: true)
        let trainer = try Trainer(options: options, run: try shards.runFolder(), tool: "test")
        #expect(trainer.options.layers == (try LayerSpec.parseList(Self.spec)))
        #expect(trainer.model.modelDescription.classes == ["bar", "blank"])
        let output = trainer.model.layers.count - 1
        let copied = trainer.model.parameters.filter { !$0.name.hasPrefix("layers.\(output).") }
        let baseValues = Dictionary(uniqueKeysWithValues: base.model.parameters.map { ($0.name, $0.value) })
        #expect(copied.allSatisfy { $0.value == baseValues[$0.name] })
        #expect(try #require(trainer.model.parameter(named: "layers.\(output).weight")).value.shape == [2, 8])
        #expect(copied.allSatisfy { !$0.isTrainable })
        let summary = trainer.model.summary()
        #expect(summary.trainableParameters == 8 * 2 + 2)

        let before = copied.map(\.value)
        let outputBefore = try #require(trainer.model.parameter(named: "layers.\(output).weight")).value
        try trainer.fit()
        // Frozen: weights and BatchNorm's running statistics (the layer runs in inference mode).
        #expect(copied.map(\.value) == before)
        #expect(try #require(trainer.model.parameter(named: "layers.\(output).weight")).value != outputBefore)
        #expect(try ModelCard.read(run: trainer.run.path).training["init"] == base.run.path)
    }

    @Test("without --freeze the copied layers train too")
    func noFreeze() throws {
        let base = try Self.base()
        let (shards, options) = try Self.fineTuning(base, freeze: false)
        let trainer = try Trainer(options: options, run: try shards.runFolder(), tool: "test")
        let firstBefore = try #require(trainer.model.parameter(named: "layers.0.weight")).value
        #expect(firstBefore == base.model.parameter(named: "layers.0.weight")?.value)
        try trainer.fit()
        #expect(trainer.model.parameter(named: "layers.0.weight")?.value != firstBefore)
    }

    @Test("a resumed fine-tuning run keeps its layers frozen and equals an uninterrupted one")
    func resumeFrozen() throws {
        let base = try Self.base()
        var (shards, options) = try Self.fineTuning(base, freeze: true)
        options.epochs = 3
        let whole = try Trainer(options: options, run: try shards.runFolder("whole"), tool: "test")
        let expected = try whole.fit()
        options.epochs = 1
        let first = try Trainer(options: options, run: try shards.runFolder("parts"), tool: "test")
        try first.fit()
        let resumed = try Trainer(resuming: first.run, epochs: 3, tool: "test")
        #expect(resumed.model.parameters.filter { !$0.isTrainable }.count == whole.model.parameters.filter { !$0.isTrainable }.count)
        #expect(try resumed.fit().history.map(\.loss) == expected.history.map(\.loss))
        #expect(weights(resumed.model) == weights(whole.model))
    }

    @Test("a model for other images is refused with a sentence")
    func shapeMismatch() throws {
        let base = try Self.base()
        let other = try BarShards(counts: ["train": 10])
        // The same shards described as 36x1 images: the model takes 6x6x1.
        let manifestPath = other.folder + "/manifest.json"
        var manifest = try Manifest.decode(try Data(contentsOf: URL(fileURLWithPath: manifestPath)))
        manifest.image.height = 36
        manifest.image.width = 1
        try manifest.write(to: other.folder)
        var options = TrainingOptions(shards: other.folder, model: "init", layers: [], epochs: 1)
        options.initFrom = base.run.path
        #expect(throws: FileError(path: base.run.path + "/model.json", reason: "the model takes 6x6x1 inputs but the shards hold 36x1x1 images: shard the data at the model's size and colour, or train without --init")) {
            try Trainer(options: options, run: try other.runFolder(), tool: "test")
        }
        options.initFrom = other.folder + "/nothing"
        #expect(errorText { try Trainer(options: options, run: try other.runFolder("b"), tool: "test") }
            == "\(other.folder)/nothing/model.json: no model.json (is this a run folder written by 'dsprep train'?)")
    }
}

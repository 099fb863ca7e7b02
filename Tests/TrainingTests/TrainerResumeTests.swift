import Foundation
import Testing
@testable import Training

@Suite("Trainer: checkpoints and --resume")
struct TrainerResumeTests {
    /// Options that put state everywhere: dropout, BatchNorm statistics, augmentation, SGD
    /// momentum, a plateau schedule, class weights and label smoothing.
    static func options(_ shards: BarShards, epochs: Int) throws -> TrainingOptions {
        var options = try shards.options("conv4k3linear,bn,relu,pool2,drop.25,flatten,dense16,drop.2,dense", epochs: epochs)
        options.augmentation = Augmentation(flip: true, rotation: 0.05, translation: 0.1, zoom: 0.1)
        options.optimizer = .sgd(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4)
        options.schedule = .plateau(factor: 0.5, patience: 0)
        options.classWeight = .balanced
        options.labelSmoothing = 0.1
        options.patience = 5
        options.shuffleBuffer = 20
        return options
    }

    static func slots(_ model: Sequential) -> [[String: Tensor]] { model.parameters.map(\.slots) }

    @Test("stopped after 2 epochs and resumed == never stopped: same history, weights and optimiser state")
    func resumeEqualsUninterrupted() throws {
        let shards = try BarShards(counts: ["train": 90, "validation": 30], classWeights: [1, 2, 3])
        let whole = try Trainer(options: try Self.options(shards, epochs: 5), run: try shards.runFolder("whole"), tool: "test")
        let expected = try whole.fit()

        // The first part: the same options, stopped after epoch 2 (as a killed run leaves it).
        let first = try Trainer(options: try Self.options(shards, epochs: 2), run: try shards.runFolder("parts"), tool: "test")
        try first.fit()
        let resumed = try Trainer(resuming: first.run, epochs: 5, tool: "test")
        #expect(resumed.state.epochsDone == 2)
        #expect(resumed.options == whole.options)
        let report = try resumed.fit()

        #expect(report.history.map(\.loss) == expected.history.map(\.loss))
        #expect(report.history.map(\.accuracy) == expected.history.map(\.accuracy))
        #expect(report.history.map(\.valLoss) == expected.history.map(\.valLoss))
        #expect(report.history.map(\.learningRate) == expected.history.map(\.learningRate))
        #expect(report.bestEpoch == expected.bestEpoch)
        #expect(weights(resumed.model) == weights(whole.model))
        #expect(Self.slots(resumed.model) == Self.slots(whole.model))
        #expect(resumed.optimizer.iterations == whole.optimizer.iterations)
        #expect(resumed.model.dropoutRandom.generator == whole.model.dropoutRandom.generator)
        let history = { (trainer: Trainer) in
            try String(contentsOfFile: trainer.run.historyPath, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").dropLast() }
        }
        #expect(try history(resumed) == history(whole))
    }

    @Test("a run killed before its first checkpoint starts again from the beginning")
    func resumeWithoutCheckpoint() throws {
        let shards = try BarShards(counts: ["train": 40, "validation": 10])
        let options = try shards.options("flatten,dense8,drop.5,dense", epochs: 2)
        let expected = try Trainer(options: options, run: try shards.runFolder("whole"), tool: "test").fit()
        let started = try Trainer(options: options, run: try shards.runFolder("killed"), tool: "test")  // writes options.json only
        let report = try Trainer(resuming: started.run, tool: "test").fit()
        #expect(report.history.map(\.loss) == expected.history.map(\.loss))
    }

    @Test("resuming a finished run, a stopped run, another folder or changed shards fails with a sentence")
    func resumeRefusals() throws {
        let shards = try BarShards(counts: ["train": 40, "validation": 10])
        let trainer = try Trainer(options: try shards.options("flatten,dense", epochs: 1), run: try shards.runFolder("done"), tool: "test")
        try trainer.fit()
        #expect(throws: FileError(path: trainer.run.path, reason: "finished its 1 epoch: there is nothing to resume (to train it further, add --epochs with a larger total)")) {
            try Trainer(resuming: trainer.run, tool: "test")
        }
        // Training further is allowed.
        let further = try Trainer(resuming: trainer.run, epochs: 2, tool: "test")
        #expect(try further.fit().history.count == 2)

        let empty = try shards.runFolder("empty")
        #expect(throws: FileError(path: empty.path, reason: "no options.json: not a run folder written by 'dsprep train'")) {
            try Trainer(resuming: empty, tool: "test")
        }

        // Shards rewritten since: their checksums in the manifest differ.
        let moved = try BarShards(counts: ["train": 40, "validation": 10])
        var options = try TrainingOptions.read(run: trainer.run)
        options.shards = moved.folder
        options.epochs = 3
        try trainer.run.write(try options.encoded(), to: RunFolder.optionsFileName)
        let manifestPath = moved.folder + "/manifest.json"
        let text = try String(contentsOfFile: manifestPath, encoding: .utf8).replacingOccurrences(of: "\"train-0\"", with: "\"changed-0\"")
        try text.write(toFile: manifestPath, atomically: true, encoding: .utf8)
        #expect(throws: FileError(path: moved.folder, reason: "the shards changed since \(trainer.run.path) started (their SHA-256 differ from the checkpoint's): resuming would not continue the same run")) {
            try Trainer(resuming: trainer.run, tool: "test")
        }
    }

    @Test("early-stopped runs are over")
    func stoppedRunIsOver() throws {
        let shards = try BarShards(counts: ["train": 60, "validation": 30], labelShift: 1)
        var options = try shards.options(epochs: 10)
        options.patience = 1
        let trainer = try Trainer(options: options, run: try shards.runFolder(), tool: "test")
        let report = try trainer.fit()
        #expect(report.stoppedEarly)
        #expect(throws: FileError(path: trainer.run.path, reason: "stopped early after epoch \(report.history.count) (val_loss did not improve for 1 epoch): there is nothing to resume; model.safetensors holds epoch \(report.bestEpoch!)")) {
            try Trainer(resuming: trainer.run, epochs: 20, tool: "test")
        }
    }
}

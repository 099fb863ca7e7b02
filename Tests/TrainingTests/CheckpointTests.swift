import Foundation
import Sharding
import Testing
@testable import Training

@Suite("Model files and checkpoints")
struct CheckpointTests {
    /// A fresh, empty folder for one test.
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "dsprep-training-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let spec = "conv4k3samelinear,bn,relu,pool2,drop.25,flatten,dense8,dense"

    @Test("model.safetensors holds every parameter as F32 in PyTorch's layouts, and loads back")
    func weightsRoundTrip() throws {
        let folder = try Self.folder()
        let model = try Sequential(spec: Self.spec, inputShape: [6, 6, 2], classes: ["a", "b", "c"], seed: 1)
        let path = folder + "/model.safetensors"
        try model.saveWeights(to: path, metadata: ["run": "test"])
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))

        let file = try SafetensorsReader(path: path)
        #expect(file.header.tensors.map(\.name) == model.parameters.map(\.name))
        #expect(file.header.tensors.allSatisfy { $0.dtype == .float32 })
        #expect(file.tensor(named: "layers.0.weight")?.shape == [4, 2, 3, 3])
        #expect(file.tensor(named: "layers.6.weight")?.shape == [8, 36])
        #expect(file.tensor(named: "layers.1.running_var")?.shape == [4])
        #expect(file.metadata["format"] == "dsprep-model-1" && file.metadata["run"] == "test")
        let described = try JSONDecoder().decode(ModelDescription.self, from: Data((file.metadata["model"] ?? "").utf8))
        #expect(described == model.modelDescription)

        let loaded = try Sequential.load(model.modelDescription, weightsFrom: path)
        #expect(loaded.parameters.map(\.value) == model.parameters.map(\.value))
        let batch = randomTensor([2, 6, 6, 2], seed: 2)
        #expect(loaded.forward(batch: batch, training: false) == model.forward(batch: batch, training: false))
    }

    @Test("loading refuses files made for another model, naming the tensor")
    func weightsMismatch() throws {
        let folder = try Self.folder()
        let path = folder + "/model.safetensors"
        try Sequential(spec: "flatten,dense8,dense", inputShape: [2, 2, 1], classes: ["a", "b"], seed: 1).saveWeights(to: path)

        let wider = try Sequential(spec: "flatten,dense9,dense", inputShape: [2, 2, 1], classes: ["a", "b"], seed: 1)
        let before = wider.parameters.map(\.value)
        #expect(throws: TrainingError.unreadableFile(path: path, reason: "tensor 'layers.1.weight' has shape [8, 4], the model needs [9, 4]")) {
            try wider.loadWeights(from: path)
        }
        #expect(wider.parameters.map(\.value) == before)

        let deeper = try Sequential(spec: "flatten,dense8,dense8,dense", inputShape: [2, 2, 1], classes: ["a", "b"], seed: 1)
        #expect(throws: TrainingError.unreadableFile(path: path, reason: "tensor 'layers.2.weight' has shape [2, 8], the model needs [8, 8]")) {
            try deeper.loadWeights(from: path)
        }
        let shallower = try Sequential(spec: "flatten,dense", inputShape: [2, 2, 1], classes: ["a", "b"], seed: 1)
        #expect(throws: TrainingError.unreadableFile(path: path, reason: "tensor 'layers.2.weight' is not a parameter of this model")) {
            try shallower.loadWeights(from: path)
        }
        let threeClasses = try Sequential(spec: "flatten,dense8,dense", inputShape: [2, 2, 1], classes: ["a", "b", "c"], seed: 1)
        try threeClasses.loadWeights(from: path, skippingLayers: [2])
        #expect(threeClasses.parameter(named: "layers.1.weight")?.value.shape == [8, 4])

        #expect(throws: TrainingError.self) { try wider.loadWeights(from: folder + "/missing.safetensors") }
        try Data("not a tensor file".utf8).write(to: URL(fileURLWithPath: folder + "/junk.safetensors"))
        #expect(throws: TrainingError.self) { try wider.loadWeights(from: folder + "/junk.safetensors") }
    }

    /// Trains `steps` steps of a model with dropout and BatchNorm on fixed batches.
    static func train(_ model: Sequential, _ optimizer: any Optimizer, steps: Range<Int>, schedule: LearningRateSchedule) -> [Float] {
        let loss = try! SoftmaxCrossEntropy(labelSmoothing: 0.1)
        return steps.map { step in
            let batch = randomTensor([4, 6, 6, 2], seed: UInt64(100 + step))
            let labels = (0..<4).map { ($0 + step) % 3 }
            optimizer.learningRate = schedule.learningRate(base: 0.01, step: optimizer.iterations)
            let (value, gradient) = loss.forwardBackward(model.forward(batch: batch, training: true), labels)
            model.zeroGradients()
            model.backward(gradient)
            optimizer.step(model.parameters)
            return value
        }
    }

    @Test("stopping, saving a checkpoint, restoring and continuing gives the same bits as not stopping",
          arguments: ["adam", "sgd"])
    func resume(_ kind: String) throws {
        let folder = try Self.folder()
        let classes = ["a", "b", "c"]
        let schedule = LearningRateSchedule.cosine(decaySteps: 12, alpha: 0.1)
        func makeOptimizer() throws -> any Optimizer {
            kind == "adam" ? try Adam(learningRate: 0.01, weightDecay: 1e-3)
                           : try SGD(learningRate: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-3)
        }

        let straight = try Sequential(spec: Self.spec, inputShape: [6, 6, 2], classes: classes, seed: 9)
        let straightOptimizer = try makeOptimizer()
        let straightLosses = Self.train(straight, straightOptimizer, steps: 0..<12, schedule: schedule)

        let first = try Sequential(spec: Self.spec, inputShape: [6, 6, 2], classes: classes, seed: 9)
        let firstOptimizer = try makeOptimizer()
        var losses = Self.train(first, firstOptimizer, steps: 0..<5, schedule: schedule)
        let path = folder + "/checkpoint.safetensors"
        try Checkpoint.save(model: first, optimizer: firstOptimizer, trainerState: #"{"epoch":5}"#, to: path)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))

        let restored = try Checkpoint(contentsOf: path)
        #expect(restored.trainerState == #"{"epoch":5}"#)
        #expect(restored.optimizer.iterations == 5)
        #expect(restored.optimizer.configuration == firstOptimizer.configuration)
        losses += Self.train(restored.model, restored.optimizer, steps: 5..<12, schedule: schedule)

        #expect(losses == straightLosses)
        #expect(restored.model.parameters.map(\.value) == straight.parameters.map(\.value))
        for (a, b) in zip(restored.model.parameters, straight.parameters) {
            #expect(a.slots == b.slots, "\(a.name) optimiser slots")
        }
        #expect(restored.model.dropoutRandom.generator == straight.dropoutRandom.generator)
    }

    @Test("a checkpoint before the first step restores an optimiser with no state")
    func freshCheckpoint() throws {
        let folder = try Self.folder()
        let model = try Sequential(spec: "flatten,dense", inputShape: [2, 2, 1], classes: ["a", "b"], seed: 1)
        try Checkpoint.save(model: model, optimizer: try Adam(), to: folder + "/c.safetensors")
        let restored = try Checkpoint(contentsOf: folder + "/c.safetensors")
        #expect(restored.optimizer.iterations == 0 && restored.trainerState == nil)
        #expect(restored.model.parameters.allSatisfy { $0.slots.isEmpty })
    }

    @Test("a model file is not a checkpoint")
    func notACheckpoint() throws {
        let folder = try Self.folder()
        let path = folder + "/model.safetensors"
        try Sequential(spec: "flatten,dense", inputShape: [2, 2, 1], classes: ["a", "b"], seed: 1).saveWeights(to: path)
        #expect(throws: TrainingError.unreadableFile(path: path, reason: "format 'dsprep-model-1' is not dsprep-checkpoint-1: not a dsprep checkpoint")) {
            try Checkpoint(contentsOf: path)
        }
    }
}

import Foundation
import Randomness

/// Everything needed to continue a training run exactly where it stopped: the weights, the
/// optimiser's state, the dropout stream, and the trainer's own state as an opaque string.
///
/// A checkpoint is one safetensors file (`TensorFile`, written atomically): every parameter as
/// in `model.safetensors`, then each optimiser slot as `optimizer.<parameter>.<slot>` (Adam's
/// `m` and `v`, SGD's `momentum`; parameters with no slot yet have none). `__metadata__` holds
/// `format` (`dsprep-checkpoint-1`), `model` (the `ModelDescription`), `optimizer` (its
/// `OptimizerConfiguration`, with the current learning rate), `iterations`, `dropout_random`
/// (the stream's four state words) and `trainer` (the caller's string: epoch, data-order
/// stream, schedule state, history). Restoring and continuing gives the same bits as never
/// stopping, for the same thread count.
public struct Checkpoint {
    public static let format = "dsprep-checkpoint-1"

    public let model: Sequential
    public let optimizer: any Optimizer
    /// The string given to `save`, or nil.
    public let trainerState: String?

    /// Writes a checkpoint of `model` and `optimizer` to `path`.
    /// - Throws: `TrainingError.unwritableFile`.
    public static func save(model: Sequential, optimizer: any Optimizer, trainerState: String? = nil, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var tensors = model.parameters.map { (name: $0.name, tensor: $0.value) }
        for parameter in model.parameters {
            for slot in optimizer.slotNames {
                if let value = parameter.slots[slot] { tensors.append(("optimizer.\(parameter.name).\(slot)", value)) }
            }
        }
        var metadata = [
            "format": format,
            "model": try model.descriptionJSON(),
            "optimizer": String(decoding: try encoder.encode(optimizer.configuration), as: UTF8.self),
            "iterations": String(optimizer.iterations),
            "dropout_random": String(decoding: try encoder.encode(model.dropoutRandom.generator), as: UTF8.self),
        ]
        if let trainerState { metadata["trainer"] = trainerState }
        try TensorFile.write(tensors, metadata: metadata, to: path)
    }

    /// Reads the checkpoint at `path`: the model rebuilt from its description with its weights,
    /// the optimiser with its hyperparameters, step count and slots, and the dropout stream.
    /// - Throws: `TrainingError.unreadableFile` when the file is not a dsprep checkpoint or a
    ///   part is missing or damaged.
    public init(contentsOf path: String) throws {
        let file = try TensorFile.Reader(path: path)
        func damaged(_ what: String) -> TrainingError {
            .unreadableFile(path: path, reason: "its \(what) in __metadata__ cannot be read")
        }
        let format = try file.metadata("format")
        guard format == Self.format else {
            throw TrainingError.unreadableFile(path: path, reason: "format '\(format)' is not \(Self.format): not a dsprep checkpoint")
        }
        let decoder = JSONDecoder()
        guard let description = try? decoder.decode(ModelDescription.self, from: Data(try file.metadata("model").utf8)) else {
            throw damaged("model description")
        }
        guard let configuration = try? decoder.decode(OptimizerConfiguration.self, from: Data(try file.metadata("optimizer").utf8)) else {
            throw damaged("optimizer")
        }
        guard let iterations = Int(try file.metadata("iterations")), iterations >= 0 else { throw damaged("iterations") }
        guard let random = try? decoder.decode(RandomGenerator.self, from: Data(try file.metadata("dropout_random").utf8)) else {
            throw damaged("dropout_random")
        }
        let model = try Sequential(description, seed: 0)
        try model.loadWeights(from: file)
        let optimizer = try configuration.makeOptimizer()
        optimizer.iterations = iterations
        for parameter in model.parameters {
            for slot in optimizer.slotNames where file.names.contains("optimizer.\(parameter.name).\(slot)") {
                parameter.slots[slot] = try file.tensor("optimizer.\(parameter.name).\(slot)", shape: parameter.value.shape)
            }
        }
        model.dropoutRandom.generator = random
        self.model = model
        self.optimizer = optimizer
        self.trainerState = file.metadata["trainer"]
    }
}

import Foundation

/// `model.safetensors`: a model's weights for `predict`, `eval` and other frameworks.
///
/// One F32 tensor per parameter, in `parameters` order, named `layers.<i>.<name>` in PyTorch's
/// layouts (Dense `weight [out, in]`, Conv2D `weight [out, in, kh, kw]`, biases `[out]`,
/// BatchNorm `weight`/`bias`/`running_mean`/`running_var` `[channels]`). Loading into PyTorch:
/// `safetensors.torch.load_file` gives a state dict whose conv and dense tensors drop into
/// `nn.Conv2d`/`nn.Linear` as they are; the indices follow dsprep's spec (where ReLU is fused
/// into conv and dense, so `nn.Sequential` indices differ), and the first Dense after Flatten
/// expects NHWC-flattened input (see `Flatten`). `__metadata__` holds `format`
/// (`dsprep-model-1`) and `model`, the `ModelDescription` as JSON, beside the caller's keys.
extension Sequential {
    public static let weightsFormat = "dsprep-model-1"

    /// Writes every parameter to `path`, atomically.
    /// - Parameter metadata: extra `__metadata__` strings (the CLI's run name, say).
    /// - Throws: `TrainingError.unwritableFile`.
    public func saveWeights(to path: String, metadata: [String: String] = [:]) throws {
        var metadata = metadata
        metadata["format"] = Self.weightsFormat
        metadata["model"] = try descriptionJSON()
        try TensorFile.write(parameters.map { ($0.name, $0.value) }, metadata: metadata, to: path)
    }

    /// Replaces the parameters' values with those in a `model.safetensors` or checkpoint file.
    ///
    /// Every parameter of the model must be in the file with its shape; the file may hold no
    /// other `layers.*` tensor (a sign that it was made for another model). Tensors of skipped
    /// layers are neither read nor required, which is how fine-tuning copies every layer but
    /// the output layer.
    /// - Parameter skippingLayers: layer indices whose parameters keep their current values.
    /// - Throws: `TrainingError.unreadableFile` naming the first tensor that is missing, extra
    ///   or of the wrong dtype or shape, or why the file is not valid safetensors. Nothing is
    ///   changed when it throws.
    public func loadWeights(from path: String, skippingLayers: Set<Int> = []) throws {
        let file = try TensorFile.Reader(path: path)
        try loadWeights(from: file, skippingLayers: skippingLayers)
    }

    func loadWeights(from file: TensorFile.Reader, skippingLayers: Set<Int> = []) throws {
        let skipped = Set(skippingLayers.map { "layers.\($0)." })
        func isSkipped(_ name: String) -> Bool { skipped.contains { name.hasPrefix($0) } }
        let known = Set(parameters.map(\.name))
        if let extra = file.names.first(where: { $0.hasPrefix("layers.") && !known.contains($0) && !isSkipped($0) }) {
            throw TrainingError.unreadableFile(path: file.path, reason: "tensor '\(extra)' is not a parameter of this model")
        }
        let values = try parameters.filter { !isSkipped($0.name) }.map { ($0, try file.tensor($0.name, shape: $0.value.shape)) }
        for (parameter, value) in values { parameter.value = value }
    }

    func descriptionJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(modelDescription), as: UTF8.self)
    }

    /// A model built from `description` with the weights in `path`.
    /// - Throws: `TrainingError.invalidModel` or `.unreadableFile`.
    public static func load(_ description: ModelDescription, weightsFrom path: String) throws -> Sequential {
        let model = try Sequential(description, seed: 0)
        try model.loadWeights(from: path)
        return model
    }
}

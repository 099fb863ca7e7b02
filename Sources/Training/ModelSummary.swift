/// A model's layers, output shapes and parameter counts, like Keras's `model.summary()`, as
/// data for the CLI to print or write as JSON.
public struct ModelSummary: Codable, Equatable, Sendable {
    public struct Row: Codable, Equatable, Sendable {
        /// `layers.<index>`, the prefix of the layer's parameters.
        public var name: String
        /// The Keras class: `Conv2D`, `MaxPooling2D`, ...
        public var kind: String
        /// The layer's spec token as written: `conv32k3`, `dense`.
        public var spec: String
        /// The activation a Conv2D or Dense layer applies (`relu`, or `linear` for the logits);
        /// nil for other layers.
        public var activation: Activation?
        /// Per-sample output shape (Keras prints it after `None`, the batch).
        public var outputShape: [Int]
        /// Every value the layer stores, statistics included (Keras's "Param #").
        public var parameters: Int
        /// Values the optimiser trains.
        public var trainableParameters: Int
    }

    public var inputShape: [Int]
    public var rows: [Row]

    public var totalParameters: Int { rows.reduce(0) { $0 + $1.parameters } }
    public var trainableParameters: Int { rows.reduce(0) { $0 + $1.trainableParameters } }
    public var nonTrainableParameters: Int { totalParameters - trainableParameters }
}

extension Sequential {
    /// The summary of this model's layers.
    public func summary() -> ModelSummary {
        ModelSummary(inputShape: modelDescription.inputShape, rows: layers.enumerated().map { index, layer in
            ModelSummary.Row(name: "layers.\(index)", kind: layer.kind, spec: modelDescription.layers[index].description,
                             activation: (layer as? Dense)?.activation ?? (layer as? Conv2D)?.activation,
                             outputShape: layer.outputShape,
                             parameters: layer.parameterCount,
                             trainableParameters: layer.parameters.filter(\.isTrainable).reduce(0) { $0 + $1.value.count })
        })
    }
}

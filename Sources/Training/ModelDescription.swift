/// What a model is, independent of its weights: its layers, the per-sample input shape and
/// the class names. `Sequential(description, seed:)` builds it; `model.json` stores it (the
/// CLI adds the manifest's preprocess and normalize blocks beside it), and checkpoints carry it.
///
/// JSON: `{ "layers": ["conv32k3", "pool2", ...], "input_shape": [28, 28, 1],
/// "classes": ["0", "1", ...] }`.
public struct ModelDescription: Codable, Equatable, Sendable {
    public var layers: [LayerSpec]
    /// Per sample: `[height, width, channels]` for images, `[features]` for vectors.
    public var inputShape: [Int]
    /// The class names, in label order; the output layer has one unit per class.
    public var classes: [String]

    public init(layers: [LayerSpec], inputShape: [Int], classes: [String]) {
        self.layers = layers
        self.inputShape = inputShape
        self.classes = classes
    }

    enum CodingKeys: String, CodingKey {
        case layers
        case inputShape = "input_shape"
        case classes
    }
}

/// The models the tutorials train, by name (`--model`).
public enum ModelPreset: String, CaseIterable, Sendable, Codable {
    /// A tutorial-style multilayer perceptron on flattened pixels (the tutorial's dense network
    /// on 96x96 grayscale cats and dogs):
    /// `flatten,dense512,drop.2,dense256,dense` — 4,850,946 parameters at 96x96x1 with 2 classes.
    case mlp
    /// Exactly the Keras MNIST example's CNN: Conv 32 3x3 relu, MaxPool 2, Dropout .25,
    /// Conv 64 3x3 relu, MaxPool 2, Dropout .25, Flatten, Dense 128 relu, Dense classes
    /// softmax — 225,034 parameters at 28x28x1 with 10 classes, as Keras reports.
    case cnn
    /// A larger CNN for 96x96 photos, after the cats-vs-dogs convnet of Chollet's "Deep
    /// Learning with Python" (four conv/pool blocks of 32, 64, 128, 128 filters, dropout .5,
    /// Dense 512): `conv32k3,pool2,conv64k3,pool2,conv128k3,pool2,conv128k3,pool2,flatten,
    /// drop.5,dense512,dense` — 1,290,946 parameters at 96x96x3 with 2 classes. Needs inputs
    /// of at least 46x46 pixels.
    case cnnLarge = "cnn-large"

    /// The preset's layer spec.
    public var spec: String {
        switch self {
        case .mlp: "flatten,dense512,drop.2,dense256,dense"
        case .cnn: "conv32k3,pool2,drop.25,conv64k3,pool2,drop.25,flatten,dense128,dense"
        case .cnnLarge: "conv32k3,pool2,conv64k3,pool2,conv128k3,pool2,conv128k3,pool2,flatten,drop.5,dense512,dense"
        }
    }

    /// The preset's layers.
    public var layers: [LayerSpec] {
        // The specs above are constants that the tests parse; a failure here is a typo in them.
        guard let layers = try? LayerSpec.parseList(spec) else { preconditionFailure("ModelPreset \(rawValue): bad spec") }
        return layers
    }
}

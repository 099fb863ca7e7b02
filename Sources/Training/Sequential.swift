import Randomness

/// A stack of layers, built from a `ModelDescription`: Keras's `Sequential`, PyTorch's
/// `nn.Sequential`.
///
/// One training step reads in order:
///
///     let logits = model.forward(batch: images, training: true)
///     let (loss, gradLogits) = lossFunction.forwardBackward(logits, labels)
///     model.zeroGradients()
///     model.backward(gradLogits)
///     optimizer.step(model.parameters)
///
/// `batch` is `[batch] + inputShape` (NHWC images); logits are `[batch, classes]`. Layer `i`'s
/// parameters are named `layers.<i>.weight`, `layers.<i>.bias`, ... Initial weights come from
/// `seed` (stream 0) and dropout masks from the same seed's stream 1 (`dropoutRandom`), so a
/// seed and a thread count fix every number of a run.
public final class Sequential {
    public let modelDescription: ModelDescription
    public let layers: [any Layer]
    /// Every parameter, layer by layer (the order of `model.safetensors`).
    public let parameters: [Parameter]
    /// The stream every Dropout layer draws from; checkpoints save its state.
    public let dropoutRandom: RandomSource

    /// Builds the model and draws its initial weights.
    /// - Throws: `TrainingError.invalidModel` with a sentence when the layers do not fit the
    ///   input shape, each other or the classes; `TrainingError.libraryUnavailable` when
    ///   OpenBLAS cannot be loaded.
    public init(_ description: ModelDescription, seed: UInt64) throws {
        try BLAS.load()
        let specs = description.layers
        guard !specs.isEmpty else { throw TrainingError.invalidModel("The model has no layers.") }
        guard description.classes.count >= 2 else {
            throw TrainingError.invalidModel("A classifier needs at least 2 classes (got \(description.classes.count)).")
        }
        let input = description.inputShape
        guard (input.count == 1 || input.count == 3), input.allSatisfy({ $0 >= 1 }) else {
            throw TrainingError.invalidModel("The input shape must be [height, width, channels] or [features], each at least 1 (got \(input)).")
        }
        let lastWeighted = specs.lastIndex { spec in
            switch spec { case .conv, .dense: true; default: false }
        }
        var random = RandomGenerator(seed: seed, stream: 0)
        let dropoutRandom = RandomSource(RandomGenerator(seed: seed, stream: 1))
        var shape = input
        var layers: [any Layer] = []
        for (index, spec) in specs.enumerated() {
            let name = "layers.\(index)"
            let at = "`\(spec)` (layer \(index + 1))"
            let defaultActivation: Activation = index == lastWeighted ? .linear : .relu
            let layer: any Layer
            switch spec {
            case let .conv(filters, kernelHeight, kernelWidth, stride, padding, activation):
                guard shape.count == 3 else {
                    throw TrainingError.invalidModel("\(at) needs an image input [height, width, channels] but gets \(shape): put it before flatten, gap or dense.")
                }
                guard Conv2D.geometry(inputShape: shape, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                                      stride: stride, padding: padding) != nil else {
                    throw TrainingError.invalidModel("\(at) does not fit its \(shape.map(String.init).joined(separator: "x")) input with valid padding: use a larger input, `same` padding or fewer pooling layers.")
                }
                layer = Conv2D(inputShape: shape, filters: filters, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                               stride: stride, padding: padding, activation: activation ?? defaultActivation,
                               name: name, random: &random)
            case let .maxPool(size, stride, padding), let .avgPool(size, stride, padding):
                guard shape.count == 3 else {
                    throw TrainingError.invalidModel("\(at) needs an image input [height, width, channels] but gets \(shape): put it before flatten, gap or dense.")
                }
                guard Conv2D.geometry(inputShape: shape, kernelHeight: size, kernelWidth: size, stride: stride, padding: padding) != nil else {
                    throw TrainingError.invalidModel("\(at) does not fit its \(shape.map(String.init).joined(separator: "x")) input: use a larger input or fewer layers before it.")
                }
                if case .maxPool = spec {
                    layer = MaxPool2D(inputShape: shape, poolSize: size, stride: stride, padding: padding)
                } else {
                    layer = AvgPool2D(inputShape: shape, poolSize: size, stride: stride, padding: padding)
                }
            case .globalAveragePool:
                guard shape.count == 3 else {
                    throw TrainingError.invalidModel("\(at) needs an image input [height, width, channels] but gets \(shape).")
                }
                layer = GlobalAveragePooling(inputShape: shape)
            case .dropout(let rate):
                layer = Dropout(inputShape: shape, rate: rate, random: dropoutRandom)
            case .flatten:
                layer = Flatten(inputShape: shape)
            case let .dense(units, activation):
                guard shape.count == 1 else {
                    throw TrainingError.invalidModel("\(at) needs a flat input but gets \(shape): add flatten or gap before it.")
                }
                guard units != nil || index == specs.count - 1 else {
                    throw TrainingError.invalidModel("\(at): `dense` without a size is the output layer and must come last.")
                }
                layer = Dense(inputs: shape[0], outputs: units ?? description.classes.count,
                              activation: activation ?? defaultActivation, name: name, random: &random)
            case .batchNorm:
                layer = BatchNorm(inputShape: shape, name: name)
            case .relu:
                layer = ReLU(inputShape: shape)
            }
            layers.append(layer)
            shape = layer.outputShape
        }
        guard shape == [description.classes.count] else {
            throw TrainingError.invalidModel("The last layer must output one value per class (\(description.classes.count)), but `\(specs.last!)` outputs \(shape): end the spec with `dense`.")
        }
        self.modelDescription = description
        self.layers = layers
        self.parameters = layers.flatMap(\.parameters)
        self.dropoutRandom = dropoutRandom
    }

    /// Builds a model from a spec text such as a preset's.
    /// - Throws: `TrainingError.invalidLayerSpec` or `.invalidModel`.
    public convenience init(spec: String, inputShape: [Int], classes: [String], seed: UInt64) throws {
        try self.init(ModelDescription(layers: LayerSpec.parseList(spec), inputShape: inputShape, classes: classes),
                      seed: seed)
    }

    /// `batch [batch] + inputShape -> logits [batch, classes]`; `training` turns on dropout
    /// and BatchNorm's batch statistics, and keeps what `backward` needs (after an inference
    /// pass the layers drop it, so `backward` must follow a training pass).
    public func forward(batch: Tensor, training: Bool) -> Tensor {
        precondition(Array(batch.shape.dropFirst()) == modelDescription.inputShape,
                     "Sequential: expected a batch of \(modelDescription.inputShape), got \(batch.shape)")
        var activations = batch
        for layer in layers { activations = layer.forward(activations, training: training) }
        if !training {
            for layer in layers { layer.releaseCaches() }
        }
        return activations
    }

    /// Back-propagates `gradLogits [batch, classes]` (from the loss) through the layers of the
    /// latest `forward`, adding every parameter's gradient. The first layer's input gradient is
    /// not computed.
    public func backward(_ gradLogits: Tensor) {
        var gradient = gradLogits
        for (index, layer) in layers.enumerated().reversed() {
            gradient = layer.backward(gradient, needsInputGradient: index > 0)
        }
    }

    /// Sets every gradient to zero.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }

    /// The parameter named `name` (`layers.3.weight`), if there is one.
    public func parameter(named name: String) -> Parameter? {
        parameters.first { $0.name == name }
    }
}

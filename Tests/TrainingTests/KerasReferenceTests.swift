import Randomness
import Testing
@testable import Training

/// Layers and the loss against Keras's own outputs and gradients (`reference/optimizers.py`,
/// Keras 3 on JAX, float32), with weights given in PyTorch's layouts: this pins Keras's `same`
/// padding with strides, its pooling at the borders, BatchNorm's statistics and the layouts.
@Suite("Layers and loss match Keras")
struct KerasReferenceTests {
    static var layerCases: [String] {
        (Reference.section("layers") as? [[String: Any]] ?? []).map { $0.string("name") }
    }

    @Test("layer", arguments: layerCases)
    func layer(_ name: String) throws {
        let cases = Reference.section("layers") as? [[String: Any]] ?? []
        let reference = try #require(cases.first { $0.string("name") == name })
        let shape = reference.ints("input_shape")
        let input = Tensor(shape: shape, data: reference.floats("input"))
        let spec = try LayerSpec(parsing: reference.string("spec"))
        var random = RandomGenerator(seed: 0)
        let layer: any Layer
        switch spec {
        case let .conv(filters, kh, kw, stride, padding, _):
            let conv = Conv2D(inputShape: Array(shape.dropFirst()), filters: filters, kernelHeight: kh, kernelWidth: kw,
                              stride: stride, padding: padding, activation: .relu, random: &random)
            conv.weight.value = Tensor(shape: conv.weight.value.shape, data: reference.floats("weight"))
            conv.bias.value = Tensor(shape: [filters], data: reference.floats("bias"))
            layer = conv
        case let .maxPool(size, stride, padding):
            layer = MaxPool2D(inputShape: Array(shape.dropFirst()), poolSize: size, stride: stride, padding: padding)
        case let .avgPool(size, stride, padding):
            layer = AvgPool2D(inputShape: Array(shape.dropFirst()), poolSize: size, stride: stride, padding: padding)
        case let .dense(units, _):
            let dense = Dense(inputs: shape[1], outputs: units ?? 0, activation: .relu, random: &random)
            dense.weight.value = Tensor(shape: dense.weight.value.shape, data: reference.floats("weight"))
            dense.bias.value = Tensor(shape: [units ?? 0], data: reference.floats("bias"))
            layer = dense
        case .batchNorm:
            let norm = BatchNorm(inputShape: Array(shape.dropFirst()))
            norm.gamma.value = Tensor(shape: [shape.last!], data: reference.floats("gamma"))
            norm.beta.value = Tensor(shape: [shape.last!], data: reference.floats("beta"))
            layer = norm
        default:
            Issue.record("no reference case for \(spec)")
            return
        }
        let output = layer.forward(input, training: true)
        #expect(output.shape == reference.ints("output_shape"))
        expectClose(output.data, reference.floats("output"), absolute: 1e-5, relative: 1e-5, "\(name) output")
        let upstream = Tensor(shape: output.shape, data: reference.floats("upstream"))
        let gradInput = layer.backward(upstream, needsInputGradient: true)
        expectClose(gradInput.data, reference.floats("input_gradient"), absolute: 1e-5, relative: 1e-4, "\(name) input gradient")
        if let norm = layer as? BatchNorm {
            expectClose(norm.runningMean.value.data, reference.floats("running_mean"), absolute: 1e-6, relative: 1e-5, "moving mean")
            expectClose(norm.runningVariance.value.data, reference.floats("running_var"), absolute: 1e-6, relative: 1e-5, "moving variance")
        }
    }

    @Test("softmax cross-entropy from logits, with label smoothing", arguments: [0, 1])
    func loss(_ index: Int) throws {
        let cases = Reference.section("losses") as? [[String: Any]] ?? []
        let reference = try #require(cases.count > index ? cases[index] : nil)
        let logits = Tensor(shape: reference.ints("logits_shape"), data: reference.floats("logits"))
        let loss = try SoftmaxCrossEntropy(labelSmoothing: Float(reference.double("label_smoothing")))
        let (value, gradient) = loss.forwardBackward(logits, reference.ints("labels"))
        expectClose([value], [Float(reference.double("loss"))], absolute: 1e-6, relative: 1e-6, "loss")
        expectClose(gradient.data, reference.floats("gradient"), absolute: 1e-7, relative: 1e-5, "gradient")
        #expect(loss.loss(logits, reference.ints("labels")) == value)
    }
}

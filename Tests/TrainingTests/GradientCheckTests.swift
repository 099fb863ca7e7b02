import Randomness
import Testing
@testable import Training

/// Finite-difference checks of every layer's backward pass and of the loss
/// (tolerances: `GradientCheck`).
@Suite("Gradients agree with finite differences")
struct GradientCheckTests {
    @Test("Dense", arguments: [Activation.linear, .relu])
    func dense(_ activation: Activation) {
        var random = RandomGenerator(seed: 1)
        let layer = Dense(inputs: 5, outputs: 4, activation: activation, random: &random)
        layer.bias.value = randomTensor([4], seed: 2, in: -0.5...0.5)
        GradientCheck().run(layer, input: randomTensor([3, 5], seed: 3))
    }

    @Test("Conv2D", arguments: [
        (Padding.valid, 1, Activation.linear), (.valid, 1, .relu), (.same, 1, .linear),
        (.same, 2, .relu), (.valid, 2, .linear), (.same, 2, .linear),
    ])
    func conv(_ padding: Padding, _ stride: Int, _ activation: Activation) {
        var random = RandomGenerator(seed: 4)
        let layer = Conv2D(inputShape: [6, 5, 2], filters: 3, kernelHeight: 3, kernelWidth: 2, stride: stride,
                           padding: padding, activation: activation, random: &random)
        layer.bias.value = randomTensor([3], seed: 5, in: -0.5...0.5)
        GradientCheck().run(layer, input: randomTensor([2, 6, 5, 2], seed: 6))
    }

    @Test("Conv2D by Winograd F(4x4, 3x3)", arguments: [(Padding.valid, Activation.linear), (.valid, .relu), (.same, .linear)])
    func convWinograd(_ padding: Padding, _ activation: Activation) {
        var random = RandomGenerator(seed: 10)
        let layer = Conv2D(inputShape: [6, 5, 2], filters: 3, kernelHeight: 3, kernelWidth: 3, stride: 1,
                           padding: padding, activation: activation, random: &random)
        layer.lowering = .winograd
        layer.bias.value = randomTensor([3], seed: 11, in: -0.5...0.5)
        GradientCheck().run(layer, input: randomTensor([2, 6, 5, 2], seed: 12))
    }

    @Test("Conv2D split into chunks of one image")
    func convChunked() {
        var random = RandomGenerator(seed: 7)
        let layer = Conv2D(inputShape: [5, 5, 2], filters: 2, kernelHeight: 3, kernelWidth: 3, stride: 1,
                           padding: .same, activation: .linear, random: &random)
        layer.columnBudget = 1
        GradientCheck().run(layer, input: randomTensor([3, 5, 5, 2], seed: 8))
    }

    @Test("MaxPool2D", arguments: [(2, 2, Padding.valid), (2, 2, .same), (3, 2, .same), (3, 1, .valid)])
    func maxPool(_ size: Int, _ stride: Int, _ padding: Padding) {
        let layer = MaxPool2D(inputShape: [5, 7, 3], poolSize: size, stride: stride, padding: padding)
        GradientCheck().run(layer, input: spacedTensor([2, 5, 7, 3], seed: 9))
    }

    @Test("AvgPool2D", arguments: [(2, 2, Padding.valid), (2, 2, .same), (3, 2, .same)])
    func avgPool(_ size: Int, _ stride: Int, _ padding: Padding) {
        let layer = AvgPool2D(inputShape: [5, 7, 3], poolSize: size, stride: stride, padding: padding)
        GradientCheck().run(layer, input: randomTensor([2, 5, 7, 3], seed: 10))
    }

    @Test("GlobalAveragePooling")
    func globalAveragePooling() {
        GradientCheck().run(GlobalAveragePooling(inputShape: [3, 4, 5]), input: randomTensor([2, 3, 4, 5], seed: 11))
    }

    @Test("Flatten")
    func flatten() {
        GradientCheck().run(Flatten(inputShape: [3, 2, 2]), input: randomTensor([2, 3, 2, 2], seed: 12))
    }

    @Test("ReLU")
    func relu() {
        GradientCheck().run(ReLU(inputShape: [4, 5]), input: spacedTensor([3, 4, 5], seed: 13))
    }

    @Test("Dropout in training, with the mask held fixed")
    func dropout() {
        let random = RandomSource(RandomGenerator(seed: 14))
        let start = random.generator
        let layer = Dropout(inputShape: [4, 6], rate: 0.4, random: random)
        var check = GradientCheck()
        check.prepare = { random.generator = start }
        check.run(layer, input: randomTensor([3, 4, 6], seed: 15))
    }

    @Test("BatchNorm", arguments: [true, false])
    func batchNorm(_ training: Bool) {
        let layer = BatchNorm(inputShape: [3, 2, 4])
        layer.gamma.value = randomTensor([4], seed: 16, in: 0.5...1.5)
        layer.beta.value = randomTensor([4], seed: 17, in: -0.5...0.5)
        layer.runningMean.value = randomTensor([4], seed: 18, in: -0.2...0.2)
        layer.runningVariance.value = randomTensor([4], seed: 19, in: 0.5...1.5)
        var check = GradientCheck()
        check.training = training
        check.run(layer, input: randomTensor([2, 3, 2, 4], seed: 20))
    }

    @Test("BatchNorm after Dense (per feature over the batch)")
    func batchNormFlat() {
        let layer = BatchNorm(inputShape: [5])
        layer.gamma.value = randomTensor([5], seed: 21, in: 0.5...1.5)
        GradientCheck().run(layer, input: randomTensor([6, 5], seed: 22))
    }

    @Test("softmax cross-entropy, with label smoothing and class weights",
          arguments: [(Float(0), false), (0.1, false), (0.2, true)])
    func loss(_ smoothing: Float, _ weighted: Bool) throws {
        let loss = try SoftmaxCrossEntropy(labelSmoothing: smoothing, classWeights: weighted ? [0.5, 2, 1, 1.5] : nil)
        let logits = randomTensor([5, 4], seed: 23, in: -3...3)
        let labels = [0, 3, 1, 1, 2]
        let (_, gradient) = loss.forwardBackward(logits, labels)
        let step: Float = 1e-2
        var numerical = [Float](repeating: 0, count: logits.count)
        for index in logits.data.indices {
            var plus = logits, minus = logits
            plus.data[index] += step
            minus.data[index] -= step
            numerical[index] = (loss.loss(plus, labels) - loss.loss(minus, labels)) / (2 * step)
        }
        expectClose(gradient.data, numerical, absolute: 3e-4, relative: 1e-3, "loss gradient")
    }

    @Test("a whole model: conv, BatchNorm, ReLU, pooling, dropout, dense")
    func model() throws {
        let model = try Sequential(spec: "conv4k3s2samelinear,bn,relu,avgpool2same,conv3k2,gap,drop.2,dense",
                                   inputShape: [7, 6, 2], classes: ["a", "b", "c"], seed: 24)
        let start = model.dropoutRandom.generator
        let input = randomTensor([3, 7, 6, 2], seed: 25)
        let labels = [2, 0, 1]
        let loss = try SoftmaxCrossEntropy()
        func objective() -> Float {
            model.dropoutRandom.generator = start
            return loss.loss(model.forward(batch: input, training: true), labels)
        }
        model.dropoutRandom.generator = start
        let (_, gradLogits) = loss.forwardBackward(model.forward(batch: input, training: true), labels)
        model.zeroGradients()
        model.backward(gradLogits)
        let step: Float = 1e-2
        for parameter in model.parameters where parameter.isTrainable {
            var numerical = parameter.gradient.data
            for index in parameter.value.data.indices {
                let saved = parameter.value.data[index]
                parameter.value.data[index] = saved + step
                let plus = objective()
                parameter.value.data[index] = saved - step
                let minus = objective()
                parameter.value.data[index] = saved
                numerical[index] = (plus - minus) / (2 * step)
            }
            // Looser than the per-layer checks: a step here can cross a ReLU kink after the
            // BatchNorm, which they avoid. This checks the wiring (order, every parameter's
            // gradient reaching it), whose mistakes are off by O(1).
            expectClose(parameter.gradient.data, numerical, absolute: 2e-3, relative: 2e-2, parameter.name)
        }
    }
}

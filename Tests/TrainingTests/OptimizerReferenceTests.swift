import Testing
@testable import Training

/// Adam and SGD steps, schedules and ReduceLROnPlateau against Keras's own numbers
/// (`reference/optimizers.py`). Both compute in Float32; they agree to a few ulps
/// (1e-7 + 1e-6 relative), the difference between two `pow` implementations.
@Suite("Optimisers and schedules match Keras")
struct OptimizerReferenceTests {
    static var optimizerCases: [String] {
        ((Reference.section("optimizers") as? [String: Any])?.objects("cases") ?? []).map { $0.string("name") }
    }

    static func makeOptimizer(_ config: [String: Any]) throws -> any Optimizer {
        let learningRate = Float(config.double("learning_rate")), decay = Float(config.double("weight_decay"))
        if config.string("kind") == "adam" {
            return try Adam(learningRate: learningRate, beta1: config.double("beta1"), beta2: config.double("beta2"),
                            epsilon: config.double("epsilon"), weightDecay: decay)
        }
        return try SGD(learningRate: learningRate, momentum: config.double("momentum"),
                       nesterov: config["nesterov"] as? Bool ?? false, weightDecay: decay)
    }

    @Test("steps", arguments: optimizerCases)
    func steps(_ name: String) throws {
        let section = try #require(Reference.section("optimizers") as? [String: Any])
        let reference = try #require(section.objects("cases").first { $0.string("name") == name })
        let optimizer = try Self.makeOptimizer(reference.object("config"))
        let kernel = Parameter(name: "layers.0.weight", kind: .kernel, value: Tensor(shape: [2, 3], data: section.floats("kernel")))
        let bias = Parameter(name: "layers.0.bias", kind: .bias, value: Tensor(shape: [3], data: section.floats("bias")))
        let kernelGradients = section["kernel_gradients"] as? [[Double]] ?? []
        let biasGradients = section["bias_gradients"] as? [[Double]] ?? []
        let kernels = reference["kernels"] as? [[Double]] ?? [], biases = reference["biases"] as? [[Double]] ?? []
        for step in kernels.indices {
            kernel.gradient = Tensor(shape: [2, 3], data: kernelGradients[step].map(Float.init))
            bias.gradient = Tensor(shape: [3], data: biasGradients[step].map(Float.init))
            optimizer.step([kernel, bias])
            expectClose(kernel.value.data, kernels[step].map(Float.init), absolute: 1e-7, relative: 1e-6, "\(name) kernel, step \(step + 1)")
            expectClose(bias.value.data, biases[step].map(Float.init), absolute: 1e-7, relative: 1e-6, "\(name) bias, step \(step + 1)")
        }
        #expect(optimizer.iterations == kernels.count)
    }

    @Test("a frozen parameter is left alone")
    func frozen() throws {
        let parameter = Parameter(name: "p", kind: .kernel, value: Tensor(shape: [2], data: [1, 2]))
        parameter.gradient = Tensor(shape: [2], data: [0.5, 0.5])
        parameter.isTrainable = false
        let adam = try Adam()
        adam.step([parameter])
        #expect(parameter.value.data == [1, 2])
        #expect(parameter.slots.isEmpty)
    }

    @Test("step and cosine schedules")
    func schedules() throws {
        let section = try #require(Reference.section("schedules") as? [String: Any])
        let step = section.object("step"), cosine = section.object("cosine")
        let stepSchedule = LearningRateSchedule.step(every: step.int("every"), factor: step.double("factor"))
        let cosineSchedule = LearningRateSchedule.cosine(decaySteps: cosine.int("decay_steps"), alpha: cosine.double("alpha"))
        try stepSchedule.validate()
        try cosineSchedule.validate()
        let stepRates = step.floats("rates"), cosineRates = cosine.floats("rates")
        expectClose(stepRates.indices.map { stepSchedule.learningRate(base: 0.1, step: $0) }, stepRates,
                    absolute: 0, relative: 1e-6, "step")
        expectClose(cosineRates.indices.map { cosineSchedule.learningRate(base: 0.1, step: $0) }, cosineRates,
                    absolute: 0, relative: 1e-6, "cosine")
        #expect(LearningRateSchedule.constant.learningRate(base: 0.1, step: 1000) == 0.1)
    }

    @Test("ReduceLROnPlateau", arguments: [0, 1, 2])
    func plateau(_ index: Int) throws {
        let cases = Reference.section("plateau") as? [[String: Any]] ?? []
        let reference = try #require(cases.count > index ? cases[index] : nil)
        var plateau = try ReduceLROnPlateau(patience: reference.int("patience"), cooldown: reference.int("cooldown"),
                                            minLearningRate: Float(reference.double("min_lr")))
        var rate = Float(reference.double("base"))
        var rates: [Float] = []
        for loss in reference["losses"] as? [Double] ?? [] {
            rate = plateau.update(value: loss, learningRate: rate)
            rates.append(rate)
        }
        expectClose(rates, reference.floats("rates"), absolute: 0, relative: 1e-6, "rates")
    }

    @Test("Keras's defaults")
    func defaults() throws {
        let adam = try Adam()
        #expect(adam.learningRate == 1e-3 && adam.beta1 == 0.9 && adam.beta2 == 0.999 && adam.epsilon == 1e-7)
        let sgd = try SGD()
        #expect(sgd.learningRate == 0.01 && sgd.momentum == 0 && !sgd.nesterov)
        let plateau = try ReduceLROnPlateau()
        #expect(plateau.factor == 0.1 && plateau.patience == 10 && plateau.minDelta == 1e-4 && plateau.cooldown == 0)
        let norm = BatchNorm(inputShape: [3])
        #expect(norm.momentum == 0.99 && norm.epsilon == 1e-3)
    }

    @Test("hyperparameters are checked up front, with a sentence", arguments: [
        ("adam lr 0", "The learning rate must be a number above 0 (got 0.0)."),
        ("adam beta1 1", "Adam's beta1 must be at least 0 and below 1 (got 1.0)."),
        ("adam epsilon 0", "Adam's epsilon must be a number above 0 (got 0.0)."),
        ("sgd lr -inf", "The learning rate must be a number above 0 (got -inf)."),
        ("sgd nesterov", "Nesterov momentum needs a momentum above 0 (got 0)."),
        ("sgd decay -1", "Weight decay must be a number of at least 0 (got -1.0)."),
        ("plateau factor 1", "The plateau factor must be above 0 and below 1 (got 1.0)."),
        ("step every 0", "A step schedule needs a period of at least 1 step (got 0)."),
        ("smoothing 1", "Label smoothing must be at least 0 and below 1 (got 1.0)."),
    ])
    func checks(_ attempt: String, _ message: String) {
        #expect(throws: TrainingError.invalidHyperparameter(message)) {
            switch attempt {
            case "adam lr 0": _ = try Adam(learningRate: 0)
            case "adam beta1 1": _ = try Adam(beta1: 1)
            case "adam epsilon 0": _ = try Adam(epsilon: 0)
            case "sgd lr -inf": _ = try SGD(learningRate: -.infinity)
            case "sgd nesterov": _ = try SGD(momentum: 0, nesterov: true)
            case "sgd decay -1": _ = try SGD(weightDecay: -1)
            case "plateau factor 1": _ = try ReduceLROnPlateau(factor: 1)
            case "step every 0": try LearningRateSchedule.step(every: 0, factor: 0.5).validate()
            default: _ = try SoftmaxCrossEntropy(labelSmoothing: 1)
            }
        }
    }
}

import Foundation
import Randomness
import Testing
@testable import Training

@Suite("Sequential models")
struct ModelTests {
    static let digits = (0..<10).map(String.init)

    @Test("the cnn preset is the Keras MNIST model: 225,034 parameters, Keras's output shapes")
    func cnnPreset() throws {
        let model = try Sequential(spec: ModelPreset.cnn.spec, inputShape: [28, 28, 1], classes: Self.digits, seed: 1)
        let summary = model.summary()
        #expect(summary.totalParameters == 225_034)
        #expect(summary.totalParameters == Reference.json["parameter_counts"].flatMap { ($0 as? [String: Any])?["cnn@28x28x1/10"] as? Int })
        #expect(summary.trainableParameters == 225_034 && summary.nonTrainableParameters == 0)
        #expect(summary.rows.map(\.kind) == ["Conv2D", "MaxPooling2D", "Dropout", "Conv2D", "MaxPooling2D", "Dropout",
                                             "Flatten", "Dense", "Dense"])
        #expect(summary.rows.map(\.outputShape) == [[26, 26, 32], [13, 13, 32], [13, 13, 32], [11, 11, 64], [5, 5, 64],
                                                    [5, 5, 64], [1600], [128], [10]])
        #expect(summary.rows.map(\.parameters) == [320, 0, 0, 18_496, 0, 0, 0, 204_928, 1_290])
        #expect(summary.rows.map(\.activation) == [.relu, nil, nil, .relu, nil, nil, nil, .relu, .linear])
        #expect(model.parameters.map(\.name) == ["layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias",
                                                 "layers.7.weight", "layers.7.bias", "layers.8.weight", "layers.8.bias"])
        #expect(model.parameter(named: "layers.0.weight")?.value.shape == [32, 1, 3, 3])
        #expect(model.parameter(named: "layers.7.weight")?.value.shape == [128, 1600])
    }

    @Test("the other presets' parameter counts match Keras's", arguments: [
        (ModelPreset.mlp, [96, 96, 1], 2, "mlp@96x96x1/2"),
        (.cnnLarge, [96, 96, 3], 2, "cnn-large@96x96x3/2"),
    ])
    func presetCounts(_ preset: ModelPreset, _ input: [Int], _ classes: Int, _ key: String) throws {
        let model = try Sequential(spec: preset.spec, inputShape: input, classes: (0..<classes).map(String.init), seed: 1)
        let counts = try #require(Reference.json["parameter_counts"] as? [String: Any])
        #expect(model.summary().totalParameters == counts[key] as? Int)
    }

    @Test("cnn-large needs at least 46x46 pixels")
    func cnnLargeMinimum() throws {
        _ = try Sequential(spec: ModelPreset.cnnLarge.spec, inputShape: [46, 46, 3], classes: ["a", "b"], seed: 1)
        #expect(throws: TrainingError.self) {
            try Sequential(spec: ModelPreset.cnnLarge.spec, inputShape: [45, 45, 3], classes: ["a", "b"], seed: 1)
        }
    }

    @Test("BatchNorm statistics count as non-trainable parameters, as in Keras")
    func batchNormCounts() throws {
        let model = try Sequential(spec: "conv8k3linear,bn,relu,gap,dense", inputShape: [8, 8, 1], classes: ["a", "b"], seed: 1)
        let summary = model.summary()
        #expect(summary.rows[1].parameters == 32 && summary.rows[1].trainableParameters == 16)
        #expect(summary.nonTrainableParameters == 16)
        #expect(model.parameters.map(\.name).filter { $0.hasPrefix("layers.1.") }
                == ["layers.1.weight", "layers.1.bias", "layers.1.running_mean", "layers.1.running_var"])
    }

    @Test("layers that do not fit are refused with a sentence", arguments: [
        ("dense128,dense", [4, 4, 1], "`dense128` (layer 1) needs a flat input but gets [4, 4, 1]: add flatten or gap before it."),
        ("flatten,conv8k3,dense", [4, 4, 1], "`conv8k3` (layer 2) needs an image input [height, width, channels] but gets [16]: put it before flatten, gap or dense."),
        ("conv8k5,flatten,dense", [4, 4, 1], "`conv8k5` (layer 1) does not fit its 4x4x1 input with valid padding: use a larger input, `same` padding or fewer pooling layers."),
        ("flatten,dense,dense", [4, 4, 1], "`dense` (layer 2): `dense` without a size is the output layer and must come last."),
        ("flatten,dense128", [4, 4, 1], "The last layer must output one value per class (3), but `dense128` outputs [128]: end the spec with `dense`."),
        ("pool8,flatten,dense", [4, 4, 1], "`pool8` (layer 1) does not fit its 4x4x1 input: use a larger input or fewer layers before it."),
    ])
    func errors(_ spec: String, _ input: [Int], _ message: String) {
        #expect(throws: TrainingError.invalidModel(message)) {
            try Sequential(spec: spec, inputShape: input, classes: ["a", "b", "c"], seed: 1)
        }
    }

    @Test("the last weighted layer is linear, hidden ones ReLU unless written otherwise")
    func activations() throws {
        let model = try Sequential(spec: "conv4k3,conv3k1,gap", inputShape: [5, 5, 1], classes: ["a", "b", "c"], seed: 1)
        #expect(model.summary().rows.map(\.activation) == [.relu, .linear, nil])
        let explicit = try Sequential(spec: "flatten,dense8linear,dense3relu", inputShape: [2, 2, 1], classes: ["a", "b", "c"], seed: 1)
        #expect(explicit.summary().rows.map(\.activation) == [nil, .linear, .relu])
    }

    @Test("initialisation is Keras's: Glorot-uniform kernels within their limits, zero biases")
    func initialisation() throws {
        let model = try Sequential(spec: ModelPreset.cnn.spec, inputShape: [28, 28, 1], classes: Self.digits, seed: 7)
        let conv = try #require(model.parameter(named: "layers.3.weight"))
        let limit = Float((6.0 / Double(9 * 32 + 9 * 64)).squareRoot())
        #expect(conv.value.data.allSatisfy { abs($0) <= limit })
        #expect(conv.value.data.map(abs).max()! > limit * 0.99)
        let mean = conv.value.data.reduce(0, +) / Float(conv.value.count)
        #expect(abs(mean) < limit * 0.02)
        #expect(model.parameter(named: "layers.3.bias")?.value.data.allSatisfy { $0 == 0 } == true)
        let other = try Sequential(spec: ModelPreset.cnn.spec, inputShape: [28, 28, 1], classes: Self.digits, seed: 7)
        #expect(other.parameters.map(\.value) == model.parameters.map(\.value))
    }

    @Test("the model description round-trips through JSON as readable tokens")
    func descriptionJSON() throws {
        let description = ModelDescription(layers: try LayerSpec.parseList(ModelPreset.cnn.spec), inputShape: [28, 28, 1],
                                           classes: Self.digits)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(description), as: UTF8.self)
        #expect(text.contains(#""layers":["conv32k3","pool2","drop.25","conv64k3","pool2","drop.25","flatten","dense128","dense"]"#))
        #expect(text.contains(#""input_shape":[28,28,1]"#))
        #expect(try JSONDecoder().decode(ModelDescription.self, from: Data(text.utf8)) == description)
    }

    @Test("inference is deterministic and ignores dropout")
    func inference() throws {
        let model = try Sequential(spec: ModelPreset.cnn.spec, inputShape: [28, 28, 1], classes: Self.digits, seed: 3)
        let batch = randomTensor([4, 28, 28, 1], seed: 4, in: 0...1)
        let first = model.forward(batch: batch, training: false)
        #expect(model.forward(batch: batch, training: false) == first)
        #expect(model.forward(batch: batch, training: true) != first)
        let probabilities = SoftmaxCrossEntropy.probabilities(first)
        for row in 0..<4 {
            #expect(abs(probabilities.data[(row * 10)..<(row * 10 + 10)].reduce(0, +) - 1) < 1e-5)
        }
    }
}

@Suite("The seeded generator")
struct RandomGeneratorTests {
    @Test("the stream is fixed by the seed, saved state continues it, and JSON keeps every bit")
    func stream() throws {
        var random = RandomGenerator(seed: 1337)
        // xoshiro256** seeded through SplitMix64: these first outputs pin the algorithm
        // (computed independently in Python from the authors' reference code).
        let first = (0..<3).map { _ in random.next() }
        #expect(first == [0xAD0A_A0A0_4F82_2EDC, 0xD081_5851_CE88_5DEF, 0xC70B_1747_1E26_3E43])
        var again = RandomGenerator(seed: 1337)
        #expect((0..<3).map { _ in again.next() } == first)
        var resumed = RandomGenerator(state: random.state)
        let data = try JSONEncoder().encode(random)
        var decoded = try JSONDecoder().decode(RandomGenerator.self, from: data)
        let next = random.next()
        #expect(resumed.next() == next && decoded.next() == next)
        #expect(RandomGenerator(seed: 1337, stream: 1) != RandomGenerator(seed: 1337))
        var unit = RandomGenerator(seed: 5)
        #expect((0..<1000).allSatisfy { _ in (0..<1).contains(unit.nextUnitFloat()) })
    }

    @Test("shuffle is a seeded permutation")
    func shuffle() {
        var a = Array(0..<50), b = Array(0..<50)
        var first = RandomGenerator(seed: 9), second = RandomGenerator(seed: 9)
        first.shuffle(&a)
        second.shuffle(&b)
        #expect(a == b && a != Array(0..<50) && a.sorted() == Array(0..<50))
    }
}

import Foundation
import Imaging
import Sharding
import Testing
import Training
@testable import Preparation

/// The shard fixtures' data folder (JPEGs and PNGs of every kind, and bad files).
private let shardFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("ShardFixtures/data").path

/// The demo data set (`Fixtures/mnist_png.zip`: 3,000 train and 500 test MNIST PNGs), unpacked
/// once per test run.
private let mnistData: Result<String, any Error> = Result {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    let output = temporaryFolder() + "/data"
    _ = try Unpacker(options: UnpackOptions(archives: [repository + "/Fixtures/mnist_png.zip"], output: output)).run()
    return output
}

/// A run folder made without `dsprep train`, with the engine directly: `data` sharded by
/// `ShardBuilder`, `spec` trained with Adam on batches of 32 of the train split (in shard order,
/// which the shard shuffled), and `model.safetensors` and `model.json` written as train writes them.
struct TrainedRun {
    let shards: String
    let run: String
    let card: ModelCard
    let model: Sequential

    init(data: String, preprocess: PreprocessOptions, dtype: ImageDType = .uint8, spec: String = "flatten,dense32,dense",
         steps: Int, normalization: ModelCard.Normalization = .standardize) throws {
        let folder = temporaryFolder()
        shards = folder + "/shards"
        run = folder + "/runs/test"
        let options = ShardOptions(data: data, output: shards, preprocess: preprocess, dtype: dtype, threads: 2)
        let manifest = try ShardBuilder(options: options).run().manifest
        let train = try ShardSplit(folder: shards, split: "train")
        let description = ModelDescription(layers: try LayerSpec.parseList(spec), inputShape: train.inputShape, classes: manifest.classes)
        card = ModelCard(tool: "dsprep test", model: description, image: manifest.image, preprocess: manifest.preprocess,
                         normalize: manifest.normalize, normalization: normalization, training: ["steps": "\(steps)"])
        model = try Sequential(description, seed: 42)
        let optimizer = try Adam()
        let loss = try SoftmaxCrossEntropy()
        let samples = train.samples.filter { $0.label >= 0 }
        for step in 0..<steps {
            let start = step * 32 % samples.count
            let (inputs, labels) = train.batch(samples[start..<min(start + 32, samples.count)], normalizedBy: card)
            let (_, gradient) = loss.forwardBackward(model.forward(batch: inputs, training: true), labels)
            model.zeroGradients()
            model.backward(gradient)
            optimizer.step(model.parameters)
        }
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try model.saveWeights(to: run + "/" + ModelCard.weightsFileName)
        try card.encoded().write(to: URL(fileURLWithPath: run + "/" + ModelCard.fileName))
    }

    /// Every row of `split` with its source path from the index, in shard order.
    func rows(_ split: String) throws -> [(sample: ShardSplit.Sample, path: String)] {
        let opened = try ShardSplit(folder: shards, split: split)
        let files = opened.manifest.splits[split]?.shards.map(\.file) ?? []
        let keys = opened.samples.map { ShardIndex.Key(shard: files[$0.shard], row: $0.row) }
        let paths = try #require(try ShardIndex.paths(of: Set(keys), in: shards + "/\(split)-index.csv"))
        return try zip(opened.samples, keys).map { ($0, try #require(paths[$1])) }
    }
}

@Suite(.serialized) struct EvaluatorOnATrainedModelTests {
    @Test func evalOnMNISTEqualsARecomputationAndNamesTheWorstErrors() throws {
        let run = try TrainedRun(data: mnistData.get(), preprocess: PreprocessOptions(width: 28, height: 28, gray: true), steps: 300)
        let evaluator = try Evaluator(run: run.run)
        evaluator.topErrors = 5
        let report = try evaluator.evaluate(folder: run.shards)
        #expect(report.split == "test")
        #expect(report.count == 500 && report.unlabeled == 0)
        #expect(report.confusion.counts.map { $0.reduce(0, +) } == Array(repeating: 50, count: 10))
        #expect(report.accuracy > 0.8, "a 32-unit MLP after 300 steps should beat 80% (got \(report.accuracy))")

        // The same numbers, one image at a time, straight from the shards.
        let test = try ShardSplit(folder: run.shards, split: "test")
        var correct = 0, loss = 0.0
        var confusion = ConfusionMatrix(classes: run.card.model.classes)
        for sample in test.samples {
            let (inputs, labels) = test.batch([sample], normalizedBy: run.card)
            let logits = run.model.forward(batch: inputs, training: false)
            let predicted = logits.argmaxRows()[0]
            confusion.add(label: labels[0], predicted: predicted)
            if predicted == labels[0] { correct += 1 }
            loss += Double(try SoftmaxCrossEntropy().loss(logits, labels))
        }
        #expect(report.confusion == confusion)
        #expect(report.accuracy == Double(correct) / 500)
        #expect(abs(report.loss - loss / 500) < 1e-5)
        #expect(report.misclassified == 500 - correct)

        // The worst errors are real test images of their true class, and predict agrees with eval.
        #expect(report.topErrors.count == 5)
        #expect(zip(report.topErrors, report.topErrors.dropFirst()).allSatisfy { $0.confidence >= $1.confidence })
        let predictor = try Predictor(run: run.run, threads: 2)
        for error in report.topErrors {
            let path = try #require(error.path)
            #expect(path.hasPrefix(try mnistData.get() + "/test/\(error.label)/"))
            #expect(FileManager.default.fileExists(atPath: path))
            let prediction = try predictor.predict([path], topK: 1)[0].get()
            #expect(prediction.top[0].label == error.predicted)
            #expect(abs(Double(prediction.top[0].probability) - error.confidence) < 1e-5)
        }
    }
}

@Suite(.serialized) struct PredictorTests {
    /// Each configuration shards real files, trains briefly, then classifies the source files
    /// of every row of a split: the network input must be the shard row's exactly, and the
    /// probabilities those of the model on the row.
    enum Configuration: String, CaseIterable, CustomTestStringConvertible {
        case mnistResizedToRGB, photosCroppedHalfFloat, photosPaddedGrayFloat, photosExactGray

        var testDescription: String { rawValue }

        func run() throws -> (TrainedRun, split: String) {
            switch self {
            case .mnistResizedToRGB:  // 28x28 gray PNGs -> 20x20 RGB: resize and gray-to-RGB
                return (try TrainedRun(data: mnistData.get(), preprocess: PreprocessOptions(width: 20, height: 20), steps: 100), "test")
            case .photosCroppedHalfFloat:  // JPEGs (progressive, EXIF, CMYK) and PNGs (alpha, palette, 16-bit)
                return (try TrainedRun(data: shardFixtures, preprocess: PreprocessOptions(width: 24, height: 24, resize: .crop),
                                       dtype: .float16, steps: 20, normalization: .scale), "train")
            case .photosPaddedGrayFloat:
                return (try TrainedRun(data: shardFixtures, preprocess: PreprocessOptions(width: 32, height: 16, gray: true, resize: .pad),
                                       dtype: .float32, spec: "conv4k3,pool2,flatten,dense", steps: 20), "train")
            case .photosExactGray:  // --exact-gray: the card's "gray": "rgb-601" reaches predict
                return (try TrainedRun(data: shardFixtures, preprocess: PreprocessOptions(width: 24, height: 24, gray: true, grayMethod: .rgb601),
                                       steps: 20), "train")
            }
        }
    }

    @Test(arguments: Configuration.allCases)
    func predictSeesAFileAsTheModelSawItsShardRow(_ configuration: Configuration) throws {
        let (run, splitName) = try configuration.run()
        let predictor = try Predictor(run: run.run, threads: 2)
        predictor.batchSize = 7  // several batches
        let split = try ShardSplit(folder: run.shards, split: splitName)
        var rows = try run.rows(splitName)
        // The shard keeps a JPEG with corrupt data (with a warning); predict refuses it.
        let corrupt = rows.filter { $0.path.hasSuffix("corrupt.jpg") }
        rows.removeAll { $0.path.hasSuffix("corrupt.jpg") }
        #expect(rows.count >= 10)

        for (sample, path) in rows.prefix(20) {
            let expected = split.batch([sample], normalizedBy: run.card).inputs.data
            let actual = try predictor.input(fileAt: path).get()
            let firstDifference = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(actual.count == expected.count && firstDifference == nil, "input of \(path) differs at \(firstDifference ?? -1)")
        }
        let results = predictor.predict(rows.map(\.path) + corrupt.map(\.path), topK: 2)
        let expected = SoftmaxCrossEntropy.probabilities(
            run.model.forward(batch: split.batch(ArraySlice(rows.map(\.sample)), normalizedBy: run.card).inputs, training: false))
        let classes = run.card.model.classes.count
        for (index, (sample, path)) in rows.enumerated() {
            let prediction = try results[index].get()
            #expect(prediction.file == path)
            let want = Array(expected.data[(index * classes)..<((index + 1) * classes)])
            #expect(zip(prediction.probabilities, want).allSatisfy { abs($0 - $1) < 1e-5 },
                    "\(path) (row \(sample.row)): \(prediction.probabilities) vs \(want)")
            #expect(prediction.top.count == 2)
            #expect(prediction.top[0].probability >= prediction.top[1].probability)
            #expect(prediction.top[0].name == run.card.model.classes[prediction.top[0].label])
        }
        for (index, (_, path)) in corrupt.enumerated() {
            guard case .failure(let error) = results[rows.count + index] else {
                Issue.record("\(path) should be refused")
                continue
            }
            #expect(error.path == path && error.reason.hasPrefix("corrupt data: "))
        }
    }

    @Test func badFilesFailAloneWithTheirReasonsAndTheOthersArePredicted() throws {
        let run = try TrainedRun(data: shardFixtures, preprocess: PreprocessOptions(width: 16, height: 16), steps: 5)
        let predictor = try Predictor(run: run.run, threads: 2)
        let dog = shardFixtures + "/train/dog/"
        let files = [shardFixtures + "/train/cat/0.jpg", dog + "empty.jpg", dog + "truncated.jpg", dog + "text.jpg",
                     dog + "anim.gif", shardFixtures + "/no-such.png", shardFixtures + "/train", dog + "rgba.png"]
        let results = predictor.predict(files, topK: 5)
        let failures = results.map { result -> String? in
            if case .failure(let error) = result { return error.description }
            return nil
        }
        #expect(failures == [
            nil,
            "\(dog)empty.jpg: empty file",
            "\(dog)truncated.jpg: truncated JPEG (no end-of-image marker)",
            "\(dog)text.jpg: not an image (unrecognised content)",
            "\(dog)anim.gif: unsupported format (GIF)",
            "\(shardFixtures)/no-such.png: cannot read: No such file or directory",
            "\(shardFixtures)/train: cannot read: Is a directory",
            nil,
        ])
        for result in [results[0], results[7]] {
            let prediction = try result.get()
            #expect(prediction.top.count == 2)  // --top-k beyond the classes gives every class
            #expect(abs(prediction.probabilities.reduce(0, +) - 1) < 1e-5)
            #expect(Set(prediction.top.map(\.name)) == ["cat", "dog"])
        }
        if case .failure(let error) = predictor.input(fileAt: dog + "empty.jpg") {
            #expect(error == FileError(path: dog + "empty.jpg", reason: "empty file"))
        } else {
            Issue.record("an empty file has no input")
        }
    }

    @Test func theCardsPreprocessingBecomesThePreprocessorsOptions() throws {
        let description = ModelDescription(layers: [.flatten, .dense(units: nil, activation: nil)], inputShape: [16, 32, 1], classes: ["a", "b"])
        var card = ModelCard(tool: "test", model: description,
                             image: .init(ImageLayout(height: 16, width: 32, channels: 1, dtype: .uint8)),
                             preprocess: .init(color: "gray", resize: "pad", filter: PreprocessOptions.filterName, exif: true, background: "white"),
                             normalize: .init(scale: 1.0 / 255, mean: [0.5], std: [0.2]), normalization: .standardize, training: [:])
        #expect(try Predictor.preprocessOptions(for: card) == PreprocessOptions(width: 32, height: 16, gray: true, resize: .pad))
        card.preprocess.background = nil
        #expect(try Predictor.preprocessOptions(for: card).background == 255)
        // "gray": how colour became gray; a card without it was made from the luma channel.
        #expect(try Predictor.preprocessOptions(for: card).grayMethod == .luma)
        card.preprocess.gray = "rgb-601"
        #expect(try Predictor.preprocessOptions(for: card).grayMethod == .rgb601)
        card.preprocess.gray = "luma"
        #expect(try Predictor.preprocessOptions(for: card).grayMethod == .luma)

        func refused(_ change: (inout ModelCard) -> Void) -> String? {
            var changed = card
            change(&changed)
            do {
                _ = try Predictor.preprocessOptions(for: changed, cardPath: "runs/x/model.json")
                return nil
            } catch {
                return "\(error)"
            }
        }
        let tail = ": this version of dsprep cannot prepare images the same way"
        #expect(refused { $0.preprocess.resize = "squash" } == "runs/x/model.json: unknown resize mode 'squash'" + tail)
        #expect(refused { $0.preprocess.filter = "lanczos" } == "runs/x/model.json: unknown resize filter 'lanczos'" + tail)
        #expect(refused { $0.preprocess.color = "rgb" } == "runs/x/model.json: colour 'rgb' with 1 channels" + tail)
        #expect(refused { $0.preprocess.exif = false }
                == "runs/x/model.json: the training images were not turned by their EXIF orientation" + tail)
        #expect(refused { $0.preprocess.background = "green" } == "runs/x/model.json: unknown background 'green'" + tail)
        #expect(refused { $0.preprocess.gray = "bt709" } == "runs/x/model.json: unknown gray conversion 'bt709'" + tail)
    }
}

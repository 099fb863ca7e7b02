import ArgumentParser
import Foundation
import Preparation
import Testing
import Training
@testable import DSPrepCLI

/// A project folder as the tutorial leaves it: `data/` (the demo set, unpacked by the binary),
/// `shards/` (`shard --gray --size 28`), and `runs/demo`, a 32-unit MLP trained for 300 steps
/// with the engine directly (so these tests do not depend on `dsprep train`). Made once.
private let project: Result<String, any Error> = Result {
    let folder = temporaryFolder()
    for arguments in [["unpack", repositoryRoot + "/Fixtures/mnist_png.zip", "-q"], ["shard", "--gray", "--size", "28", "-q"]] {
        let result = try dsprep(arguments, in: folder)
        guard result.status == 0 else { throw CLIFixtureError(message: "dsprep \(arguments[0]) failed: \(result.stderr)") }
    }
    try trainRun(shards: folder + "/shards", run: folder + "/runs/demo", steps: 300)
    return folder
}

private struct CLIFixtureError: Error { var message: String }

/// Trains `flatten,dense32,dense` with Adam on batches of 32 of the train split and writes
/// `model.safetensors` and `model.json` into `run`, as `dsprep train` does.
private func trainRun(shards: String, run: String, steps: Int) throws {
    let train = try ShardSplit(folder: shards, split: "train")
    let manifest = train.manifest
    let description = ModelDescription(layers: try LayerSpec.parseList("flatten,dense32,dense"), inputShape: train.inputShape,
                                       classes: manifest.classes)
    let card = ModelCard(tool: "dsprep test", model: description, image: manifest.image, preprocess: manifest.preprocess,
                         normalize: manifest.normalize, normalization: .standardize, training: ["steps": "\(steps)"])
    let model = try Sequential(description, seed: 42)
    let optimizer = try Adam()
    let loss = try SoftmaxCrossEntropy()
    for step in 0..<steps {
        let start = step * 32 % train.count
        let (inputs, labels) = train.batch(train.samples[start..<min(start + 32, train.count)], normalizedBy: card)
        let (_, gradient) = loss.forwardBackward(model.forward(batch: inputs, training: true), labels)
        model.zeroGradients()
        model.backward(gradient)
        optimizer.step(model.parameters)
    }
    try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
    try model.saveWeights(to: run + "/" + ModelCard.weightsFileName)
    try card.encoded().write(to: URL(fileURLWithPath: run + "/" + ModelCard.fileName))
}

/// The first few test images of `digit`, relative to the project folder.
private func testImages(_ digit: Int, count: Int = 1) throws -> [String] {
    let folder = try project.get() + "/data/test/\(digit)"
    return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().prefix(count).map { "data/test/\(digit)/\($0)" }
}

private func jsonObject(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
}

@Suite struct EvalPredictParsingTests {
    @Test func evalDefaults() throws {
        let command = try #require(try DSPrep.parseAsRoot(["eval", "runs/a"]) as? DSPrep.Eval)
        #expect(command.runFolder == "runs/a")
        #expect(command.shards == "shards")
        #expect(command.split == nil)
        #expect(command.topErrors == 10)
        #expect(command.batchSize == 64)
        #expect(command.threads == nil)
    }

    @Test func predictOptions() throws {
        let command = try #require(try DSPrep.parseAsRoot(["predict", "runs/a", "x.jpg", "y.png", "--top-k", "1", "--json"])
                                   as? DSPrep.Predict)
        #expect(command.images == ["x.jpg", "y.png"])
        #expect(command.topK == 1)
        #expect(command.global.json)
    }

    @Test(arguments: [
        (["eval", "runs/a", "--top-errors=-1"], "--top-errors must be 0 or more."),
        (["eval", "runs/a", "--batch-size", "0"], "--batch-size must be at least 1."),
        (["eval", "runs/a", "--threads", "0"], "--threads must be at least 1."),
        (["predict", "runs/a"], "Missing expected argument '<image> ...'"),
        (["predict", "runs/a", "x.png", "--top-k", "0"], "--top-k must be at least 1."),
        (["predict", "runs/a", "x.png", "--max-pixels", "0"], "--max-pixels must be at least 1."),
    ])
    func invalidOptionsAreRefusedWithASentence(arguments: [String], message: String) {
        #expect(throws: (any Error).self) { try DSPrep.parseAsRoot(arguments) }
        do {
            _ = try DSPrep.parseAsRoot(arguments)
        } catch {
            #expect(DSPrep.message(for: error) == message)
        }
    }
}

@Suite(.serialized) struct EvalEndToEndTests {
    @Test func evalPrintsScoresAMatrixAReportAndTheWorstErrors() throws {
        let folder = try project.get()
        let result = try dsprep(["eval", "runs/demo"], in: folder)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Evaluated runs/demo on shards/ (split test): 500 images")
        #expect(lines[1].hasPrefix("  loss 0.") && lines[1].hasSuffix(" of 500)"))
        #expect(lines[2] == "")
        #expect(lines[3] == "Confusion matrix (rows: true class, columns: predicted class):")
        #expect(lines[4] == "      " + (0...9).map { "  \($0)" }.joined())
        #expect(lines[5].hasPrefix("  0   "))
        #expect(lines[16] == "              precision    recall  f1-score   support")
        #expect(lines[18].hasPrefix("           0    ") && lines[18].hasSuffix("        50"))
        #expect(lines[29].hasPrefix("    accuracy                         0.") && lines[29].hasSuffix("       500"))
        #expect(lines[30].hasPrefix("   macro avg "))
        #expect(lines[31].hasPrefix("weighted avg "))
        #expect(lines[33].hasPrefix("Most confidently misclassified (10 of "))
        #expect(lines[34] == "  confidence  true  predicted  image")
        // Each error row: confidence, true, predicted, and a test image of the true class.
        for line in lines[35..<45] {
            let fields = line.split(separator: " ").map(String.init)
            #expect(fields.count == 4, "\(line)")
            #expect(fields[1] != fields[2])
            #expect(fields[3].hasPrefix("data/test/\(fields[1])/"), "\(line)")
            #expect(FileManager.default.fileExists(atPath: folder + "/" + fields[3]))
        }
        #expect(lines[45] == "" && lines.count == 46)

        // The headline agrees with the JSON report and with the matrix.
        let json = try #require(try jsonObject(try dsprep(["eval", "runs/demo", "--json"], in: folder).stdout) as? [String: Any])
        let matrix = try #require(json["confusion_matrix"] as? [[Int]])
        let correct = (0..<10).reduce(0) { $0 + matrix[$1][$1] }
        #expect(lines[1].hasSuffix(String(format: "accuracy %.2f%% (%d of 500)", Double(correct) / 5, correct)))
    }

    @Test func evalJSONHasEverything() throws {
        let folder = try project.get()
        let result = try dsprep(["eval", "runs/demo", "shards", "--json", "--top-errors", "3", "--batch-size", "7", "--threads", "1"],
                                in: folder)
        #expect(result.status == 0)
        let json = try #require(try jsonObject(result.stdout) as? [String: Any])
        #expect(json["split"] as? String == "test")
        #expect(json["count"] as? Int == 500)
        #expect(json["notes"] as? [String] == [])
        #expect(json["classes"] as? [String] == (0...9).map(String.init))
        let matrix = try #require(json["confusion_matrix"] as? [[Int]])
        #expect(matrix.map { $0.reduce(0, +) } == Array(repeating: 50, count: 10))
        let correct = (0..<10).reduce(0) { $0 + matrix[$1][$1] }
        #expect(json["accuracy"] as? Double == Double(correct) / 500)
        #expect(json["misclassified"] as? Int == 500 - correct)
        let perClass = try #require(json["per_class"] as? [[String: Any]])
        #expect(perClass.map { $0["class"] as? String } == (0...9).map(String.init))
        #expect(perClass.allSatisfy { ($0["support"] as? Int) == 50 && $0["f1_score"] is Double })
        let weighted = try #require(json["weighted_avg"] as? [String: Any])
        #expect(abs((weighted["recall"] as? Double ?? 0) - Double(correct) / 500) < 1e-12)
        #expect((json["macro_avg"] as? [String: Any])?["support"] as? Int == 500)
        let errors = try #require(json["top_errors"] as? [[String: Any]])
        #expect(errors.count == 3)
        for error in errors {
            let path = try #require(error["path"] as? String), label = try #require(error["true"] as? String)
            #expect(path.hasPrefix("data/test/\(label)/"))
            #expect(error["predicted"] as? String != label)
            #expect(error["shard"] as? String == "test-00000.safetensors")
            #expect((error["confidence"] as? Double ?? 0) > (error["true_probability"] as? Double ?? 1))
        }
        // Batch size and threads change nothing but speed.
        let text = try dsprep(["eval", "runs/demo", "--top-errors", "3"], in: folder).stdout
        let other = try dsprep(["eval", "runs/demo", "--top-errors", "3", "--batch-size", "500", "--threads", "2"], in: folder).stdout
        #expect(text == other)
    }

    @Test func evalFallsBackToValidationAndSaysSo() throws {
        let folder = try project.get()
        let files = FileManager.default
        try files.createDirectory(atPath: folder + "/data-v", withIntermediateDirectories: true)
        try files.copyItem(atPath: folder + "/data/train", toPath: folder + "/data-v/train")
        try files.copyItem(atPath: folder + "/data/test", toPath: folder + "/data-v/validation")
        #expect(try dsprep(["shard", "data-v", "--out", "shards-v", "--gray", "--size", "28", "-q"], in: folder).status == 0)
        let result = try dsprep(["eval", "runs/demo", "shards-v", "--top-errors", "0"], in: folder)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "Evaluated runs/demo on shards-v/ (split validation): 500 images")
        #expect(lines[2] == "  note: shards-v has no test split; evaluated the validation split")
        #expect(!result.stdout.contains("Most confidently misclassified"))

        let named = try dsprep(["eval", "runs/demo", "shards-v", "--split", "test"], in: folder)
        #expect(named.status == 1)
        #expect(named.stdout == "")
        #expect(named.stderr == "dsprep: shards-v: no split 'test' (the shards have: train, validation)\n")

        try files.removeItem(atPath: folder + "/data-v/validation")
        #expect(try dsprep(["shard", "data-v", "--out", "shards-t", "--gray", "--size", "28", "-q"], in: folder).status == 0)
        let neither = try dsprep(["eval", "runs/demo", "shards-t"], in: folder)
        #expect(neither.status == 1)
        #expect(neither.stderr == "dsprep: shards-t: no test or validation split to evaluate (the shards have: train): "
                + "split the data with 'dsprep split' and shard it again, or name a split with --split\n")
    }

    @Test func evalRefusesShardsThatDoNotFitAndMissingRuns() throws {
        let folder = try project.get()
        #expect(try dsprep(["shard", "--gray", "--size", "20", "--out", "shards20", "-q"], in: folder).status == 0)
        let size = try dsprep(["eval", "runs/demo", "shards20"], in: folder)
        #expect(size.status == 1)
        #expect(size.stdout == "")
        #expect(size.stderr == "dsprep: shards20/manifest.json: the shards hold 20x20x1 uint8 images but the model takes "
                + "28x28x1 uint8: shard the data again with the model's size, colour and dtype\n")

        let missing = try dsprep(["eval", "runs/none"], in: folder)
        #expect(missing.status == 1)
        #expect(missing.stderr == "dsprep: runs/none/model.json: no model.json (is this a run folder written by 'dsprep train'?)\n")

        let noShards = try dsprep(["eval", "runs/demo", "nowhere"], in: folder)
        #expect(noShards.status == 1)
        #expect(noShards.stderr == "dsprep: nowhere/manifest.json: no manifest (run 'dsprep shard' first, or name the shards folder)\n")

        let usage = try dsprep(["eval", "runs/demo", "--top-errors=-2"], in: folder)
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("--top-errors must be 0 or more."))
    }
}

@Suite(.serialized) struct PredictEndToEndTests {
    @Test func predictPrintsTheTopClassesAndReportsBadFilesAlone() throws {
        let folder = try project.get()
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder + "/notes.png"))
        let images = try testImages(7, count: 2) + ["notes.png"] + testImages(3) + ["missing.jpg"]
        let result = try dsprep(["predict", "runs/demo"] + images, in: folder)
        #expect(result.status == 1)
        #expect(result.stderr == "dsprep: notes.png: not an image (unrecognised content)\n"
                + "dsprep: missing.jpg: cannot read: No such file or directory\n")

        // The lines are the library's predictions, formatted: name, top 3, two decimals.
        let predictor = try Predictor(run: folder + "/runs/demo", threads: 1)
        let good = [images[0], images[1], images[3]]
        let expected = try predictor.predict(good.map { folder + "/" + $0 }, topK: 3).enumerated().map { index, result in
            let prediction = try result.get()
            return good[index] + ": " + prediction.top.map { "\($0.name) \(String(format: "%.2f", $0.probability))" }.joined(separator: ", ")
        }
        #expect(result.stdout == expected.joined(separator: "\n") + "\n")
        let pattern = #/^data/test/\d/\d+\.png: \d \d\.\d\d, \d \d\.\d\d, \d \d\.\d\d$/#
        #expect(expected.allSatisfy { $0.wholeMatch(of: pattern) != nil }, "\(expected)")

        let tooLarge = try dsprep(["predict", "runs/demo", images[0], "--max-pixels", "100"], in: folder)
        #expect(tooLarge.status == 1)
        #expect(tooLarge.stdout == "")
        #expect(tooLarge.stderr == "dsprep: \(images[0]): image has 28x28 pixels, more than the limit of 100 (see --max-pixels)\n")

        let allGood = try dsprep(["predict", "runs/demo", images[0], "--top-k", "1"], in: folder)
        #expect(allGood.status == 0)
        #expect(allGood.stderr == "")
        #expect(allGood.stdout == expected[0].prefix { $0 != "," } + "\n")
    }

    @Test func predictJSONListsPredictionsAndErrors() throws {
        let folder = try project.get()
        let images = try testImages(1) + ["missing.png"]
        let result = try dsprep(["predict", "runs/demo", "--json", "--top-k", "2"] + images, in: folder)
        #expect(result.status == 1)
        #expect(result.stderr == "dsprep: missing.png: cannot read: No such file or directory\n")
        let items = try #require(try jsonObject(result.stdout) as? [[String: Any]])
        #expect(items.count == 2)
        #expect(items[0]["file"] as? String == images[0])
        let top = try #require(items[0]["top"] as? [[String: Any]])
        #expect(top.count == 2)
        #expect(items[0]["predicted"] as? String == top[0]["class"] as? String)
        #expect((top[0]["probability"] as? Double ?? 0) >= (top[1]["probability"] as? Double ?? 1))
        #expect(items[1].count == 2)
        #expect(items[1]["file"] as? String == "missing.png")
        #expect(items[1]["error"] as? String == "cannot read: No such file or directory")
    }

    @Test func predictNeedsARunFolder() throws {
        let folder = try project.get()
        let result = try dsprep(["predict", "runs/none", "x.png"], in: folder)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == "dsprep: runs/none/model.json: no model.json (is this a run folder written by 'dsprep train'?)\n")
    }
}

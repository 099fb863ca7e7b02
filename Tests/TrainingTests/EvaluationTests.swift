import Foundation
import Sharding
import Testing
@testable import Training

/// Expects `actual` within 1e-12 of `expected`.
private func expectNear(_ actual: Double, _ expected: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(actual - expected) < 1e-12, "\(what): \(actual), expected \(expected)", sourceLocation: sourceLocation)
}

@Suite struct EvalConfusionMatrixTests {
    /// Three classes; `c` is never predicted. By hand:
    ///
    ///     true\pred  a  b  c     precision  recall  f1    support
    ///     a          2  1  0     2/4        2/3     4/7   3
    ///     b          1  1  0     1/3        1/2     2/5   2
    ///     c          1  1  0     0 (0/0)    0/2     0     2
    @Test func countsAndScoresOfAHandWorkedExample() {
        let matrix = ConfusionMatrix(classes: ["a", "b", "c"], labels: [0, 0, 0, 1, 1, 2, 2], predictions: [0, 0, 1, 1, 0, 1, 0])
        #expect(matrix.counts == [[2, 1, 0], [1, 1, 0], [1, 1, 0]])
        #expect(matrix.total == 7)
        #expect(matrix.correct == 3)
        expectNear(matrix.accuracy, 3.0 / 7, "accuracy")
        let scores = matrix.scores
        #expect(scores.map(\.name) == ["a", "b", "c"])
        #expect(scores.map(\.support) == [3, 2, 2])
        for (actual, expected) in zip(scores.map(\.precision), [0.5, 1.0 / 3, 0]) { expectNear(actual, expected, "precision") }
        for (actual, expected) in zip(scores.map(\.recall), [2.0 / 3, 0.5, 0]) { expectNear(actual, expected, "recall") }
        for (actual, expected) in zip(scores.map(\.f1), [4.0 / 7, 2.0 / 5, 0]) { expectNear(actual, expected, "f1") }

        // macro: plain means over the three classes; weighted: by support 3, 2, 2.
        let macro = matrix.macroAverage, weighted = matrix.weightedAverage
        #expect(macro.name == "macro avg" && weighted.name == "weighted avg")
        #expect(macro.support == 7 && weighted.support == 7)
        expectNear(macro.precision, 5.0 / 18, "macro precision")
        expectNear(macro.recall, 7.0 / 18, "macro recall")
        expectNear(macro.f1, 34.0 / 105, "macro f1")
        expectNear(weighted.precision, 13.0 / 42, "weighted precision")
        expectNear(weighted.recall, 3.0 / 7, "weighted recall")  // always equals the accuracy
        expectNear(weighted.f1, 88.0 / 245, "weighted f1")
    }

    @Test func aPerfectClassifierScoresOneEverywhere() {
        let matrix = ConfusionMatrix(classes: ["x", "y"], labels: [0, 1, 1, 0, 1], predictions: [0, 1, 1, 0, 1])
        #expect(matrix.counts == [[2, 0], [0, 3]])
        #expect(matrix.accuracy == 1)
        #expect(matrix.scores.allSatisfy { $0.precision == 1 && $0.recall == 1 && $0.f1 == 1 })
        #expect(matrix.macroAverage.f1 == 1 && matrix.weightedAverage.f1 == 1)
    }

    @Test func anEmptyMatrixScoresZeroWithoutDividingByZero() {
        let matrix = ConfusionMatrix(classes: ["x", "y"])
        #expect(matrix.total == 0)
        #expect(matrix.accuracy == 0)
        #expect(matrix.scores == [ClassScore(name: "x", precision: 0, recall: 0, f1: 0, support: 0),
                                  ClassScore(name: "y", precision: 0, recall: 0, f1: 0, support: 0)])
        #expect(matrix.weightedAverage == ClassScore(name: "weighted avg", precision: 0, recall: 0, f1: 0, support: 0))
    }
}

/// A shards folder with one `test` split of 1x2 gray images in two shards (4 + 3 rows), and a
/// model whose logits are its inputs scaled to 0...1 (identity weights), so that every
/// prediction, probability and loss is known:
///
///     shard, row  pixels    label  logits     predicted
///     0, 0        255, 0    a      1, 0       a
///     0, 1        0, 255    b      0, 1       b
///     0, 2        255, 0    b      1, 0       a  (wrong, p = σ(1))
///     0, 3        0, 51     a      0, .2      b  (wrong, p = σ(.2))
///     1, 0        102, 0    -1     (unlabelled: left out)
///     1, 1        0, 255    a      0, 1       b  (wrong, p = σ(1))
///     1, 2        0, 0      a      0, 0       a  (a tie goes to the first class)
private struct TinyFixture {
    static let rows: [(pixels: [UInt8], label: Int64, source: String)] = [
        ([255, 0], 0, "data/test/a/0.png"), ([0, 255], 1, "data/test/b/1.png"), ([255, 0], 1, "data/test/b/a,\"quoted\".png"),
        ([0, 51], 0, "data/test/a/3.png"), ([102, 0], -1, "data/unlabeled/4.png"), ([0, 255], 0, "data/test/a/line\nbreak.png"),
        ([0, 0], 0, "data/test/a/6.png"),
    ]
    static let image = ImageLayout(height: 1, width: 2, channels: 1, dtype: .uint8)

    let folder: String
    let card: ModelCard
    let model: Sequential

    /// - Parameter unlabelled: the splits whose every row is unlabelled (label -1).
    init(splits: [String] = ["test"], unlabelled: Set<String> = []) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-eval-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var entries: [String: Manifest.SplitEntry] = [:]
        for split in splits {
            let writer = try ShardSetWriter(folder: folder, naming: ShardNaming(split: split), image: Self.image, classes: ["a", "b"],
                                            options: .init(maxCount: 4, durable: false))
            for row in Self.rows {
                let label = unlabelled.contains(split) ? -1 : row.label
                try row.pixels.withUnsafeBytes { try writer.append(row: $0, label: label, source: row.source) }
            }
            entries[split] = Manifest.SplitEntry(shards: try writer.finish().map { Manifest.ShardEntry($0, sha256: "") }, classCount: 2)
        }
        let preprocess = Manifest.Preprocess(color: "gray", resize: "stretch", filter: "pillow-bilinear", exif: true, background: "white")
        let normalize = Manifest.Normalize(scale: 1.0 / 255, mean: [0.5], std: [0.25])
        let manifest = Manifest(tool: "test", classes: ["a", "b"], image: .init(Self.image), preprocess: preprocess,
                                normalize: normalize, seed: 1, splits: entries)
        try manifest.write(to: folder)
        let description = ModelDescription(layers: try LayerSpec.parseList("flatten,dense"), inputShape: [1, 2, 1], classes: ["a", "b"])
        card = ModelCard(tool: "test", model: description, image: .init(Self.image), preprocess: preprocess, normalize: normalize,
                         normalization: .scale, training: [:])
        model = try Sequential(description, seed: 1)
        try #require(model.parameter(named: "layers.1.weight")).value = Tensor(shape: [2, 2], data: [1, 0, 0, 1])
        try #require(model.parameter(named: "layers.1.bias")).value = Tensor(zeros: [2])
    }
}

private func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

@Suite struct EvaluatorTests {
    @Test func lossConfusionAndTheMostConfidentErrorsOfAKnownModel() throws {
        let fixture = try TinyFixture()
        let evaluator = Evaluator(card: fixture.card, model: fixture.model)
        evaluator.batchSize = 4  // batches cross the shard boundary
        var progress: [Int] = []
        evaluator.onProgress = { done, total in
            #expect(total == 6)
            progress.append(done)
        }
        let report = try evaluator.evaluate(folder: fixture.folder)
        #expect(progress == [4, 6])
        #expect(report.split == "test")
        #expect(report.notes.isEmpty)
        #expect(report.count == 6 && report.unlabeled == 1)
        #expect(report.confusion.counts == [[2, 2], [1, 1]])
        #expect(report.accuracy == 0.5)
        // -log p(true class) per labelled row, as in the table above.
        let losses = [log(1 + exp(-1.0)), log(1 + exp(-1.0)), log(1 + exp(1.0)), log(1 + exp(0.2)), log(1 + exp(1.0)), log(2.0)]
        #expect(abs(report.loss - losses.reduce(0, +) / 6) < 1e-6)
        #expect(report.misclassified == 3)
        // Most confident first; the two at σ(1) in shard order; paths from the index, quoting undone.
        let errors = report.topErrors
        #expect(errors.map(\.shard) == ["test-00000.safetensors", "test-00001.safetensors", "test-00000.safetensors"])
        #expect(errors.map(\.row) == [2, 1, 3])
        #expect(errors.map(\.path) == ["data/test/b/a,\"quoted\".png", "data/test/a/line\nbreak.png", "data/test/a/3.png"])
        #expect(errors.map(\.label) == [1, 0, 0])
        #expect(errors.map(\.predicted) == [0, 1, 1])
        for (actual, expected) in zip(errors.map(\.confidence), [sigmoid(1), sigmoid(1), sigmoid(0.2)]) {
            #expect(abs(actual - expected) < 1e-6)
        }
        for (actual, expected) in zip(errors.map(\.trueProbability), [sigmoid(-1), sigmoid(-1), sigmoid(-0.2)]) {
            #expect(abs(actual - expected) < 1e-6)
        }
    }

    @Test(arguments: [0, 1, 2, 64])
    func topErrorsKeepsTheNMostConfident(limit: Int) throws {
        let fixture = try TinyFixture()
        let evaluator = Evaluator(card: fixture.card, model: fixture.model)
        evaluator.topErrors = limit
        evaluator.batchSize = 1
        let report = try evaluator.evaluate(folder: fixture.folder)
        #expect(report.misclassified == 3)
        #expect(report.topErrors.map(\.row) == Array([2, 1, 3].prefix(limit)))
    }

    @Test func withoutAnIndexTheErrorsAreNamedByShardAndRow() throws {
        let fixture = try TinyFixture()
        try FileManager.default.removeItem(atPath: fixture.folder + "/test-index.csv")
        let report = try Evaluator(card: fixture.card, model: fixture.model).evaluate(folder: fixture.folder)
        #expect(report.topErrors.count == 3)
        #expect(report.topErrors.allSatisfy { $0.path == nil })
        #expect(report.notes == ["no \(fixture.folder)/test-index.csv: the misclassified images are named by shard and row"])
    }

    @Test func theDefaultSplitIsTestThenValidation() throws {
        let both = try TinyFixture(splits: ["train", "validation", "test"])
        let evaluator = Evaluator(card: both.card, model: both.model)
        #expect(try evaluator.evaluate(folder: both.folder).split == "test")
        #expect(try evaluator.evaluate(folder: both.folder, split: "train").split == "train")

        let noTest = try TinyFixture(splits: ["train", "validation"])
        let report = try Evaluator(card: noTest.card, model: noTest.model).evaluate(folder: noTest.folder)
        #expect(report.split == "validation")
        #expect(report.notes == ["\(noTest.folder) has no test split; evaluated the validation split"])
        #expect(report.count == 6)

        let onlyTrain = try TinyFixture(splits: ["train"])
        #expect(throws: FileError(path: onlyTrain.folder, reason: "no test or validation split to evaluate (the shards have: train): "
                                        + "split the data with 'dsprep split' and shard it again, or name a split with --split")) {
            try Evaluator(card: onlyTrain.card, model: onlyTrain.model).evaluate(folder: onlyTrain.folder)
        }
        #expect(throws: FileError(path: onlyTrain.folder, reason: "no split 'test' (the shards have: train)")) {
            try Evaluator(card: onlyTrain.card, model: onlyTrain.model).evaluate(folder: onlyTrain.folder, split: "test")
        }
    }

    @Test func shardsThatDoNotFitTheModelAreRefusedWithASentence() throws {
        let fixture = try TinyFixture()
        let path = fixture.folder + "/manifest.json"
        var card = fixture.card
        card.model.classes = ["cat", "dog"]
        let model = try Sequential(card.model, seed: 1)
        #expect(throws: FileError(path: path, reason: "the shards' classes (a, b) are not the model's (cat, dog): "
                                        + "evaluate shards made from the same classes")) {
            try Evaluator(card: card, model: model).evaluate(folder: fixture.folder)
        }

        card = fixture.card
        card.image.channels = 3
        card.model.inputShape = [1, 2, 3]
        #expect(throws: FileError(path: path, reason: "the shards hold 2x1x1 uint8 images but the model takes 2x1x3 uint8: "
                                        + "shard the data again with the model's size, colour and dtype")) {
            try Evaluator(card: card, model: Sequential(card.model, seed: 1)).evaluate(folder: fixture.folder)
        }

        card = fixture.card
        card.image.dtype = .float16
        #expect(throws: FileError(path: path, reason: "the shards hold 2x1x1 uint8 images but the model takes 2x1x1 float16: "
                                        + "shard the data again with the model's size, colour and dtype")) {
            try Evaluator(card: card, model: fixture.model).evaluate(folder: fixture.folder)
        }

        #expect(throws: FileError(path: fixture.folder + "/nothing/manifest.json",
                                        reason: "no manifest (run 'dsprep shard' first, or name the shards folder)")) {
            try Evaluator(card: fixture.card, model: fixture.model).evaluate(folder: fixture.folder + "/nothing")
        }
    }

    @Test func aSplitWithoutLabelsHasNothingToScore() throws {
        let fixture = try TinyFixture(splits: ["test", "unlabeled"], unlabelled: ["unlabeled"])
        #expect(throws: FileError(path: fixture.folder, reason: "the split 'unlabeled' has no labelled images to score")) {
            try Evaluator(card: fixture.card, model: fixture.model).evaluate(folder: fixture.folder, split: "unlabeled")
        }
    }

    @Test func anotherResizeModeIsANoteNotAnError() throws {
        let fixture = try TinyFixture()
        var card = fixture.card
        card.preprocess.resize = "crop"
        let report = try Evaluator(card: card, model: fixture.model).evaluate(folder: fixture.folder)
        #expect(report.notes == ["the shards were preprocessed differently from the model's training data (resize stretch, not crop)"])
    }

    @Test func standardizationIsAppliedAsInTraining() throws {
        // With `standardize`, inputs are (x / 255 - 0.5) / 0.25: row 0 gives logits (2, -2).
        let fixture = try TinyFixture()
        var card = fixture.card
        card.normalization = .standardize
        let evaluator = Evaluator(card: card, model: fixture.model)
        evaluator.topErrors = 1
        let report = try evaluator.evaluate(folder: fixture.folder)
        #expect(abs(report.topErrors[0].confidence - 1 / (1 + exp(-4))) < 1e-6)
    }
}

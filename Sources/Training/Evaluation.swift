import Foundation
import Sharding

/// How a classifier did on labelled samples: counts of (true class, predicted class), and the
/// scores scikit-learn's `confusion_matrix` and `classification_report` compute from them.
///
/// `counts[t][p]` is the number of samples of true class `t` predicted as `p` (rows true,
/// columns predicted, as sklearn). For class `c`: precision = `counts[c][c] / column sum`,
/// recall = `counts[c][c] / row sum` (its support), F1 = `2 p r / (p + r)`; a ratio whose
/// denominator is 0 (a class never predicted, or with no samples) is 0, sklearn's
/// `zero_division` default. The macro average is the plain mean over every class of the model
/// (sklearn's `labels=range(classes)`); the weighted average weighs each class by its support.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    public let classes: [String]
    /// `counts[true][predicted]`, `classes.count` x `classes.count`.
    public private(set) var counts: [[Int]]

    /// An empty matrix for `classes`.
    public init(classes: [String]) {
        self.classes = classes
        counts = Array(repeating: Array(repeating: 0, count: classes.count), count: classes.count)
    }

    /// The matrix of `labels` against `predictions` (class indices, pairwise).
    /// - Precondition: as many predictions as labels, all in `0..<classes.count`.
    public init(classes: [String], labels: [Int], predictions: [Int]) {
        precondition(labels.count == predictions.count, "\(labels.count) labels, \(predictions.count) predictions")
        self.init(classes: classes)
        for (label, predicted) in zip(labels, predictions) { add(label: label, predicted: predicted) }
    }

    /// Counts one sample of class `label` predicted as `predicted`.
    public mutating func add(label: Int, predicted: Int) {
        precondition(counts.indices.contains(label) && counts.indices.contains(predicted),
                     "class \(label) or \(predicted) is not in 0..<\(classes.count)")
        counts[label][predicted] += 1
    }

    /// Samples counted.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    /// Samples on the diagonal.
    public var correct: Int { counts.indices.reduce(0) { $0 + counts[$1][$1] } }
    /// `correct / total`, 0 for an empty matrix.
    public var accuracy: Double { Self.ratio(correct, total) }

    /// Precision, recall, F1 and support of each class, in class order.
    public var scores: [ClassScore] {
        classes.indices.map { c in
            let predicted = counts.reduce(0) { $0 + $1[c] }
            let support = counts[c].reduce(0, +)
            let precision = Self.ratio(counts[c][c], predicted), recall = Self.ratio(counts[c][c], support)
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return ClassScore(name: classes[c], precision: precision, recall: recall, f1: f1, support: support)
        }
    }

    /// The unweighted mean of every class's scores; support is the total.
    public var macroAverage: ClassScore { average(named: "macro avg") { _ in 1 } }

    /// The mean of every class's scores weighted by its support; support is the total.
    public var weightedAverage: ClassScore { average(named: "weighted avg") { Double($0.support) } }

    private func average(named name: String, weight: (ClassScore) -> Double) -> ClassScore {
        let scores = self.scores
        let total = scores.reduce(0.0) { $0 + weight($1) }
        func mean(_ value: KeyPath<ClassScore, Double>) -> Double {
            total > 0 ? scores.reduce(0.0) { $0 + weight($1) * $1[keyPath: value] } / total : 0
        }
        return ClassScore(name: name, precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1),
                          support: scores.reduce(0) { $0 + $1.support })
    }

    private static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator > 0 ? Double(numerator) / Double(denominator) : 0
    }
}

/// One row of a classification report.
public struct ClassScore: Codable, Equatable, Sendable {
    /// The class name, or `macro avg` / `weighted avg`.
    public var name: String
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Samples of the class (for an average: of every class).
    public var support: Int

    public init(name: String, precision: Double, recall: Double, f1: Double, support: Int) {
        self.name = name
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
    }
}

/// A sample the model got wrong, and how sure it was.
public struct Misclassification: Codable, Equatable, Sendable {
    /// The shard file (in the shards folder) and the row in it.
    public var shard: String
    public var row: Int
    /// The source image, from `<split>-index.csv`; nil when the index is missing or lacks the row.
    public var path: String?
    /// The true class index and the predicted one.
    public var label: Int
    public var predicted: Int
    /// The probability the model gave the predicted class.
    public var confidence: Double
    /// The probability it gave the true class.
    public var trueProbability: Double
}

/// What `dsprep eval` found on one split.
public struct EvaluationReport: Codable, Equatable, Sendable {
    /// The split evaluated.
    public var split: String
    /// Things the user should know (the split fallen back to, preprocessing that differs).
    public var notes: [String]
    /// Labelled samples evaluated; unlabelled ones (label -1) are counted and left out.
    public var count: Int
    public var unlabeled: Int
    /// The mean softmax cross-entropy over the samples (no label smoothing, no class weights).
    public var loss: Double
    public var confusion: ConfusionMatrix
    /// Every misclassified sample's count, and the most confident of them, most confident first
    /// (ties: in shard order).
    public var misclassified: Int
    public var topErrors: [Misclassification]

    public var accuracy: Double { confusion.accuracy }
}

/// Runs a trained model over a split of a shards folder: loss, confusion matrix and the most
/// confidently misclassified samples, batch by batch (memory holds one batch and the shards'
/// labels; the shards are memory-mapped). Inputs are normalised by the model card, exactly as
/// in training.
public final class Evaluator {
    public let card: ModelCard
    public let model: Sequential
    /// Where the card came from, for messages.
    public let cardPath: String
    /// Samples per forward pass.
    public var batchSize = 64
    /// How many misclassified samples to keep, most confident first.
    public var topErrors = 10
    /// Called after each batch with (samples done, samples in all).
    public var onProgress: (_ done: Int, _ total: Int) -> Void = { _, _ in }

    public init(card: ModelCard, model: Sequential, cardPath: String = ModelCard.fileName) {
        self.card = card
        self.model = model
        self.cardPath = cardPath
    }

    /// The model in a run folder: `model.json` and the weights in `model.safetensors`.
    /// - Throws: `ModelCardError`, `TrainingError.unreadableFile` or `.invalidModel`.
    public convenience init(run folder: String) throws {
        let card = try ModelCard.read(run: folder)
        let model = try Sequential.load(card.model, weightsFrom: folder + "/" + ModelCard.weightsFileName)
        self.init(card: card, model: model, cardPath: folder + "/" + ModelCard.fileName)
    }

    /// The split to evaluate: `requested` if given; otherwise `test`, else `validation` with a note.
    /// - Throws: `FileError` naming the splits there are.
    public static func chooseSplit(_ requested: String?, in manifest: Manifest, folder: String) throws -> (split: String, note: String?) {
        let available = manifest.splitNames.joined(separator: ", ")
        if let requested {
            guard manifest.splits[requested] != nil else {
                throw FileError(path: folder, reason: "no split '\(requested)' (the shards have: \(available))")
            }
            return (requested, nil)
        }
        if manifest.splits["test"] != nil { return ("test", nil) }
        if manifest.splits["validation"] != nil {
            return ("validation", "\(folder) has no test split; evaluated the validation split")
        }
        throw FileError(path: folder, reason: "no test or validation split to evaluate (the shards have: \(available)): "
                        + "split the data with 'dsprep split' and shard it again, or name a split with --split")
    }

    /// Checks that `manifest`'s images can go through this model: the same classes in the same
    /// order, the same height, width, channels and dtype.
    /// - Returns: notes on what differs without making the scores meaningless (another resize mode).
    /// - Throws: `FileError` saying what differs and what to do.
    public func check(_ manifest: Manifest, folder: String) throws -> [String] {
        let path = folder + "/" + Manifest.fileName
        guard manifest.classes == card.model.classes else {
            throw FileError(path: path, reason: "the shards' classes (\(Self.list(manifest.classes))) are not the model's "
                            + "(\(Self.list(card.model.classes))): evaluate shards made from the same classes")
        }
        let shards = manifest.image, wanted = card.image
        guard (shards.height, shards.width, shards.channels, shards.dtype) == (wanted.height, wanted.width, wanted.channels, wanted.dtype) else {
            throw FileError(path: path, reason: "the shards hold \(Self.layout(shards)) images but the model takes "
                            + "\(Self.layout(wanted)): shard the data again with the model's size, colour and dtype")
        }
        guard card.model.inputShape.reduce(1, *) == wanted.height * wanted.width * wanted.channels else {
            throw FileError(path: cardPath, reason: "the model's input shape \(card.model.inputShape) does not hold "
                            + "its \(Self.layout(wanted)) images")
        }
        let (had, has) = (card.preprocess, manifest.preprocess)
        let differences = [("resize", has.resize, had.resize), ("filter", has.filter, had.filter),
                           ("exif", "\(has.exif)", "\(had.exif)"),
                           ("background", has.background ?? "white", had.background ?? "white")]
            .filter { $0.1 != $0.2 }.map { "\($0.0) \($0.1), not \($0.2)" }
        guard differences.isEmpty else {
            return ["the shards were preprocessed differently from the model's training data (\(differences.joined(separator: ", ")))"]
        }
        return []
    }

    /// Evaluates the split `split` (see `chooseSplit`) of the shards folder `folder`, after
    /// checking that its images fit the model (`check`), and names the worst errors' source
    /// images from `<split>-index.csv` (a note says so when there is no index).
    /// - Throws: `FileError` (no manifest, no such split, shards that do not fit the model),
    ///   `ShardError` for a bad shard or a damaged index.
    public func evaluate(folder: String, split requested: String? = nil) throws -> EvaluationReport {
        let manifestPath = folder + "/" + Manifest.fileName
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw FileError(path: manifestPath, reason: "no manifest (run 'dsprep shard' first, or name the shards folder)")
        }
        let manifest: Manifest
        do { manifest = try Manifest.decode(data) } catch { throw FileError(path: manifestPath, reason: error.description) }
        let (name, note) = try Self.chooseSplit(requested, in: manifest, folder: folder)
        var notes = try check(manifest, folder: folder)
        if let note { notes.insert(note, at: 0) }
        var report = try evaluate(ShardSplit(folder: folder, split: name))
        report.notes = notes
        let wanted = report.topErrors.map { ShardIndex.Key(shard: $0.shard, row: $0.row) }
        let indexPath = folder + "/" + ShardNaming(split: name).indexFile
        if let paths = try ShardIndex.paths(of: Set(wanted), in: indexPath) {
            for index in report.topErrors.indices {
                report.topErrors[index].path = paths[wanted[index]]
            }
        } else if !report.topErrors.isEmpty {
            report.notes.append("no \(indexPath): the misclassified images are named by shard and row")
        }
        return report
    }

    /// Evaluates every labelled sample of an open split, in shard order.
    /// - Throws: `FileError` for a label outside the model's classes.
    public func evaluate(_ split: ShardSplit) throws -> EvaluationReport {
        let classes = card.model.classes
        guard split.sampleSize == card.model.inputShape.reduce(1, *) else {
            throw FileError(path: split.readers.first?.file.path ?? split.name,
                            reason: "the shards' images do not fit the model's input shape \(card.model.inputShape)")
        }
        let labelled = split.samples.filter { $0.label >= 0 }
        if let bad = labelled.first(where: { $0.label >= classes.count }) {
            throw FileError(path: split.readers[bad.shard].file.path,
                            reason: "row \(bad.row) has label \(bad.label), but the model has \(classes.count) classes")
        }
        guard !labelled.isEmpty else {
            throw FileError(path: split.readers.first.map { ($0.file.path as NSString).deletingLastPathComponent } ?? split.name,
                            reason: "the split '\(split.name)' has no labelled images to score")
        }
        let files = split.manifest.splits[split.name]?.shards.map(\.file) ?? []
        let lossFunction = try SoftmaxCrossEntropy()
        var confusion = ConfusionMatrix(classes: classes)
        var lossSum = 0.0
        var misclassified = 0
        var worst: [Misclassification] = []  // the most confident errors so far, most confident first
        var start = 0
        while start < labelled.count {
            let chunk = labelled[start..<min(start + max(batchSize, 1), labelled.count)]
            let (inputs, labels) = split.batch(chunk, normalizedBy: card)
            let logits = model.forward(batch: inputs.reshaped([chunk.count] + card.model.inputShape), training: false)
            lossSum += Double(lossFunction.loss(logits, labels)) * Double(chunk.count)
            let probabilities = SoftmaxCrossEntropy.probabilities(logits)
            for (offset, predicted) in logits.argmaxRows().enumerated() {
                let sample = chunk[chunk.startIndex + offset]
                confusion.add(label: sample.label, predicted: predicted)
                guard predicted != sample.label else { continue }
                misclassified += 1
                let confidence = Self.shortest(probabilities.data[offset * classes.count + predicted])
                guard topErrors > 0, worst.count < topErrors || confidence > worst[worst.count - 1].confidence else { continue }
                let error = Misclassification(
                    shard: sample.shard < files.count ? files[sample.shard] : "shard \(sample.shard)", row: sample.row, path: nil,
                    label: sample.label, predicted: predicted, confidence: confidence,
                    trueProbability: Self.shortest(probabilities.data[offset * classes.count + sample.label]))
                // An equal confidence goes after, so ties stay in shard order.
                worst.insert(error, at: worst.firstIndex { $0.confidence < confidence } ?? worst.count)
                if worst.count > topErrors { worst.removeLast() }
            }
            start = chunk.endIndex
            onProgress(start, labelled.count)
        }
        return EvaluationReport(split: split.name, notes: [], count: labelled.count, unlabeled: split.count - labelled.count,
                                loss: lossSum / Double(labelled.count), confusion: confusion,
                                misclassified: misclassified, topErrors: worst)
    }

    /// The Double whose shortest decimal form is the Float's (0.9633279, not 0.9633278846740723).
    private static func shortest(_ value: Float) -> Double {
        Double(value.description) ?? Double(value)
    }

    private static func list(_ classes: [String]) -> String {
        classes.count <= 6 ? classes.joined(separator: ", ") : classes.prefix(5).joined(separator: ", ") + ", ... \(classes.count) in all"
    }

    private static func layout(_ image: Manifest.Image) -> String {
        "\(image.width)x\(image.height)x\(image.channels) \(image.dtype.rawValue)"
    }
}

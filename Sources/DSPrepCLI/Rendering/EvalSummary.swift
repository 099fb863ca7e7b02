import Foundation
import Training

/// The output of `dsprep eval`: text (headline, confusion matrix, sklearn-style classification
/// report, most confident errors) or JSON.
enum EvalSummary {
    /// The confusion matrix is printed for at most this many classes (`--json` always has it).
    static let matrixClassLimit = 30

    static func text(_ report: EvaluationReport, run: String, shards: String) -> String {
        let confusion = report.confusion
        var lines = ["Evaluated \(run) on \(shards)/ (split \(report.split)): \(counted(report.count, "image"))"
                     + (report.unlabeled > 0 ? " (\(grouped(report.unlabeled)) unlabelled left out)" : "")]
        lines.append("  loss \(String(format: "%.4f", report.loss)), accuracy \(String(format: "%.2f", report.accuracy * 100))% "
                     + "(\(grouped(confusion.correct)) of \(grouped(confusion.total)))")
        lines += report.notes.map { "  note: \($0)" }
        lines.append("")
        lines += matrix(confusion)
        lines.append("")
        lines += classificationReport(confusion)
        if report.misclassified > 0 && !report.topErrors.isEmpty {
            lines.append("")
            lines += topErrors(report, shards: shards)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rows true, columns predicted, headed by the class names (cut to 8 characters).
    static func matrix(_ confusion: ConfusionMatrix) -> [String] {
        let classes = confusion.classes
        guard classes.count <= matrixClassLimit else {
            return ["Confusion matrix: \(classes.count) classes, too many to print; --json has it."]
        }
        let headers = classes.map { String($0.prefix(8)) }
        let largest = confusion.counts.flatMap { $0 }.max() ?? 0
        let width = max(String(largest).count, headers.map(\.count).max() ?? 1)
        let labelWidth = max(4, classes.map(\.count).max() ?? 0)
        var lines = ["Confusion matrix (rows: true class, columns: predicted class):"]
        lines.append("  " + "".padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                     + headers.map { " " + $0.rightAligned(width) }.joined())
        for (label, row) in zip(classes, confusion.counts) {
            lines.append("  " + label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                         + row.map { " " + String($0).rightAligned(width) }.joined())
        }
        return lines
    }

    /// scikit-learn's `classification_report(..., digits=4)` layout.
    static func classificationReport(_ confusion: ConfusionMatrix) -> [String] {
        let scores = confusion.scores
        let width = max("weighted avg".count, scores.map(\.name.count).max() ?? 0)
        func column(_ text: String) -> String { " " + text.rightAligned(9) }
        func row(_ score: ClassScore) -> String {
            score.name.rightAligned(width) + " "
                + [score.precision, score.recall, score.f1].map { column(String(format: "%.4f", $0)) }.joined()
                + column(String(score.support))
        }
        var lines = ["".rightAligned(width) + " " + ["precision", "recall", "f1-score", "support"].map(column).joined(), ""]
        lines += scores.map(row)
        lines.append("")
        lines.append("accuracy".rightAligned(width) + " " + column("") + column("")
                     + column(String(format: "%.4f", confusion.accuracy)) + column(String(confusion.total)))
        lines.append(row(confusion.macroAverage))
        lines.append(row(confusion.weightedAverage))
        return lines
    }

    static func topErrors(_ report: EvaluationReport, shards: String) -> [String] {
        let classes = report.confusion.classes
        let trueWidth = max(4, report.topErrors.map { classes[$0.label].count }.max() ?? 0)
        let predictedWidth = max(9, report.topErrors.map { classes[$0.predicted].count }.max() ?? 0)
        var lines = ["Most confidently misclassified (\(report.topErrors.count) of \(grouped(report.misclassified))):"]
        lines.append("  confidence  " + "true".padding(toLength: trueWidth, withPad: " ", startingAt: 0) + "  "
                     + "predicted".padding(toLength: predictedWidth, withPad: " ", startingAt: 0) + "  image")
        for error in report.topErrors {
            lines.append("  " + String(format: "%.4f", error.confidence).rightAligned(10) + "  "
                         + classes[error.label].padding(toLength: trueWidth, withPad: " ", startingAt: 0) + "  "
                         + classes[error.predicted].padding(toLength: predictedWidth, withPad: " ", startingAt: 0) + "  "
                         + (error.path ?? "\(shards)/\(error.shard) row \(error.row)"))
        }
        return lines
    }

    /// Everything in the report, with snake_case keys.
    static func json(_ report: EvaluationReport, run: String, shards: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(JSONReport(report, run: run, shards: shards)), as: UTF8.self)
    }

    private struct JSONReport: Encodable {
        struct Score: Encodable {
            var name: String
            var precision, recall, f1: Double
            var support: Int

            init(_ score: ClassScore) {
                (name, precision, recall, f1, support) = (score.name, score.precision, score.recall, score.f1, score.support)
            }

            enum CodingKeys: String, CodingKey { case name = "class", precision, recall, f1 = "f1_score", support }
        }

        struct TopError: Encodable {
            var path: String?
            var shard: String
            var row: Int
            var trueClass, predictedClass: String
            var confidence, trueProbability: Double

            enum CodingKeys: String, CodingKey {
                case path, shard, row, confidence
                case trueClass = "true", predictedClass = "predicted", trueProbability = "true_probability"
            }

            /// `path` is null, not left out, when the index does not name the image.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(path, forKey: .path)
                try container.encode(shard, forKey: .shard)
                try container.encode(row, forKey: .row)
                try container.encode(trueClass, forKey: .trueClass)
                try container.encode(predictedClass, forKey: .predictedClass)
                try container.encode(confidence, forKey: .confidence)
                try container.encode(trueProbability, forKey: .trueProbability)
            }
        }

        var run, shards, split: String
        var notes: [String]
        var count, unlabeled: Int
        var loss, accuracy: Double
        var classes: [String]
        var confusionMatrix: [[Int]]
        var perClass: [Score]
        var macroAvg, weightedAvg: Score
        var misclassified: Int
        var topErrors: [TopError]

        enum CodingKeys: String, CodingKey {
            case run, shards, split, notes, count, unlabeled, loss, accuracy, classes, misclassified
            case confusionMatrix = "confusion_matrix", perClass = "per_class", macroAvg = "macro_avg"
            case weightedAvg = "weighted_avg", topErrors = "top_errors"
        }

        init(_ report: EvaluationReport, run: String, shards: String) {
            let confusion = report.confusion
            (self.run, self.shards, split, notes) = (run, shards, report.split, report.notes)
            (count, unlabeled, loss, accuracy) = (report.count, report.unlabeled, report.loss, report.accuracy)
            classes = confusion.classes
            confusionMatrix = confusion.counts
            perClass = confusion.scores.map(Score.init)
            macroAvg = Score(confusion.macroAverage)
            weightedAvg = Score(confusion.weightedAverage)
            misclassified = report.misclassified
            topErrors = report.topErrors.map {
                TopError(path: $0.path, shard: $0.shard, row: $0.row, trueClass: confusion.classes[$0.label],
                         predictedClass: confusion.classes[$0.predicted], confidence: $0.confidence,
                         trueProbability: $0.trueProbability)
            }
        }
    }
}

private extension String {
    /// Padded with spaces on the left to `width` characters; longer text is left as it is.
    func rightAligned(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}

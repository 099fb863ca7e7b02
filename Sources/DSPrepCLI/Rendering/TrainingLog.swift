import Foundation
import Training

/// What `dsprep train` prints: the model summary and the run's set-up first, one Keras-like
/// line per epoch, a final line (all on stdout, or one JSON document with `--json`), and a live
/// Keras-like progress bar on stderr when it is a terminal.
final class TrainingLog {
    private let trainer: Trainer
    private let quiet: Bool
    private let json: Bool
    private let bar: ProgressBar

    init(trainer: Trainer, quiet: Bool, json: Bool) {
        self.trainer = trainer
        self.quiet = quiet
        self.json = json
        bar = ProgressBar(enabled: !quiet && Terminal.stderrIsTerminal)
    }

    private var printsText: Bool { !quiet && !json }

    func start(resumed: Bool) {
        guard printsText else { return }
        print(Self.summaryTable(trainer.model.summary(), title: Self.title(trainer)), terminator: "")
        print(Self.setup(trainer, resumed: resumed), terminator: "")
    }

    func batch(_ progress: Trainer.BatchProgress) {
        bar.update(progress)
    }

    func epoch(_ record: EpochRecord) {
        bar.clear()
        guard printsText else { return }
        print(Self.epochLine(record, epochs: trainer.options.epochs, showRate: trainer.options.schedule != .constant))
        fflush(nil)  // each line as it happens, also into a pipe or file
    }

    func finish(_ report: TrainingReport) {
        bar.clear()
        if json {
            print(Self.json(report, trainer: trainer))
        } else if !quiet {
            print(Self.conclusion(report), terminator: "")
        }
    }

    // MARK: Text

    static func title(_ trainer: Trainer) -> String {
        let options = trainer.options
        let name = options.initFrom.map { "fine-tuned from \($0)" + (options.freeze ? ", copied layers frozen" : "") } ?? options.model
        return "Model: \(name) (input \(shape(trainer.model.modelDescription.inputShape)), \(grouped(trainer.card.model.classes.count)) classes)"
    }

    /// Keras's `model.summary()` in its classic layout: layer (spec and type), output shape with
    /// `None` for the batch, parameter count; totals below.
    static func summaryTable(_ summary: ModelSummary, title: String) -> String {
        let names = summary.rows.map { "\($0.spec) (\($0.kind))" }
        let shapes = summary.rows.map { "(None, " + $0.outputShape.map(String.init).joined(separator: ", ") + ")" }
        let nameWidth = max(28, (names.map(\.count).max() ?? 0) + 2)
        let shapeWidth = max(22, (shapes.map(\.count).max() ?? 0) + 2)
        let countWidth = max(9, summary.rows.map { grouped($0.parameters).count }.max() ?? 0)
        let width = 1 + nameWidth + shapeWidth + countWidth
        var lines = [title, String(repeating: "_", count: width),
                     " " + "Layer (type)".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                        + "Output Shape".padding(toLength: shapeWidth, withPad: " ", startingAt: 0) + TrainingLog.alignRight("Param #", countWidth),
                     String(repeating: "=", count: width)]
        for (index, row) in summary.rows.enumerated() {
            lines.append(" " + names[index].padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                         + shapes[index].padding(toLength: shapeWidth, withPad: " ", startingAt: 0) + TrainingLog.alignRight(grouped(row.parameters), countWidth))
        }
        lines += [String(repeating: "=", count: width),
                  "Total params: \(grouped(summary.totalParameters))",
                  "Trainable params: \(grouped(summary.trainableParameters))",
                  "Non-trainable params: \(grouped(summary.nonTrainableParameters))",
                  String(repeating: "_", count: width)]
        return lines.joined(separator: "\n") + "\n"
    }

    static func setup(_ trainer: Trainer, resumed: Bool) -> String {
        let options = trainer.options
        let shards = options.shards
        var lines: [String] = []
        let trainShards = trainer.train.readers.count
        var data = "Training on \(grouped(trainer.trainSampleCount)) images (\(shards)/\(trainer.train.name), \(counted(trainShards, "shard")))"
        if let validation = trainer.validation {
            data += ", validating on \(grouped(trainer.validationSampleCount)) (\(shards)/\(validation.name))"
        }
        lines.append(data + "; \(counted(trainer.stepsPerEpoch, "step")) of \(options.batchSize) per epoch")
        var settings = "\(options.optimizerName), lr \(options.learningRate), \(options.schedule) schedule; \(options.normalization.rawValue)"
        if let augmentation = options.augmentation { settings += "; augment \(augmentation)" }
        if let weights = trainer.classWeights {
            settings += "; class weights " + weights.map { String(format: "%.3f", $0) }.joined(separator: " ")
        }
        if options.labelSmoothing > 0 { settings += "; label smoothing \(options.labelSmoothing)" }
        if let patience = options.patience { settings += "; patience \(patience)" }
        settings += "; seed \(options.seed); \(counted(options.threads, "thread"))"
        lines.append(settings)
        if trainer.validation == nil {
            lines.append("note: \(shards) has no validation split, so there is no val_loss or val_accuracy and model.safetensors follows the last epoch (make one with 'dsprep split', then shard again)")
        }
        if resumed && trainer.state.epochsDone > 0 {
            lines.append("Resuming \(trainer.run.path)/ after epoch \(trainer.state.epochsDone) of \(options.epochs)")
            lines += trainer.state.history.map { epochLine($0, epochs: options.epochs, showRate: options.schedule != .constant) }
        } else {
            lines.append("Run: \(trainer.run.path)/")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `Epoch 3/10 - 12s - loss: 0.0712 - accuracy: 0.9781 - val_loss: 0.0401 - val_accuracy: 0.9874`.
    static func epochLine(_ record: EpochRecord, epochs: Int, showRate: Bool) -> String {
        var line = "Epoch \(record.epoch)/\(epochs) - \(seconds(record.seconds)) - loss: \(metric(record.loss)) - accuracy: \(metric(record.accuracy))"
        if let valLoss = record.valLoss, let valAccuracy = record.valAccuracy {
            line += " - val_loss: \(metric(valLoss)) - val_accuracy: \(metric(valAccuracy))"
        }
        if showRate { line += " - lr: \(record.learningRate)" }
        return line
    }

    static func conclusion(_ report: TrainingReport) -> String {
        var lines: [String] = []
        if report.stoppedEarly, let best = report.best {
            lines.append("Stopped early after epoch \(report.history.last?.epoch ?? 0): val_loss did not improve for \(counted(report.patience ?? 0, "epoch")); restored the weights of epoch \(best.epoch).")
        }
        if let best = report.best {
            if let valLoss = best.valLoss, let valAccuracy = best.valAccuracy {
                lines.append("Best epoch \(best.epoch): val_loss \(metric(valLoss)), val_accuracy \(metric(valAccuracy)); model in \(report.run)/")
            } else {
                lines.append("Last epoch \(best.epoch): loss \(metric(best.loss)), accuracy \(metric(best.accuracy)) (no validation split); model in \(report.run)/")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Spaces before `text` to make it `width` characters wide (none if it is wider).
    static func alignRight(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    static func metric(_ value: Double) -> String { String(format: "%.4f", value) }

    static func seconds(_ value: Double) -> String {
        value < 10 ? String(format: "%.1fs", value) : "\(Int(value.rounded()))s"
    }

    static func shape(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

    // MARK: JSON

    struct Summary: Encodable {
        var run: String
        var model: ModelSummary
        var options: TrainingOptions
        var trainSamples: Int
        var validationSamples: Int?
        var epochsRun: Int
        var bestEpoch: Int?
        var stoppedEarly: Bool
        var best: EpochRecord?
        var history: [EpochRecord]
        var files: [String]

        enum CodingKeys: String, CodingKey {
            case run, model, options, best, history, files
            case trainSamples = "train_samples"
            case validationSamples = "validation_samples"
            case epochsRun = "epochs_run"
            case bestEpoch = "best_epoch"
            case stoppedEarly = "stopped_early"
        }
    }

    static func json(_ report: TrainingReport, trainer: Trainer) -> String {
        let run = trainer.run
        let summary = Summary(run: report.run, model: trainer.model.summary(), options: trainer.options,
                              trainSamples: trainer.trainSampleCount,
                              validationSamples: trainer.validation == nil ? nil : trainer.validationSampleCount,
                              epochsRun: report.history.count, bestEpoch: report.bestEpoch, stoppedEarly: report.stoppedEarly,
                              best: report.best, history: report.history,
                              files: [run.weightsPath, run.cardPath, run.historyPath, run.curvesPath, run.checkpointPath, run.optionsPath])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return (try? encoder.encode(summary)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Keras's progress bar on stderr: `Epoch 3/10 1234/1875 [=====>....] - ETA: 3s - loss: 0.0712 -
/// accuracy: 0.9781`, redrawn at most ten times a second, only on a terminal.
final class ProgressBar {
    private let enabled: Bool
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ progress: Trainer.BatchProgress) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || progress.step == progress.steps else { return }
        lastDraw = now
        Terminal.writeStderr("\r\u{1B}[2K" + Self.line(progress))
        drawn = true
    }

    static func line(_ progress: Trainer.BatchProgress, width: Int = 30) -> String {
        let fraction = Double(progress.step) / Double(max(progress.steps, 1))
        let filled = Int(fraction * Double(width))
        let bar = progress.step >= progress.steps ? String(repeating: "=", count: width)
            : String(repeating: "=", count: max(filled - 1, 0)) + ">" + String(repeating: ".", count: width - max(filled, 1))
        let counter = TrainingLog.alignRight(String(progress.step), String(progress.steps).count)
        let remaining = progress.seconds / Double(max(progress.step, 1)) * Double(progress.steps - progress.step)
        return "Epoch \(progress.epoch)/\(progress.epochs) \(counter)/\(progress.steps) [\(bar)] - ETA: \(ProgressLine.duration(remaining))"
            + " - loss: \(TrainingLog.metric(progress.loss)) - accuracy: \(TrainingLog.metric(progress.accuracy))"
    }

    func clear() {
        guard enabled, drawn else { return }
        Terminal.writeStderr("\r\u{1B}[2K")
        drawn = false
    }
}


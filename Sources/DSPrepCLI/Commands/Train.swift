import ArgumentParser
import Foundation
import Preparation
import Training

extension DSPrep {
    /// `dsprep train`: shards/ -> runs/<name>/ (model, model card, history, curves, checkpoint).
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a classifier on the shards, streaming, and write a run folder.",
            discussion: """
                Trains on the 'train' split (or 'all'), evaluates the 'validation' split after each \
                epoch if there is one (never 'test'), and writes runs/run-NNN/ (or --out): \
                model.safetensors and model.json for the epoch with the lowest val_loss (the last \
                epoch without validation), history.csv and curves.svg after every epoch, and \
                checkpoint.safetensors, with which --resume continues an interrupted run exactly. \
                Shards are memory-mapped and read in a seeded order through a shuffle buffer, so \
                memory does not grow with the data set. The same seed and --threads give the same \
                run, bit for bit.
                """)

        @Argument(help: "The shards folder (default: shards).")
        var shards: String?

        @Option(help: "A preset: cnn (the Keras MNIST CNN), mlp (dense layers on the pixels) or cnn-large (for 96x96 photos) (default: cnn).")
        var model: ModelPreset?

        @Option(help: ArgumentHelp("The layers, e.g. conv32k3,pool2,drop.25,flatten,dense128,dense (instead of --model).",
                                   valueName: "spec"))
        var layers: String?

        @Option(help: ArgumentHelp("Inputs: standardize ((x*scale-mean)/std with the manifest's statistics) or scale (0-1) (default: standardize, or the --init model's).", valueName: "mode"))
        var normalize: ModelCard.Normalization?

        @Flag(help: "Augment training images on the fly: flip, rotation 0.1, translation 0.1, zoom 0.1 (Keras's factors).")
        var augment = false

        @Option(help: ArgumentHelp("Choose the augmentations instead, e.g. rotation:0.05,zoom (digits must not be flipped).",
                                   valueName: "list"))
        var augmentations: String?

        @Option(help: ArgumentHelp("Passes over the training split (default: 10).", valueName: "n"))
        var epochs: Int?

        @Option(help: ArgumentHelp("Images per step (default: 32).", valueName: "n"))
        var batchSize: Int?

        @Option(help: ArgumentHelp("Learning rate (default: 0.001 for adam, 0.01 for sgd).", valueName: "rate"))
        var lr: Float?

        @Option(help: "adam (Keras's defaults) or sgd (default: adam).")
        var optimizer: OptimizerChoice?

        @Option(help: ArgumentHelp("SGD momentum, at least 0 and below 1 (default: 0).", valueName: "m"))
        var momentum: Double?

        @Flag(help: "Nesterov momentum (SGD with --momentum).")
        var nesterov = false

        @Option(help: ArgumentHelp("L2 weight decay on kernels, added to the gradient (default: 0).", valueName: "l2"))
        var weightDecay: Float?

        @Option(help: "Learning-rate schedule (default: constant).")
        var schedule: ScheduleChoice?

        @Option(help: ArgumentHelp("step: multiply the rate by --lr-factor every N epochs (default: a third of the epochs).",
                                   valueName: "n"))
        var lrStepEpochs: Int?

        @Option(help: ArgumentHelp("step, plateau: the factor, above 0 and below 1 (default: 0.1).", valueName: "f"))
        var lrFactor: Double?

        @Option(help: ArgumentHelp("plateau: epochs without a lower val_loss before the rate drops (default: 2).", valueName: "n"))
        var lrPatience: Int?

        @Option(help: ArgumentHelp("Seed of the weights, the data order, dropout and augmentation (default: 1337).", valueName: "n"))
        var seed: UInt64?

        @Option(help: ArgumentHelp("balanced: weight each class by n_samples / (n_classes * n_class) in the loss.", valueName: "mode"))
        var classWeight: TrainingOptions.ClassWeighting?

        @Option(help: ArgumentHelp("Label smoothing, at least 0 and below 1 (default: 0).", valueName: "e"))
        var labelSmoothing: Float?

        @Option(help: ArgumentHelp("Stop after N epochs without a lower val_loss and keep the best epoch's weights.", valueName: "n"))
        var patience: Int?

        @Option(help: ArgumentHelp("Samples in the shuffle buffer (default: 4096).", valueName: "n"))
        var shuffleBuffer: Int?

        @Option(name: .customLong("init"), help: ArgumentHelp("Start from this run's model: copy every layer but the output layer, add one for these classes.",
                                                             valueName: "run"))
        var initFrom: String?

        @Flag(help: "With --init: keep the copied layers fixed; train only the new output layer.")
        var freeze = false

        @Option(help: ArgumentHelp("Continue this interrupted run from its last checkpoint, with its options.", valueName: "run"))
        var resume: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("The run folder to write (default: the next runs/run-NNN).", valueName: "dir"))
        var out: String?

        @Option(help: ArgumentHelp("Threads (default: all cores). Runs are bit-identical only for the same count.", valueName: "n"))
        var threads: Int?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
            if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1.") }
            if let resume { try validateResume(resume); return }
            if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1.") }
            if let lr, !(lr.isFinite && lr > 0) { throw ValidationError("--lr must be a number above 0 (got \(lr)).") }
            if model != nil && layers != nil { throw ValidationError("--model and --layers both choose the layers: give one of them.") }
            if initFrom != nil && (model != nil || layers != nil) {
                throw ValidationError("--init takes the layers from the earlier run's model.json: drop --\(model != nil ? "model" : "layers").")
            }
            if freeze && initFrom == nil { throw ValidationError("--freeze keeps the layers copied by --init fixed: give --init RUN too.") }
            if let layers {
                do { _ = try LayerSpec.parseList(layers) } catch { throw ValidationError("--layers: \(error)") }
            }
            if let augmentations {
                do { _ = try Augmentation(parsing: augmentations) } catch { throw ValidationError("--augmentations: \(error)") }
            }
            let sgd = optimizer == .sgd
            if momentum != nil && !sgd { throw ValidationError("--momentum applies to SGD: add --optimizer sgd.") }
            if let momentum, !(momentum >= 0 && momentum < 1) { throw ValidationError("--momentum must be at least 0 and below 1 (got \(momentum)).") }
            if nesterov && !(sgd && (momentum ?? 0) > 0) { throw ValidationError("--nesterov needs --optimizer sgd and a --momentum above 0, e.g. --momentum 0.9.") }
            if let weightDecay, !(weightDecay.isFinite && weightDecay >= 0) { throw ValidationError("--weight-decay must be at least 0 (got \(weightDecay)).") }
            if let labelSmoothing, !(labelSmoothing >= 0 && labelSmoothing < 1) {
                throw ValidationError("--label-smoothing must be at least 0 and below 1 (got \(labelSmoothing)).")
            }
            if let patience, patience < 0 { throw ValidationError("--patience must be at least 0 epochs.") }
            if let shuffleBuffer, shuffleBuffer < 1 { throw ValidationError("--shuffle-buffer must be at least 1.") }
            let schedule = schedule ?? .constant
            if lrStepEpochs != nil && schedule != .step { throw ValidationError("--lr-step-epochs applies to --schedule step.") }
            if let lrStepEpochs, lrStepEpochs < 1 { throw ValidationError("--lr-step-epochs must be at least 1.") }
            if lrFactor != nil && schedule != .step && schedule != .plateau { throw ValidationError("--lr-factor applies to --schedule step or plateau.") }
            if let lrFactor, !(lrFactor > 0 && lrFactor < 1) { throw ValidationError("--lr-factor must be above 0 and below 1 (got \(lrFactor)).") }
            if lrPatience != nil && schedule != .plateau { throw ValidationError("--lr-patience applies to --schedule plateau.") }
            if let lrPatience, lrPatience < 0 { throw ValidationError("--lr-patience must be at least 0 epochs.") }
        }

        /// With --resume only --epochs, --threads, --json and --quiet may be given.
        private func validateResume(_ run: String) throws {
            let given: [(String, Bool)] = [
                ("SHARDS", shards != nil), ("--model", model != nil), ("--layers", layers != nil), ("--normalize", normalize != nil),
                ("--augment", augment), ("--augmentations", augmentations != nil), ("--batch-size", batchSize != nil),
                ("--lr", lr != nil), ("--optimizer", optimizer != nil), ("--momentum", momentum != nil), ("--nesterov", nesterov),
                ("--weight-decay", weightDecay != nil), ("--schedule", schedule != nil), ("--lr-step-epochs", lrStepEpochs != nil),
                ("--lr-factor", lrFactor != nil), ("--lr-patience", lrPatience != nil), ("--seed", seed != nil),
                ("--class-weight", classWeight != nil), ("--label-smoothing", labelSmoothing != nil), ("--patience", patience != nil),
                ("--shuffle-buffer", shuffleBuffer != nil), ("--init", initFrom != nil), ("--freeze", freeze), ("--out", out != nil),
            ]
            if let (name, _) = given.first(where: \.1) {
                throw ValidationError("--resume continues \(run) with the options it started with (its options.json): drop \(name) (only --epochs and --threads may change).")
            }
        }

        /// The options of a new run, defaults filled in.
        func trainingOptions() throws -> TrainingOptions {
            let epochs = epochs ?? 10
            let learningRate = lr ?? (optimizer == .sgd ? 0.01 : 0.001)
            let optimizer: OptimizerConfiguration = switch self.optimizer ?? .adam {
            case .adam: .adam(learningRate: learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: weightDecay ?? 0)
            case .sgd: .sgd(learningRate: learningRate, momentum: momentum ?? 0, nesterov: nesterov, weightDecay: weightDecay ?? 0)
            }
            let schedule: TrainingOptions.Schedule = switch self.schedule ?? .constant {
            case .constant: .constant
            case .step: .step(everyEpochs: lrStepEpochs ?? max(1, epochs / 3), factor: lrFactor ?? 0.1)
            case .cosine: .cosine(alpha: 0)
            case .plateau: .plateau(factor: lrFactor ?? 0.1, patience: lrPatience ?? 2)
            }
            let (name, specs): (String, [LayerSpec]) = if let layers {
                ("custom", try LayerSpec.parseList(layers))
            } else if initFrom != nil {
                ("init", [])
            } else {
                ((model ?? .cnn).rawValue, (model ?? .cnn).layers)
            }
            let augmentation = try augmentations.map(Augmentation.init(parsing:)) ?? (augment ? .standard : nil)
            // Fine-tuning feeds the copied layers inputs scaled as they were trained on (the
            // Trainer reports an unreadable --init run).
            let normalization = normalize ?? initFrom.flatMap { (try? ModelCard.read(run: $0))?.normalization } ?? .standardize
            return TrainingOptions(
                shards: shards ?? "shards", model: name, layers: specs, normalization: normalization,
                augmentation: augmentation, epochs: epochs, batchSize: batchSize ?? 32, optimizer: optimizer,
                schedule: schedule, seed: seed ?? 1337, classWeight: classWeight, labelSmoothing: labelSmoothing ?? 0,
                patience: patience, initFrom: initFrom, freeze: freeze,
                threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, shuffleBuffer: shuffleBuffer ?? BatchOrder.defaultBufferSize)
        }

        func run() throws {
            let tool = "dsprep \(dsprepVersion)"
            let trainer: Trainer
            if let resume {
                trainer = try Trainer(resuming: RunFolder(path: resume), epochs: epochs, threads: threads, tool: tool)
            } else {
                let options = try trainingOptions()
                try options.validate()
                let parent = out.map { ($0 as NSString).deletingLastPathComponent } ?? RunFolder.defaultParent
                let parentExisted = parent.isEmpty || FileManager.default.fileExists(atPath: parent)
                let run = try out.map(RunFolder.create) ?? RunFolder.next()
                do {
                    trainer = try Trainer(options: options, run: run, tool: tool)
                } catch {
                    // Leave no empty folder behind for a run that never started.
                    Self.removeIfEmpty(run.path)
                    if !parentExisted { Self.removeIfEmpty(parent) }
                    throw error
                }
            }
            let log = TrainingLog(trainer: trainer, quiet: global.quiet, json: global.json)
            log.start(resumed: resume != nil)
            // Test hook (documented in the man page): SIGKILL this process once N epochs are done and
            // checkpointed, to prove that --resume continues exactly where an interrupted run stopped.
            let killAfter = ProcessInfo.processInfo.environment["DSPREP_TEST_KILL_AFTER_EPOCHS"].flatMap { Int($0) }
            trainer.onBatch = { log.batch($0) }
            trainer.onEpoch = { record in
                log.epoch(record)
                if let killAfter, record.epoch >= killAfter { kill(getpid(), SIGKILL) }
            }
            let report = try trainer.fit()
            log.finish(report)
        }
    }
}

extension DSPrep.Train {
    static func removeIfEmpty(_ folder: String) {
        if (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
}

/// `--optimizer`.
enum OptimizerChoice: String, ExpressibleByArgument, CaseIterable {
    case adam, sgd
}

/// `--schedule`.
enum ScheduleChoice: String, ExpressibleByArgument, CaseIterable {
    case constant, step, cosine, plateau
}

extension ModelPreset: ExpressibleByArgument {}
extension ModelCard.Normalization: ExpressibleByArgument {}
extension TrainingOptions.ClassWeighting: ExpressibleByArgument {}

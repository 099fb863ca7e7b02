import ArgumentParser
import Foundation
import Testing
import Training
@testable import DSPrepCLI

@Suite struct TrainParsingTests {
    private func options(_ arguments: [String]) throws -> TrainingOptions {
        let command = try #require(try DSPrep.parseAsRoot(["train"] + arguments) as? DSPrep.Train)
        return try command.trainingOptions()
    }

    @Test func defaults() throws {
        let options = try options([])
        #expect(options == TrainingOptions(shards: "shards", model: "cnn", layers: ModelPreset.cnn.layers))
        #expect(options.epochs == 10 && options.batchSize == 32 && options.seed == 1337 && options.normalization == .standardize)
        #expect(options.optimizer == .adam(learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0))
        #expect(options.threads == ProcessInfo.processInfo.activeProcessorCount)
        #expect(options.augmentation == nil && options.patience == nil && options.classWeight == nil)
    }

    @Test func everyOption() throws {
        let options = try options(["data/shards", "--model", "mlp", "--normalize", "scale", "--augment", "--epochs", "3", "--batch-size", "64",
                                    "--lr", "0.05", "--optimizer", "sgd", "--momentum", "0.9", "--nesterov", "--weight-decay", "0.0005",
                                    "--schedule", "step", "--lr-step-epochs", "2", "--lr-factor", "0.5", "--seed", "7",
                                    "--class-weight", "balanced", "--label-smoothing", "0.1", "--patience", "2", "--shuffle-buffer", "100",
                                    "--threads", "1", "--out", "runs/x", "--json"])
        #expect(options == TrainingOptions(
            shards: "data/shards", model: "mlp", layers: ModelPreset.mlp.layers, normalization: .scale, augmentation: .standard,
            epochs: 3, batchSize: 64, optimizer: .sgd(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.0005),
            schedule: .step(everyEpochs: 2, factor: 0.5), seed: 7, classWeight: .balanced, labelSmoothing: 0.1, patience: 2,
            threads: 1, shuffleBuffer: 100))
    }

    @Test func layersInitSchedulesAndAugmentations() throws {
        #expect(try options(["--layers", "flatten,dense64,dense"]).layers == (try LayerSpec.parseList("flatten,dense64,dense")))
        #expect(try options(["--layers", "flatten,dense"]).model == "custom")
        let fineTuning = try options(["--init", "runs/run-001", "--freeze"])
        #expect(fineTuning.initFrom == "runs/run-001" && fineTuning.freeze && fineTuning.model == "init")
        #expect(try options(["--optimizer", "sgd"]).learningRate == 0.01)
        #expect(try options(["--schedule", "step", "--epochs", "12"]).schedule == .step(everyEpochs: 4, factor: 0.1))
        #expect(try options(["--schedule", "cosine"]).schedule == .cosine(alpha: 0))
        #expect(try options(["--schedule", "plateau", "--lr-patience", "4"]).schedule == .plateau(factor: 0.1, patience: 4))
        #expect(try options(["--augmentations", "rotation:0.05,zoom"]).augmentation == Augmentation(rotation: 0.05, zoom: 0.1))
    }

    static let badArguments: [([String], String)] = [
        (["--epochs", "0"], "--epochs must be at least 1."),
        (["--batch-size", "0"], "--batch-size must be at least 1."),
        (["--threads", "0"], "--threads must be at least 1."),
        (["--lr=-1"], "--lr must be a number above 0 (got -1.0)."),
        (["--model", "cnn", "--layers", "flatten,dense"], "--model and --layers both choose the layers: give one of them."),
        (["--init", "runs/a", "--model", "mlp"], "--init takes the layers from the earlier run's model.json: drop --model."),
        (["--freeze"], "--freeze keeps the layers copied by --init fixed: give --init RUN too."),
        (["--layers", "conv32k3,pool,dense"], "--layers: Cannot read layer `pool`: expected a pool size of at least 1, e.g. pool2."),
        (["--augmentations", "flip,blur"], "--augmentations: Unknown augmentation `blur`: expected flip, rotation, translation or zoom, e.g. rotation:0.1,zoom."),
        (["--momentum", "0.9"], "--momentum applies to SGD: add --optimizer sgd."),
        (["--optimizer", "sgd", "--momentum", "1"], "--momentum must be at least 0 and below 1 (got 1.0)."),
        (["--optimizer", "sgd", "--nesterov"], "--nesterov needs --optimizer sgd and a --momentum above 0, e.g. --momentum 0.9."),
        (["--weight-decay=-0.1"], "--weight-decay must be at least 0 (got -0.1)."),
        (["--label-smoothing", "1"], "--label-smoothing must be at least 0 and below 1 (got 1.0)."),
        (["--patience=-1"], "--patience must be at least 0 epochs."),
        (["--shuffle-buffer", "0"], "--shuffle-buffer must be at least 1."),
        (["--lr-step-epochs", "2"], "--lr-step-epochs applies to --schedule step."),
        (["--schedule", "cosine", "--lr-factor", "0.5"], "--lr-factor applies to --schedule step or plateau."),
        (["--schedule", "plateau", "--lr-factor", "1"], "--lr-factor must be above 0 and below 1 (got 1.0)."),
        (["--lr-patience", "2"], "--lr-patience applies to --schedule plateau."),
        (["--resume", "runs/a", "--lr", "0.1"], "--resume continues runs/a with the options it started with (its options.json): drop --lr (only --epochs and --threads may change)."),
        (["--resume", "runs/a", "shards"], "--resume continues runs/a with the options it started with (its options.json): drop SHARDS (only --epochs and --threads may change)."),
    ]

    @Test(arguments: badArguments)
    func badValuesFailWithASentence(arguments: [String], message: String) {
        #expect(DSPrep.message(for: thrownError { try DSPrep.parseAsRoot(["train"] + arguments) }) == message)
    }

    @Test func closedChoicesListTheirValues() {
        #expect(DSPrep.message(for: thrownError { try DSPrep.parseAsRoot(["train", "--model", "resnet"]) })
            .hasPrefix("The value 'resnet' is invalid for '--model <model>'. Please provide one of 'mlp', 'cnn' or 'cnn-large'."))
        #expect(DSPrep.message(for: thrownError { try DSPrep.parseAsRoot(["train", "--schedule", "linear"]) })
            .hasPrefix("The value 'linear' is invalid for '--schedule <schedule>'"))
    }

}

@Suite struct TrainHelpTests {
    /// The help text at 100 columns, pinned in Help/train.txt (`expectPinnedHelp`).
    @Test func helpIsPinned() throws {
        try expectPinnedHelp(DSPrep.Train.self, file: "train.txt")
    }

    @Test func rootHelpListsTrain() {
        #expect(DSPrep.helpMessage(columns: 100).contains("train                   Train a classifier on the shards, streaming, and write a run folder."))
    }
}

/// The demo data set unpacked, split and sharded (28x28 gray) once for the suite, by the built
/// binary; each test links its `shards` into a folder of its own.
private enum DemoShards {
    static let folder: String? = {
        let folder = temporaryFolder()
        for arguments in [["unpack", repositoryRoot + "/Fixtures/mnist_png.zip", "-q"], ["split", "-q"], ["shard", "--gray", "--size", "28", "-q"]] {
            guard (try? dsprep(arguments, in: folder))?.status == 0 else { return nil }
        }
        return folder
    }()

    /// A new folder whose `shards` is the demo's.
    static func workspace() throws -> String {
        let demo = try #require(folder)
        let workspace = temporaryFolder()
        try FileManager.default.createSymbolicLink(atPath: workspace + "/shards", withDestinationPath: demo + "/shards")
        return workspace
    }
}

/// The tensor bytes of a safetensors file (everything after the header), which do not include
/// the metadata (the run's path).
private func tensorBytes(_ path: String) throws -> Data {
    let data = try #require(FileManager.default.contents(atPath: path))
    let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    return data.dropFirst(8 + headerLength)
}

/// The columns of history.csv without `seconds`.
private func historyWithoutTimes(_ folder: String) throws -> [String] {
    try String(contentsOfFile: folder + "/history.csv", encoding: .utf8).split(separator: "\n")
        .map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
}

@Suite(.serialized) struct TrainEndToEndTests {
    /// The Keras MNIST CNN on the demo's 2,670 training digits: over 90% validation accuracy
    /// after 2 epochs (measured: 95.2%), the Keras-like report, and every file of the run.
    @Test func theCNNLearnsTheDemoDigits() throws {
        let folder = try DemoShards.workspace()
        let result = try dsprep(["train", "--model", "cnn", "--epochs", "2"], in: folder)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Model: cnn (input 28x28x1, 10 classes)")
        #expect(lines.contains(" conv32k3 (Conv2D)           (None, 26, 26, 32)          320"))
        #expect(lines.contains(" dense (Dense)               (None, 10)                1,290"))
        #expect(lines.contains("Total params: 225,034"))
        #expect(lines.contains("Training on 2,670 images (shards/train, 1 shard), validating on 330 (shards/validation); 84 steps of 32 per epoch"))
        #expect(lines.contains("adam, lr 0.001, constant schedule; standardize; seed 1337; \(counted(ProcessInfo.processInfo.activeProcessorCount, "thread"))"))
        #expect(lines.contains("Run: runs/run-001/"))
        let epochs = lines.filter { $0.hasPrefix("Epoch ") }
        #expect(epochs.count == 2)
        let pattern = #/^Epoch 2/2 - [0-9.]+s - loss: [0-9]\.[0-9]{4} - accuracy: [0-9]\.[0-9]{4} - val_loss: [0-9]\.[0-9]{4} - val_accuracy: [0-9]\.[0-9]{4}$/#
        #expect(epochs.last?.wholeMatch(of: pattern) != nil, "\(epochs)")
        #expect(lines.last?.hasPrefix("Best epoch ") == true && lines.last?.hasSuffix("; model in runs/run-001/") == true)

        let run = folder + "/runs/run-001"
        let history = try String(contentsOfFile: run + "/history.csv", encoding: .utf8).split(separator: "\n")
        #expect(history.first == "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds")
        let valAccuracies = history.dropFirst().compactMap { Double($0.split(separator: ",")[4]) }
        #expect(valAccuracies.count == 2)
        #expect((valAccuracies.max() ?? 0) > 0.9, "\(history)")
        for name in ["model.safetensors", "model.json", "curves.svg", "checkpoint.safetensors", "options.json"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + name), "\(name)")
        }
        let card = try ModelCard.read(run: run)
        #expect(card.model.inputShape == [28, 28, 1] && card.model.classes.count == 10)
        #expect(card.preprocess.color == "gray" && card.normalization == .standardize)
        #expect(card.training["train_samples"] == "2670" && card.training["validation_samples"] == "330")
    }

    /// Killed after epoch 2 by the test hook, resumed: the same history and weights as a run
    /// that was never interrupted (a small dense model, with dropout, augmentation and a plateau
    /// schedule, so that every kind of state must survive).
    @Test func aKilledRunResumesExactly() throws {
        let options = ["--layers", "flatten,dense64,drop.25,dense", "--epochs", "4", "--augmentations", "rotation:0.05,zoom",
                       "--schedule", "plateau", "--lr-patience", "0", "--class-weight", "balanced", "--threads", "2"]
        let whole = try DemoShards.workspace()
        #expect(try dsprep(["train", "-q"] + options, in: whole).status == 0)

        let parts = try DemoShards.workspace()
        let killed = try dsprep(["train"] + options, in: parts, environment: ["DSPREP_TEST_KILL_AFTER_EPOCHS": "2"])
        #expect(killed.status == 9)  // SIGKILL
        #expect(killed.stdout.split(separator: "\n").last?.hasPrefix("Epoch 2/4 - ") == true)
        #expect(try historyWithoutTimes(parts + "/runs/run-001").count == 3)
        let resumed = try dsprep(["train", "--resume", "runs/run-001"], in: parts)
        #expect(resumed.status == 0)
        #expect(resumed.stdout.contains("Resuming runs/run-001/ after epoch 2 of 4\n"))
        #expect(resumed.stdout.split(separator: "\n").filter { $0.hasPrefix("Epoch ") }.count == 4)

        #expect(try historyWithoutTimes(parts + "/runs/run-001") == historyWithoutTimes(whole + "/runs/run-001"))
        #expect(try tensorBytes(parts + "/runs/run-001/model.safetensors") == tensorBytes(whole + "/runs/run-001/model.safetensors"))
        #expect(try tensorBytes(parts + "/runs/run-001/checkpoint.safetensors") == tensorBytes(whole + "/runs/run-001/checkpoint.safetensors"))

        let again = try dsprep(["train", "--resume", "runs/run-001"], in: parts)
        #expect(again.status == 1)
        #expect(again.stderr == "dsprep: runs/run-001: finished its 4 epochs: there is nothing to resume (to train it further, add --epochs with a larger total)\n")
    }

    @Test func jsonAndNumberedRuns() throws {
        let folder = try DemoShards.workspace()
        let arguments = ["train", "--layers", "flatten,dense16,dense", "--epochs", "1", "--json"]
        let first = try dsprep(arguments, in: folder)
        #expect(first.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(object["run"] as? String == "runs/run-001")
        #expect(object["best_epoch"] as? Int == 1 && object["epochs_run"] as? Int == 1)
        #expect(object["train_samples"] as? Int == 2670 && object["validation_samples"] as? Int == 330)
        #expect((object["history"] as? [Any])?.count == 1)
        #expect(((object["model"] as? [String: Any])?["rows"] as? [Any])?.count == 3)
        let second = try dsprep(arguments + ["-q"], in: folder)
        #expect(second.status == 0 && second.stdout.contains("\"run\" : \"runs/run-002\""))
        let quiet = try dsprep(["train", "--layers", "flatten,dense", "--epochs", "1", "-q", "--out", "runs/mine"], in: folder)
        #expect(quiet.status == 0 && quiet.stdout == "" && quiet.stderr == "")
        let taken = try dsprep(["train", "--epochs", "1", "--out", "runs/mine"], in: folder)
        #expect(taken.status == 1)
        #expect(taken.stderr == "dsprep: runs/mine: holds a run already: continue it with --resume runs/mine, or name a new folder with --out\n")
    }

    @Test func fineTuningFromARun() throws {
        let folder = try DemoShards.workspace()
        #expect(try dsprep(["train", "--layers", "conv4k3,pool2,flatten,dense16,dense", "--epochs", "1", "-q", "--out", "runs/base"], in: folder).status == 0)
        let tuned = try dsprep(["train", "--init", "runs/base", "--freeze", "--epochs", "1", "--out", "runs/tuned"], in: folder)
        #expect(tuned.status == 0)
        let lines = tuned.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "Model: fine-tuned from runs/base, copied layers frozen (input 28x28x1, 10 classes)")
        #expect(lines.contains("Trainable params: 170"))
        #expect(lines.contains("Non-trainable params: 10,872"))
    }

    @Test func withoutAValidationSplit() throws {
        let folder = temporaryFolder()
        #expect(try dsprep(["unpack", repositoryRoot + "/Fixtures/mnist_png.zip", "-q"], in: folder).status == 0)
        #expect(try dsprep(["shard", "--gray", "--size", "14", "-q"], in: folder).status == 0)  // train and test only
        let result = try dsprep(["train", "--layers", "flatten,dense", "--epochs", "1"], in: folder)
        #expect(result.status == 0)
        #expect(result.stdout.contains("\nnote: shards has no validation split, so there is no val_loss or val_accuracy and model.safetensors follows the last epoch (make one with 'dsprep split', then shard again)\n"))
        #expect(result.stdout.hasSuffix(" (no validation split); model in runs/run-001/\n"))
        let patience = try dsprep(["train", "--patience", "2"], in: folder)
        #expect(patience.status == 1)
        #expect(patience.stderr == "dsprep: Early stopping watches val_loss, but shards has no validation split: make one with 'dsprep split' and shard again, or drop --patience.\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/runs/run-002"))
    }

    @Test func errorsAreOneLine() throws {
        let folder = temporaryFolder()
        let missing = try dsprep(["train", "nowhere"], in: folder)
        #expect(missing.status == 1)
        #expect(missing.stderr == "dsprep: nowhere/manifest.json: no manifest (run 'dsprep shard' first, or name the shards folder)\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/runs"))
        let notARun = try dsprep(["train", "--resume", "somewhere"], in: folder)
        #expect(notARun.status == 1)
        #expect(notARun.stderr == "dsprep: somewhere: no options.json: not a run folder written by 'dsprep train'\n")
        let workspace = try DemoShards.workspace()
        let unfit = try dsprep(["train", "--layers", "conv8k3,dense"], in: workspace)
        #expect(unfit.status == 1)
        #expect(unfit.stderr == "dsprep: shards: the model does not fit its 28x28x1 images and 10 classes: `dense` (layer 2) needs a flat input but gets [26, 26, 8]: add flatten or gap before it.\n")
        let usage = try dsprep(["train", "--epochs", "0"], in: folder)
        #expect(usage.status == 64)
        #expect(usage.stderr.hasPrefix("Error: --epochs must be at least 1.\n"))
    }
}

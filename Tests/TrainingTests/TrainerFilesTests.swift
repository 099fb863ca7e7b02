import Foundation
import Testing
@testable import Training

@Suite("Trainer: run folder files")
struct TrainerFilesTests {
    static let records = [
        EpochRecord(epoch: 1, loss: 0.5, accuracy: 0.75, valLoss: 0.25, valAccuracy: 0.875, learningRate: 0.001, seconds: 1.234),
        EpochRecord(epoch: 2, loss: 0.1234567890123, accuracy: 1, valLoss: 0.3, valAccuracy: 0.8, learningRate: 0.0001, seconds: 12),
    ]

    @Test("history.csv: Keras's CSVLogger columns, exact numbers, empty validation columns without validation")
    func historyCSV() {
        #expect(History.csv(Self.records) == """
            epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds
            1,0.5,0.75,0.25,0.875,0.001,1.23
            2,0.1234567890123,1.0,0.3,0.8,0.0001,12.00

            """)
        var plain = Self.records[0]
        (plain.valLoss, plain.valAccuracy) = (nil, nil)
        #expect(History.csv([plain]) == "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n1,0.5,0.75,,,0.001,1.23\n")
    }

    @Test("curves.svg: two panels, a training and a validation line each, deterministic")
    func curvesSVG() {
        let svg = Curves.svg(Self.records)
        #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"260\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
        #expect(svg.components(separatedBy: "<circle").count - 1 == 8)
        #expect(svg.contains(">Loss</text>") && svg.contains(">Accuracy</text>"))
        #expect(svg.components(separatedBy: "<g>").count == svg.components(separatedBy: "</g>").count)
        #expect(Curves.svg(Self.records) == svg)
        var plain = Self.records
        for index in plain.indices { (plain[index].valLoss, plain[index].valAccuracy) = (nil, nil) }
        let trainingOnly = Curves.svg(plain)
        #expect(trainingOnly.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(!trainingOnly.contains(Curves.validationColor))
        // One epoch: dots, no lines.
        #expect(Curves.svg([Self.records[0]]).components(separatedBy: "<polyline").count == 1)
    }

    @Test("nice tick steps", arguments: [(0.7, 1.0), (0.13, 0.2), (0.03, 0.05), (4.0, 5.0), (1.0, 1.0), (0.002, 0.002)])
    func niceSteps(raw: Double, step: Double) {
        #expect(abs(Curves.niceStep(raw) - step) < 1e-12)
    }

    @Test("runs are numbered run-001, run-002, ... after the highest number")
    func numbering() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-runs-\(UUID().uuidString)").path + "/runs"
        #expect(try RunFolder.next(in: parent).path == parent + "/run-001")
        #expect(try RunFolder.next(in: parent).path == parent + "/run-002")
        try FileManager.default.createDirectory(atPath: parent + "/run-017", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: parent + "/other", withIntermediateDirectories: false)
        #expect(try RunFolder.next(in: parent).path == parent + "/run-018")
    }

    @Test("--out must be new or empty; a folder with a run names --resume")
    func outFolder() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-out-\(UUID().uuidString)").path
        let run = try RunFolder.create(parent + "/mine/")
        #expect(run.path == parent + "/mine")
        #expect(try RunFolder.create(parent + "/mine").path == run.path)  // empty: fine
        try run.write("x", to: "notes.txt")
        #expect(throws: FileError(path: run.path, reason: "is not empty: name a new folder with --out")) { try RunFolder.create(run.path) }
        try run.write("{}", to: RunFolder.optionsFileName)
        #expect(throws: FileError(path: run.path, reason: "holds a run already: continue it with --resume \(run.path), or name a new folder with --out")) {
            try RunFolder.create(run.path)
        }
        #expect(!FileManager.default.fileExists(atPath: run.path + "/notes.txt.tmp"))
    }

    @Test("after every epoch: history, curves, checkpoint and the best model's files, no temporary file left")
    func filesEachEpoch() throws {
        let shards = try BarShards(counts: ["train": 48, "validation": 16])
        let trainer = try Trainer(options: try shards.options("flatten,dense8,dense", epochs: 3), run: try shards.runFolder(), tool: "dsprep test")
        let run = trainer.run
        #expect(FileManager.default.fileExists(atPath: run.optionsPath))
        #expect(try TrainingOptions.read(run: run) == trainer.options)
        trainer.onEpoch = { record in
            let history = (try? String(contentsOfFile: run.historyPath, encoding: .utf8)) ?? ""
            #expect(history.split(separator: "\n").count == record.epoch + 1)
            #expect(FileManager.default.fileExists(atPath: run.curvesPath))
            #expect(FileManager.default.fileExists(atPath: run.checkpointPath))
            #expect(FileManager.default.fileExists(atPath: run.weightsPath))
            let names = (try? FileManager.default.contentsOfDirectory(atPath: run.path)) ?? []
            #expect(!names.contains { $0.hasSuffix(".tmp") }, "\(names)")
        }
        let report = try trainer.fit()
        let card = try ModelCard.read(run: run.path)
        #expect(card.tool == "dsprep test")
        #expect(card.model == trainer.model.modelDescription)
        #expect(card.normalization == .standardize)
        #expect(card.image.height == 6 && card.preprocess.color == "gray" && card.normalize == trainer.train.manifest.normalize)
        let best = try #require(report.best)
        #expect(card.training["best_epoch"] == String(best.epoch))
        #expect(card.training["val_loss"] == "\(best.valLoss!)")
        #expect(card.training["epochs_run"] == "3" && card.training["train_samples"] == "48" && card.training["seed"] == "1337")
        let history = try String(contentsOfFile: run.historyPath, encoding: .utf8)
        #expect(history == History.csv(report.history))
        #expect(try String(contentsOfFile: run.curvesPath, encoding: .utf8) == Curves.svg(report.history))
    }
}

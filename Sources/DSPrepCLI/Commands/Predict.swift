import ArgumentParser
import Foundation
import Imaging
import Preparation
import Training

extension DSPrep {
    /// `dsprep predict`: classifies image files with a trained model.
    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Classify JPEG and PNG files with a trained model: the most probable classes of each.",
            discussion: """
                Prepares each file exactly as 'dsprep shard' prepared the model's training data, as \
                recorded in RUN/model.json (decoding, EXIF orientation, alpha on white, gray or RGB, \
                resize mode and size, Pillow's bilinear filter, the normalisation), and prints one \
                line per file: 'cat.jpg: cat 0.93, dog 0.07'. A file that cannot be read or decoded \
                (JPEGs with corrupt data included) gets 'dsprep: <file>: <reason>' on stderr; the \
                others are still classified, and the exit status is 1.
                """)

        @Argument(help: ArgumentHelp("The run folder (model.json and model.safetensors).", valueName: "run"))
        var runFolder: String

        @Argument(help: ArgumentHelp("The JPEG or PNG files to classify.", valueName: "image"))
        var images: [String]

        @Option(name: .customLong("top-k"), help: ArgumentHelp("Classes to show per image, most probable first.", valueName: "k"))
        var topK = 3

        @Option(help: "Decoding and inference threads (default: all cores).")
        var threads: Int?

        @Option(help: "Refuse images with more pixels than this (a decompression-bomb guard, as Pillow's).")
        var maxPixels = PreprocessOptions.defaultMaxPixels

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard topK >= 1 else { throw ValidationError("--top-k must be at least 1.") }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
            if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1.") }
        }

        func run() throws {
            if let threads { Threads.set(threads) }
            let predictor = try Predictor(run: runFolder, threads: threads ?? ProcessInfoCores.count, maxPixels: maxPixels)
            let progress = ProgressLine(quiet: global.quiet)
            var failed = 0, items: [String] = []
            // Chunks, so that text appears as it is ready and memory stays small for long lists.
            for start in stride(from: 0, to: images.count, by: 256) {
                let chunk = Array(images[start..<min(start + 256, images.count)])
                let results = predictor.predict(chunk, topK: topK)
                progress.finish()
                for result in results {
                    switch result {
                    case .success(let prediction):
                        if global.json { items.append(Self.json(prediction)) } else { print(Self.line(prediction)) }
                    case .failure(let error):
                        failed += 1
                        fflush(nil)  // keeps the lines in order when both streams go to one file
                        Terminal.printError(error.description)
                        if global.json { items.append("{\"file\": \(Self.quoted(error.path)), \"error\": \(Self.quoted(error.reason))}") }
                    }
                }
                progress.update("predicting: \(grouped(start + chunk.count))/\(grouped(images.count)) images",
                                fraction: Double(start + chunk.count) / Double(images.count))
            }
            progress.finish()
            if global.json { print("[" + items.map { "\n  " + $0 }.joined(separator: ",") + "\n]") }
            if failed > 0 { throw ExitCode.failure }
        }

        /// `cat.jpg: cat 0.93, dog 0.07`.
        static func line(_ prediction: Prediction) -> String {
            prediction.file + ": " + prediction.top.map { "\($0.name) \(String(format: "%.2f", $0.probability))" }.joined(separator: ", ")
        }

        /// `{"file": "cat.jpg", "predicted": "cat", "top": [{"class": "cat", "probability": 0.93}, ...]}`.
        static func json(_ prediction: Prediction) -> String {
            let top = prediction.top.map { "{\"class\": \(quoted($0.name)), \"probability\": \($0.probability.isFinite ? "\($0.probability)" : "null")}" }
            return "{\"file\": \(quoted(prediction.file)), \"predicted\": \(quoted(prediction.top.first?.name ?? "")), "
                + "\"top\": [\(top.joined(separator: ", "))]}"
        }

        /// A JSON string literal.
        static func quoted(_ text: String) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            return String(decoding: (try? encoder.encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
        }
    }
}

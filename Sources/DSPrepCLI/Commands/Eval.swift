import ArgumentParser
import Foundation
import Training

extension DSPrep {
    /// `dsprep eval`: a trained model's scores on a split of the shards.
    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score a trained model on a split of the shards: loss, accuracy, confusion matrix, per-class F1, worst errors.",
            discussion: """
                Runs the model of RUN (model.json + model.safetensors, written by 'dsprep train') over \
                every labelled image of a split, in batches (memory does not grow with the split), with \
                the normalisation it was trained with. Prints the loss and accuracy, the confusion \
                matrix (rows: true class, columns: predicted), precision, recall, F1 and support per \
                class with macro and weighted averages (as scikit-learn's classification_report), and \
                the source images of the most confidently misclassified samples (from \
                <split>-index.csv). The shards must have the model's classes and image size, colour \
                and dtype.
                """)

        @Argument(help: ArgumentHelp("The run folder (model.json and model.safetensors).", valueName: "run"))
        var runFolder: String

        @Argument(help: "The shards folder.")
        var shards = "shards"

        @Option(help: "The split to evaluate (default: test, or validation when there is no test split).")
        var split: String?

        @Option(help: ArgumentHelp("How many of the most confidently misclassified images to list.", valueName: "n"))
        var topErrors = 10

        @Option(help: "Images per forward pass.")
        var batchSize = 64

        @Option(help: "Threads (default: all cores).")
        var threads: Int?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
            guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1.") }
            guard topErrors >= 0 else { throw ValidationError("--top-errors must be 0 or more.") }
        }

        func run() throws {
            if let threads { Threads.set(threads) }
            let evaluator = try Evaluator(run: runFolder)
            evaluator.batchSize = batchSize
            evaluator.topErrors = topErrors
            let progress = ProgressLine(quiet: global.quiet)
            evaluator.onProgress = { done, total in
                progress.update("evaluating: \(grouped(done))/\(grouped(total)) images", fraction: Double(done) / Double(max(total, 1)))
            }
            let report = try evaluator.evaluate(folder: shards, split: split)
            progress.finish()
            if global.json {
                print(try EvalSummary.json(report, run: runFolder, shards: shards))
            } else if !global.quiet {
                print(EvalSummary.text(report, run: runFolder, shards: shards), terminator: "")
            }
        }
    }
}

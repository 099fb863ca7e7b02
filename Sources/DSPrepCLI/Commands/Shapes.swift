import ArgumentParser
import Foundation
import Preparation

extension DSPrep {
    /// `dsprep shapes`: a survey of the images in a data folder, from their headers alone.
    struct ShapesCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shapes",
            abstract: "Survey image sizes, formats and colour models, and recommend a --size for shard.",
            discussion: """
                Reads only each image's header (no pixels are decoded) on all cores, and reports \
                the formats, the most common sizes as displayed (after EXIF orientation), colour \
                models, min/median/max of width, height and file size, histograms of width, \
                height and aspect ratio, and unreadable files. It recommends a --size and \
                --resize for dsprep shard and says how much each choice would stretch, crop or \
                pad. The class of a file is its first folder under DATA, or under DATA/<split>/. \
                Junk, .quarantine/ and non-image files are skipped. Writes nothing.
                """)

        @Argument(help: "The data folder to survey.")
        var data = "data"

        @Flag(help: "Report every class as well as the whole data set.")
        var byClass = false

        @Option(help: ArgumentHelp("How many of the most common sizes to list.", valueName: "n"))
        var top = 10

        @Option(help: ArgumentHelp("Survey a random sample of this many files instead of all.", valueName: "n"))
        var sample: Int?

        @Option(help: "The seed that picks the --sample.")
        var seed: UInt64 = SurveySampler.defaultSeed

        @Option(help: ArgumentHelp("The longest side the recommended size may have.", valueName: "pixels"))
        var maxSide = 96

        @Option(help: ArgumentHelp("Threads reading headers (default: all cores).", valueName: "n"))
        var threads: Int?

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if top < 0 { throw ValidationError("--top must be 0 or more (0 lists no sizes).") }
            if let sample, sample < 1 { throw ValidationError("--sample must be at least 1 (leave it out to survey every file).") }
            if maxSide < 1 { throw ValidationError("--max-side must be at least 1 pixel.") }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
        }

        func run() throws {
            let survey = ShapeSurvey(options: ShapeSurveyOptions(
                data: data, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, byClass: byClass,
                top: top, sample: sample, seed: seed, maxSide: maxSide))
            let progress = ProgressLine(quiet: global.quiet)
            survey.onProgress = { step in
                let rate = Double(step.filesRead) / max(progress.elapsed, 0.001)
                progress.update("reading headers: \(grouped(step.filesRead)) of \(counted(step.filesTotal, "file")), "
                                + "\(grouped(Int(rate))) files/s",
                                fraction: step.filesTotal > 0 ? Double(step.filesRead) / Double(step.filesTotal) : nil)
            }
            let report = try survey.run()
            progress.finish()
            if global.json {
                print(try ShapesSummary.json(report), terminator: "")
            } else if !global.quiet {
                print(ShapesSummary.text(report, style: .current), terminator: "")
            }
        }
    }
}

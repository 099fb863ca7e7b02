import Foundation
import Imaging

/// What `dsprep shapes` is asked to do.
public struct ShapeSurveyOptions: Sendable {
    /// The data folder.
    public var data: String
    /// Threads reading headers (at least 1).
    public var threads: Int
    /// Statistics per class as well.
    public var byClass: Bool
    /// How many of the most common sizes to list.
    public var top: Int
    /// Survey a random sample of this many files; nil for all.
    public var sample: Int?
    public var seed: UInt64
    /// The largest side the recommended size may have.
    public var maxSide: Int
    /// How much of each file the reader takes first (tests make it small to exercise the
    /// later reads).
    var readSizes = ShapeReader.ReadSizes.standard

    public init(data: String = "data", threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                byClass: Bool = false, top: Int = 10, sample: Int? = nil,
                seed: UInt64 = SurveySampler.defaultSeed, maxSide: Int = 96) {
        self.data = data
        self.threads = threads
        self.byClass = byClass
        self.top = top
        self.sample = sample
        self.seed = seed
        self.maxSide = maxSide
    }
}

/// How far a survey has got.
public struct ShapeSurveyProgress: Sendable {
    public var filesRead: Int
    public var filesTotal: Int
}

/// A data folder that cannot be surveyed. `description` is the line the user sees after
/// `dsprep: `, e.g. `data: no such folder`.
public struct ShapeSurveyError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String {
        "\(path): \(reason)"
    }
}

/// Surveys the images of a data folder from their headers alone: formats, displayed sizes,
/// colour models and file sizes, per class if asked, and a recommended size for `shard`.
///
/// 1. `SurveyWalker` lists the folder (skipping junk, `.quarantine/` and non-image files),
///    handing out files in batches as it finds them; with `--sample` it lists everything
///    first, sorts it by path, and `SurveySampler` draws a seeded random subset.
/// 2. Meanwhile `SurveyWorkers` reads the headers on `threads` threads (`ShapeReader`: one
///    `pread` of the first 1 KiB, more only when the header runs past it). No
///    pixels are decoded, and the end of a file is not checked (`unpack` did that). Each
///    thread tallies what it reads (`ShapeSurveyPart`), so nothing per file is kept.
/// 3. The threads' tallies (`ShapeTally`: counts per format, colour model and distinct size,
///    the file sizes) are added together and the lists sorted by path, so the report depends
///    neither on the order the file system lists files in nor on the thread count;
///    `SizeRecommendation` applies its rule.
public final class ShapeSurvey {
    public var onProgress: (ShapeSurveyProgress) -> Void = { _ in }
    private let options: ShapeSurveyOptions

    public init(options: ShapeSurveyOptions) {
        precondition(options.threads >= 1 && options.top >= 0 && options.maxSide >= 1, "options checked by the caller")
        self.options = options
    }

    /// Runs the survey.
    /// - Throws: `ShapeSurveyError` when the data folder is missing, not a folder, or cannot
    ///   be listed. Files that cannot be read are listed in the report, never thrown.
    public func run() throws -> ShapeReport {
        let (readSizes, byClass) = (options.readSizes, options.byClass)
        var listing = SurveyListing()
        var sample: ShapeReport.Sample?
        let parts = try SurveyWorkers.run(threads: options.threads, produce: { publish in
            if let size = options.sample {  // the sample needs the whole list first
                listing = try SurveyWalker.list(options.data)
                let population = listing.sortedByPath()
                let picked = SurveySampler.sample(size, of: population.count, seed: options.seed)
                sample = .init(size: picked.count, seed: options.seed, population: population.count)
                publish(picked.map { population[$0] })
            } else {
                listing = try withoutActuallyEscaping(publish) { try SurveyWalker.list(options.data, publish: $0) }
            }
        }, makeWorker: {
            ShapeSurveyPart(reader: ShapeReader(sizes: readSizes), byClass: byClass)
        }, process: { part, candidate in
            part.survey(candidate)
        }, onProgress: { [onProgress] done, total in onProgress(ShapeSurveyProgress(filesRead: done, filesTotal: total)) })
        return report(listing, parts, sample: sample)
    }

    /// Merges what the threads found into the report.
    private func report(_ listing: SurveyListing, _ parts: [ShapeSurveyPart], sample: ShapeReport.Sample?) -> ShapeReport {
        var all = ShapeTally()
        var classes = [ShapeTally](repeating: ShapeTally(), count: options.byClass ? listing.labels.count : 0)
        var classFiles = [Int](repeating: 0, count: listing.labels.count)
        var unreadable = listing.problems
        var misnamed: [ShapeReport.FileNote] = []
        var nonImageFiles = listing.nonImageFiles
        for part in parts {
            all.merge(part.all)
            for (label, tally) in part.classes.enumerated() { classes[label].merge(tally) }
            for (label, count) in part.classFiles.enumerated() { classFiles[label] += count }
            unreadable += part.unreadable.map { .init(path: listing.path(of: $0.candidate), reason: $0.reason) }
            misnamed += part.misnamed.map { .init(path: listing.path(of: $0.candidate), reason: $0.reason) }
            nonImageFiles += part.nonImageFiles
        }
        unreadable.sort { SurveyWalker.precedes($0.path, $1.path) }
        misnamed.sort { SurveyWalker.precedes($0.path, $1.path) }

        var classCounts: [String: Int] = [:]
        var classStatistics: [String: ShapeStatistics] = [:]
        for (index, label) in listing.labels.enumerated() where classFiles[index] > 0 {
            classCounts[label] = classFiles[index]
            if options.byClass { classStatistics[label] = classes[index].statistics(top: options.top) }
        }
        return ShapeReport(
            tool: "dsprep \(dsprepVersion)", data: options.data, sample: sample,
            skipped: .init(junkFiles: listing.junkFiles, nonImageFiles: nonImageFiles, folders: listing.skippedFolders),
            classCounts: classCounts, all: all.statistics(top: options.top),
            classes: options.byClass ? classStatistics : nil,
            unreadable: unreadable, misnamed: misnamed,
            recommendation: SizeRecommendation.recommend(all.sizes, maxSide: options.maxSide))
    }

    /// A note when an image's content is not what its extension promises, as unpack words it.
    static func namingNote(ext: String, format: ImageFormat) -> String? {
        if ext.isEmpty { return "\(format.displayName) image without an extension" }
        guard let expected = ImageFormat.expected(forExtension: ext), expected != format else { return nil }
        return "\(format.displayName) data in a file named .\(ext)"
    }
}

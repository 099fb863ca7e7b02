import Checksum
import Dataset
import Foundation
import Imaging
import Synchronization
import Unpacking

/// What `dsprep unpack` is asked to do.
public struct UnpackOptions: Sendable {
    public var archives: [String]
    public var output: String
    public var layout: Layout
    /// Replace a data set that an earlier unpack wrote into `output`.
    public var force: Bool
    /// nil: `ExtractionLimits.defaults` for the archives' size.
    public var maxBytes: Int64?
    public var maxEntries: Int?
    public var maxDepth: Int?

    public init(archives: [String], output: String = "data", layout: Layout = .auto, force: Bool = false,
                maxBytes: Int64? = nil, maxEntries: Int? = nil, maxDepth: Int? = nil) {
        self.archives = archives
        self.output = output
        self.layout = layout
        self.force = force
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        self.maxDepth = maxDepth
    }
}

/// Turns archives into the normalised folder layout of DESIGN.md §1.
///
/// 1. `Extractor` writes every regular file that may be an image to a staging folder, under a
///    numbered name, enforcing the safety rules and limits; each file's header and structure are
///    checked (`ImageInspector`) while its bytes are still in memory.
/// 2. `LayoutInference` places the good images (`[split/]class/file` or `unlabeled/file`);
///    bad ones go to `.quarantine/` under their archive path.
/// 3. `OutputFolder` moves the finished tree into place and writes `unpack-report.json` last.
public final class Unpacker {
    public static let reportName = "unpack-report.json"
    public static let quarantineName = ".quarantine"

    public var onProgress: (ExtractionProgress) -> Void = { _ in }
    private let options: UnpackOptions

    public init(options: UnpackOptions) {
        self.options = options
    }

    /// An image read from the archive and what its header check found.
    private struct Candidate {
        var file: StagedFile
        var problem: ImageProblem?
        var note: String?
    }

    /// Runs the whole unpack.
    /// - Throws: `UnpackError` for an unsafe, damaged or oversized archive; `OutputFolder.Problem`
    ///   for an output folder that cannot be used. Nothing is left in the output folder then but
    ///   what was there before.
    public func run() throws -> UnpackReport {
        let archives = try options.archives.map(Self.checkReadable)
        let folder = OutputFolder(path: options.output, reportName: Self.reportName, commandName: "unpack")
        let replaced = try folder.prepare(force: options.force)
        do {
            return try unpack(archives, into: folder, replacing: replaced)
        } catch {
            try? folder.recover()
            if replaced.isEmpty { rmdir(options.output) }  // only if empty: we made it
            throw error
        }
    }

    private func unpack(_ archives: [(path: String, bytes: Int64)], into folder: OutputFolder,
                        replacing replaced: [String]) throws -> UnpackReport {
        let hashes = ArchiveHashes(paths: archives.map(\.path))  // on another core, meanwhile
        defer { hashes.stop() }  // returns at once when they are done; see `stop`
        let stagedFiles = folder.staging + "/files"
        let tree = folder.staging + "/tree"
        try folder.createFolder(stagedFiles)
        try folder.createFolder(tree)

        var limits = ExtractionLimits.defaults(archiveBytes: archives.reduce(0) { $0 + $1.bytes })
        if let maxBytes = options.maxBytes { limits.maxBytes = maxBytes }
        if let maxEntries = options.maxEntries { limits.maxEntries = maxEntries }
        if let maxDepth = options.maxDepth { limits.maxDepth = maxDepth }

        let extractor = Extractor(stagingFolder: stagedFiles, limits: limits)
        var candidates: [Candidate] = []
        var leftOut: [LeftOutEntry] = []
        extractor.leaveOut = Self.reasonToLeaveOut
        extractor.onProgress = onProgress
        extractor.onFile = { file, bytes in
            let result = bytes.map(ImageInspector.inspect)
                ?? ((try? ImageInspector.inspect(fileAt: file.stagedPath)) ?? .failure(.notAnImage))
            switch result {
            case .success(let header):
                candidates.append(Candidate(file: file, note: Self.extensionNote(file.path, header.format)))
            case .failure(.notAnImage) where file.path.pathExtension.isEmpty:
                leftOut.append(LeftOutEntry(path: file.path.description, reason: "not an image"))
                unlink(file.stagedPath)
            case .failure(let problem):
                candidates.append(Candidate(file: file, problem: problem))
            }
        }
        var formats: [String] = []
        for archive in archives {
            formats.append(try extractor.extract(archive: archive.path, displayName: archive.path))
        }

        let report = try place(candidates, in: tree, folder: folder,
                               leftOut: extractor.leftOut + leftOut,
                               archives: zip(archives, zip(formats, hashes.wait())).map {
                                   UnpackReport.Archive(path: $0.0.path, bytes: $0.0.bytes, sha256: $0.1.1, format: $0.1.0)
                               })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try folder.commit(tree: tree, replacing: replaced, report: try encoder.encode(report) + Data("\n".utf8))
        return report
    }

    /// Moves every candidate from staging to its place in `tree` and builds the report.
    private func place(_ candidates: [Candidate], in tree: String, folder: OutputFolder,
                       leftOut: [LeftOutEntry], archives: [UnpackReport.Archive]) throws -> UnpackReport {
        let good = candidates.filter { $0.problem == nil }
        let (layout, placements) = layOut(good)
        var names = UniqueNames()
        var renamed: [UnpackReport.Moved] = []
        var notes: [LeftOutEntry] = []
        var classCounts: [String: [String: Int]] = [:]
        var unlabeled = 0
        var madeFolders = Set<String>()

        func move(_ file: StagedFile, to components: [String]) throws -> String {
            let (unique, wasTaken) = names.claim(components)
            let relative = unique.joined(separator: "/")
            let parent = unique.dropLast().joined(separator: "/")
            if !parent.isEmpty, madeFolders.insert(parent).inserted { try folder.createFolder(tree + "/" + parent) }
            try folder.rename(file.stagedPath, tree + "/" + relative)
            let source = file.source.dropFirst().joined(separator: ": ")
            if wasTaken {
                renamed.append(.init(path: source, savedAs: relative, reason: "another file already had this name"))
            } else if !file.path.notes.isEmpty {
                renamed.append(.init(path: source, savedAs: relative, reason: file.path.notes.joined(separator: "; ")))
            }
            return relative
        }

        for (candidate, placement) in zip(good, placements) {
            let relative = try move(candidate.file, to: placement.components)
            if let note = candidate.note { notes.append(LeftOutEntry(path: relative, reason: note)) }
            if let label = placement.label {
                classCounts[placement.split?.rawValue ?? "all", default: [:]][label, default: 0] += 1
            } else {
                unlabeled += 1
            }
        }
        var quarantined: [UnpackReport.Moved] = []
        for candidate in candidates {
            guard let problem = candidate.problem else { continue }
            let relative = try move(candidate.file, to: [Self.quarantineName] + candidate.file.path.components)
            quarantined.append(.init(path: candidate.file.source.dropFirst().joined(separator: ": "),
                                     savedAs: relative, reason: problem.description))
        }
        let classes = Set(classCounts.values.flatMap(\.keys)).sorted()
        return UnpackReport(tool: "dsprep \(dsprepVersion)", archives: archives, output: options.output,
                            layout: layout, classes: classes, classCounts: classCounts,
                            images: good.count, unlabeled: unlabeled, quarantined: quarantined,
                            leftOut: leftOut, renamed: renamed, notes: notes)
    }

    /// Places the images of each archive on its own (each has its own root and layout); their
    /// classes then merge. The report describes the first archive's layout, with a note per other.
    private func layOut(_ images: [Candidate]) -> (LayoutReport, [Placement]) {
        let archives = images.reduce(into: [String]()) { if $0.last != $1.file.source[0] { $0.append($1.file.source[0]) } }
        var placements = [Placement?](repeating: nil, count: images.count)
        var reports: [LayoutReport] = []
        for archive in archives {
            let indices = images.indices.filter { images[$0].file.source[0] == archive }
            let (report, placed) = LayoutInference.place(indices.map { images[$0].file.path.components },
                                                         layout: options.layout)
            for (index, placement) in zip(indices, placed) { placements[index] = placement }
            reports.append(report)
        }
        guard var combined = reports.first else {
            return (LayoutReport(layout: options.layout == .auto ? .unlabeled : options.layout, root: "",
                                 splits: [], notes: []), [])
        }
        for (archive, report) in zip(archives, reports).dropFirst() {
            combined.notes.append("\(archive): layout \(report.layout.rawValue)"
                                  + (report.root.isEmpty ? "" : ", root \(report.root)/"))
            combined.splits = Array(Set(combined.splits + report.splits)).sorted()
        }
        return (combined, placements.compactMap { $0 })
    }

    /// Junk, and files whose names say they are neither images nor archives, are not written.
    static func reasonToLeaveOut(_ path: EntryPath) -> String? {
        if let junk = Junk.reason(for: path.components) { return junk }
        let ext = path.pathExtension
        if ext.isEmpty || ImageFormat.imageExtensions.contains(ext) || Extractor.looksLikeArchive(path.name) {
            return nil
        }
        return "not an image file (.\(ext))"
    }

    /// A note when the content's format is not what the name promises.
    static func extensionNote(_ path: EntryPath, _ format: ImageFormat) -> String? {
        let ext = path.pathExtension
        if ext.isEmpty { return "\(format.displayName) image without an extension" }
        guard let expected = ImageFormat.expected(forExtension: ext), expected != format else { return nil }
        return "\(format.displayName) data in a file named .\(ext) (kept as it is)"
    }

    private static func checkReadable(_ path: String) throws -> (path: String, bytes: Int64) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw UnpackError(archive: [path], entry: nil, reason: .cannotRead(String(cString: strerror(errno))))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw UnpackError(archive: [path], entry: nil, reason: .cannotRead("not a regular file"))
        }
        guard access(path, R_OK) == 0 else {
            throw UnpackError(archive: [path], entry: nil, reason: .cannotRead(String(cString: strerror(errno))))
        }
        return (path, Int64(info.st_size))
    }
}

/// Hands out output paths, renaming `x.jpg` to `x~2.jpg` when a path is already taken
/// (compared case-insensitively, so the tree also works on macOS and Windows file systems).
struct UniqueNames {
    private var taken = Set<String>()

    mutating func claim(_ components: [String]) -> (components: [String], wasTaken: Bool) {
        var candidate = components
        var counter = 1
        while !taken.insert(candidate.joined(separator: "/").lowercased()).inserted {
            counter += 1
            candidate[candidate.count - 1] = Self.suffixed(components[components.count - 1], counter)
        }
        return (candidate, counter > 1)
    }

    static func suffixed(_ name: String, _ counter: Int) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "\(name)~\(counter)" }
        return "\(name[..<dot])~\(counter)\(name[dot...])"
    }
}

/// SHA-256 of each archive, computed on a background thread while extraction runs.
final class ArchiveHashes: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)
    private var hashes: [String] = []

    init(paths: [String]) {
        Thread.detachNewThread { [self] in
            hashes = paths.map {
                (try? SHA256.hash(fileAt: $0, proceed: { !stopping.load(ordering: .relaxed) })) ?? ""
            }
            done.signal()
        }
    }

    /// The hashes, once all are computed.
    func wait() -> [String] {
        done.wait()
        done.signal()
        return hashes
    }

    /// Stops hashing at the next 1 MiB block and waits for the thread to finish. An unpack that
    /// fails calls it before its error leaves: a thread still inside libcrypto when the process
    /// exits races OpenSSL's exit-time cleanup, which crashed the process after the error line.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        _ = wait()
    }
}

import Imaging

/// What one thread of a survey found in the files it read: tallies over all of them and by
/// class, the files that are not images after all, and the unreadable and misnamed files.
/// `ShapeSurvey` adds the threads' parts together once the walk and the reads are done.
///
/// Not thread-safe: it owns a `ShapeReader`. Use one per thread.
struct ShapeSurveyPart {
    /// A file listed in the report, with the reason.
    struct Note {
        var candidate: SurveyCandidate
        var reason: String
    }

    let reader: ShapeReader
    /// Whether tallies by class are kept.
    let byClass: Bool
    var all = ShapeTally()
    /// Tallies by label index, when `byClass`; grown as the walk meets new labels.
    private(set) var classes: [ShapeTally] = []
    /// Files surveyed, by label index.
    private(set) var classFiles: [Int] = []
    /// Files with no extension that are not images after all (a README or LICENSE).
    private(set) var nonImageFiles = 0
    private(set) var unreadable: [Note] = []
    /// Images whose content is not what their extension promises.
    private(set) var misnamed: [Note] = []

    init(reader: ShapeReader, byClass: Bool) {
        self.reader = reader
        self.byClass = byClass
    }

    /// Reads the header of `candidate` and adds what it says.
    mutating func survey(_ candidate: SurveyCandidate) {
        add(candidate, reader.read(candidate.name, folderIndex: candidate.folder, folderPath: candidate.folderPath))
    }

    /// Adds what reading `candidate` gave.
    mutating func add(_ candidate: SurveyCandidate, _ read: ShapeRead) {
        switch read.result {
        case .failure(.problem(.notAnImage)) where !candidate.hasExtension, .failure(.problem(.empty)) where !candidate.hasExtension:
            nonImageFiles += 1
            return
        case .success(let header):
            all.add(header, fileBytes: read.fileBytes)
            if byClass { withClass(candidate.label) { $0.add(header, fileBytes: read.fileBytes) } }
            if !candidate.hasExtension || candidate.expected != header.format {
                let ext = SurveyWalker.pathExtension(candidate.name)
                if let note = ShapeSurvey.namingNote(ext: ext, format: header.format) {
                    misnamed.append(Note(candidate: candidate, reason: note))
                }
            }
        case .failure(let failure):
            all.addUnreadable(format: read.format)
            if byClass { withClass(candidate.label) { $0.addUnreadable(format: read.format) } }
            unreadable.append(Note(candidate: candidate, reason: failure.reason))
        }
        if candidate.label >= classFiles.count {
            classFiles += repeatElement(0, count: candidate.label + 1 - classFiles.count)
        }
        classFiles[candidate.label] += 1
    }

    /// Runs `change` on the tally of label `label`, adding tallies up to it if needed.
    private mutating func withClass(_ label: Int, _ change: (inout ShapeTally) -> Void) {
        if label >= classes.count {
            classes += repeatElement(ShapeTally(), count: label + 1 - classes.count)
        }
        change(&classes[label])
    }
}

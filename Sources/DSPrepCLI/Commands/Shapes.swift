import ArgumentParser

extension DSPrep {
    /// `dsprep shapes`: placeholder until its issue lands (being written now).
    struct ShapesCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "shapes", abstract: "(in progress)", shouldDisplay: false)

        func run() throws {
            throw ValidationError("dsprep shapes is not built yet.")
        }
    }
}

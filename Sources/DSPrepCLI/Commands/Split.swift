import ArgumentParser

extension DSPrep {
    /// `dsprep split`: placeholder until its issue lands (being written now).
    struct SplitCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "split", abstract: "(in progress)", shouldDisplay: false)

        func run() throws {
            throw ValidationError("dsprep split is not built yet.")
        }
    }
}

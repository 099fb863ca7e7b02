import ArgumentParser
import Foundation
import Preparation
import Unpacking

/// The `dsprep` root command: one subcommand per stage of the data's journey
/// (archive -> folders -> images -> shards -> model).
public struct DSPrep: ParsableCommand {
    public static let version = dsprepVersion

    public static let configuration = CommandConfiguration(
        commandName: "dsprep",
        abstract: "Take an image-classification data set from a downloaded archive to a trained model.",
        discussion: """
            Typical use, in a project folder:
              dsprep unpack kaggle.zip          archive -> data/<class>/...
              dsprep split --ratios 80/10/10    -> data/train|validation|test/<class>/...
              dsprep shapes                     shape/format/colour survey of data/
              dsprep shard --gray --size 96     -> shards/*.safetensors + shards/manifest.json
              dsprep verify                     check shards/ against its manifest
            Each command reads the folder the previous one wrote; see 'dsprep help <command>'
            and man dsprep.
            """,
        version: version,
        subcommands: [Unpack.self, SplitCommand.self, ShapesCommand.self, Shard.self, Verify.self, Preview.self, Train.self, Eval.self, Predict.self]
    )

    public init() {}

    /// Parses the command line and runs the command. Usage errors keep ArgumentParser's message
    /// and exit code (64); anything a command throws prints as one line on stderr,
    /// `dsprep: <path>[: <entry>]: <reason>`, and exits 1.
    ///
    /// Synchronous on purpose: the commands block their thread (waiting for worker threads,
    /// files, fsync), which belongs on the process's main thread, not on a thread of Swift's
    /// cooperative pool; there, libdispatch on Linux counted the blocked thread as a busy
    /// worker and started the commands' second worker only a second later.
    public static func main(_ arguments: [String]? = nil) {
        let command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
        do {
            var command = command
            try command.run()
        } catch {
            // ArgumentParser's own errors (help, version, validation) keep its handling.
            if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { exit(withError: error) }
            fail(error)
        }
    }

    private static func fail(_ error: any Error) -> Never {
        Terminal.printError(String(describing: error))
        Foundation.exit(1)
    }
}

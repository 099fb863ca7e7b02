import ArgumentParser
import Foundation
import Preparation
import Unpacking

/// The `dsprep` root command: one subcommand per stage of the data's journey
/// (archive -> folders -> images -> shards -> model).
public struct DSPrep: AsyncParsableCommand {
    public static let version = dsprepVersion

    public static let configuration = CommandConfiguration(
        commandName: "dsprep",
        abstract: "Take an image-classification data set from a downloaded archive to a trained model.",
        discussion: """
            Typical use, in a project folder:
              dsprep unpack kaggle.zip          archive -> data/<class>/...
            Each command reads the folder the previous one wrote; see 'dsprep help <command>'
            and man dsprep.
            """,
        version: version,
        subcommands: [Unpack.self]
    )

    public init() {}

    /// Parses the command line and runs the command. Errors from dsprep's own stages print as
    /// one line, `dsprep: <path>[: <entry>]: <reason>`, and exit 1; usage errors keep
    /// ArgumentParser's message and exit code (64).
    public static func main(_ arguments: [String]? = nil) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as UnpackError {
            fail(error)
        } catch let error as OutputFolderError {
            fail(error)
        } catch {
            exit(withError: error)
        }
    }

    private static func fail(_ error: CustomStringConvertible) -> Never {
        Terminal.printError(error.description)
        Foundation.exit(1)
    }
}

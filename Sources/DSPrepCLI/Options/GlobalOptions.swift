import ArgumentParser

/// Options shared by the commands that print a report or show progress.
public struct GlobalOptions: ParsableArguments {
    @Flag(help: "Print the report as JSON on stdout instead of text.")
    public var json = false

    @Flag(name: .shortAndLong, help: "Print no progress and no summary; errors still go to stderr.")
    public var quiet = false

    public init() {}
}

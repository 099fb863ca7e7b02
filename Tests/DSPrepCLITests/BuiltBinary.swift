import ArgumentParser
import Foundation
import Testing
@testable import DSPrepCLI

/// The `dsprep` executable that `swift build` put beside the test bundle, or `DSPREP_BINARY`.
func builtBinary() -> String {
    if let path = ProcessInfo.processInfo.environment["DSPREP_BINARY"] { return path }
    return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("dsprep").path
}

/// What one run of the binary did.
struct RunResult {
    var status: Int32
    /// True when the process was ended by a signal (`status` is then the signal's number).
    var signalled = false
    var stdout: String
    var stderr: String
}

/// The variables that make a command kill itself part-way (to test interrupted runs); a run
/// gets one only when the test passes it in `environment`.
private let killSwitches = ["DSPREP_TEST_KILL_AFTER_PLACED", "DSPREP_TEST_KILL_AFTER_CHUNKS", "DSPREP_TEST_KILL_AFTER_EPOCHS"]

/// Runs the built `dsprep` with `arguments` in `folder`, stdin closed, stdout and stderr captured
/// (so neither is a terminal: no progress line, no colour).
@discardableResult
func dsprep(_ arguments: [String], in folder: String? = nil, environment: [String: String] = [:]) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: builtBinary())
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    var inherited = ProcessInfo.processInfo.environment
    for name in killSwitches { inherited[name] = nil }
    process.environment = inherited.merging(environment) { $1 }
    // Files, not pipes: a large output can never stall the child, and neither stream is a terminal.
    let capture = temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: capture) }
    FileManager.default.createFile(atPath: capture + "/out", contents: nil)
    FileManager.default.createFile(atPath: capture + "/err", contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: capture + "/out"))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: capture + "/err"))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    let read = { (name: String) in String(decoding: FileManager.default.contents(atPath: capture + "/" + name) ?? Data(), as: UTF8.self) }
    return RunResult(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                     stdout: read("out"), stderr: read("err"))
}

/// The repository's root folder.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// A fresh empty folder under the system's temporary folder.
func temporaryFolder() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-cli-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The error `body` throws, or a `CleanExit` saying there was none.
func thrownError(_ body: () throws -> Any) -> Error {
    do {
        _ = try body()
    } catch {
        return error
    }
    return CleanExit.message("no error")
}

/// Checks `command`'s help text at 100 columns against `Help/<file>`. After a deliberate change,
/// refresh the file with `DSPREP_PIN_HELP=1 swift test --filter <the test>` and review the diff.
func expectPinnedHelp(_ command: ParsableCommand.Type, file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let help = DSPrep.helpMessage(for: command, columns: 100) + "\n"
    let pinned = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Help/" + file)
    if ProcessInfo.processInfo.environment["DSPREP_PIN_HELP"] != nil {
        try help.write(to: pinned, atomically: true, encoding: .utf8)
    }
    #expect(help == (try String(contentsOf: pinned, encoding: .utf8)), sourceLocation: sourceLocation)
}

import Foundation

/// The `dsprep` executable that `swift build` put beside the test bundle, or `DSPREP_BINARY`.
func builtBinary() -> String {
    if let path = ProcessInfo.processInfo.environment["DSPREP_BINARY"] { return path }
    return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("dsprep").path
}

/// What one run of the binary did.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built `dsprep` with `arguments` in `folder`, stdin closed, stdout and stderr captured
/// (so neither is a terminal: no progress line, no colour).
@discardableResult
func dsprep(_ arguments: [String], in folder: String? = nil, environment: [String: String] = [:]) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: builtBinary())
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
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
    return RunResult(status: process.terminationStatus, stdout: read("out"), stderr: read("err"))
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

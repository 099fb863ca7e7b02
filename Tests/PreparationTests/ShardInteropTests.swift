import Foundation
import Imaging
import Testing
@testable import Preparation

/// Runs `ShardFixtures/pillow_parity.py` on shards of the fixture data: Python's safetensors
/// must read them, they must agree with the manifest and index, and their pixels must match a
/// Pillow reference pipeline (`make test` installs safetensors, numpy and Pillow).
@Suite struct ShardInteropTests {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("ShardFixtures").path

    private static func pythonHasPackages() -> Bool {
        (try? run(["python3", "-c", "import safetensors, numpy, PIL"], in: fixtures).status) == 0
    }

    private static func run(_ arguments: [String], in folder: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-interop-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: capture.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: capture) }
        let handle = try FileHandle(forWritingTo: capture)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: (try? Data(contentsOf: capture)) ?? Data(), as: UTF8.self))
    }

    /// RGB, gray from the luma channel (`--gray`) and Pillow's L of the RGB decode
    /// (`--exact-gray`, whose rows the script compares with `draft("RGB")` -> `convert("L")`).
    @Test(arguments: [(false, GrayMethod.luma), (true, .luma), (true, .rgb601)])
    func pillowReadsTheShardsAndAgreesOnPixels(gray: Bool, method: GrayMethod) throws {
        guard Self.pythonHasPackages() else {
            Issue.record("python3 with safetensors, numpy and Pillow is needed: run 'make python-packages'")
            return
        }
        let folder = temporaryFolder()
        let result = try ShardBuilder(options: ShardOptions(
            data: Self.fixtures + "/data", output: folder + "/shards",
            preprocess: PreprocessOptions(width: 24, height: 24, gray: gray, grayMethod: method))).run()
        #expect(result.manifest.splits["train"]?.count == 12)
        let check = try Self.run(["python3", Self.fixtures + "/pillow_parity.py", folder + "/shards"], in: "/")
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.hasPrefix("checked 15 images against Pillow"))
    }
}

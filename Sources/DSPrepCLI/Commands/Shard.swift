import ArgumentParser
import Foundation
import Imaging
import Preparation
import Sharding

extension DSPrep {
    /// `dsprep shard`: data/ -> shards/*.safetensors + shards/manifest.json.
    struct Shard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode, resize and pack the images into safetensors shards with a manifest.",
            discussion: """
                Reads data/<split>/<class>/ (or data/<class>/ as the split 'all', and data/unlabeled/ \
                with label -1) and writes shards/<split>-00000.safetensors ... (tensors 'images' \
                [N,H,W,C] and 'labels' [N]), shards/<split>-index.csv (row -> source image) and \
                shards/manifest.json, last. Samples are shuffled with the seed; the output is \
                byte-identical whatever --threads. Unreadable images are skipped and listed.
                """)

        @Argument(help: "The data folder.")
        var data = "data"

        @Option(name: .shortAndLong, help: "The shards folder to write.")
        var out = "shards"

        @Option(help: ArgumentHelp("Image size: 96 for 96x96, or WIDTHxHEIGHT.", valueName: "size"))
        var size = ImageSize(width: 96, height: 96)

        @Flag(help: "Store one gray channel (ITU-R 601 luma, like Pillow's 'L') instead of RGB; colour JPEGs give their luma channel, decoded directly (as Pillow's draft('L')).")
        var gray = false

        @Flag(help: "Like --gray, but colour JPEGs are decoded as RGB and converted exactly as Pillow's convert('L') (ImageOps.grayscale): about 30% slower, within 1 of Pillow decoding at the same DCT scale.")
        var exactGray = false

        @Option(help: "How images reach the size: stretch (ignore the aspect), crop (centre crop), pad (letterbox).")
        var resize: ResizeMode = .stretch

        @Option(help: "Pixel type: u8 (0-255 as decoded), f16 or f32 (scaled to 0-1).")
        var dtype: DTypeChoice = .u8

        @Option(help: ArgumentHelp("Start a new shard file at this size.", valueName: "size"))
        var shardSize = ByteSize(argument: "64M") ?? ByteSize(bytes: 64 << 20)

        @Option(help: "Seed of the shuffle (recorded in the manifest).")
        var seed: UInt64 = ShardOptions.defaultSeed

        @Option(help: "Decoding threads (default: all cores).")
        var threads: Int?

        @Flag(help: "Skip images whose decoder reports corrupt data (otherwise they are kept and listed).")
        var strict = false

        @Option(help: "Skip images with more pixels than this (a decompression-bomb guard, as Pillow's).")
        var maxPixels = PreprocessOptions.defaultMaxPixels

        @Flag(help: "Replace shards that an earlier run wrote into the --out folder.")
        var force = false

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
            if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1.") }
            if shardSize.bytes < 1 << 16 { throw ValidationError("--shard-size must be at least 64K.") }
        }

        func run() throws {
            var preprocess = PreprocessOptions(width: size.width, height: size.height, gray: gray || exactGray,
                                               grayMethod: exactGray ? .rgb601 : .luma, resize: resize)
            preprocess.maxPixels = maxPixels
            let dtype: ImageDType = switch self.dtype { case .u8: .uint8; case .f16: .float16; case .f32: .float32 }
            let builder = ShardBuilder(options: ShardOptions(
                data: data, output: out, preprocess: preprocess, dtype: dtype, shardSize: Int(shardSize.bytes),
                seed: seed, threads: threads ?? ProcessInfoCores.count, strict: strict, force: force))
            let progress = ProgressLine(quiet: global.quiet)
            var finished = 0, lastTotal = 0, chunks = 0
            // Test hook (documented in the man page): SIGKILL itself after N chunks, to prove that
            // an interrupted run leaves no manifest and that a re-run produces a correct result.
            let killAfter = ProcessInfo.processInfo.environment["DSPREP_TEST_KILL_AFTER_CHUNKS"].flatMap { Int($0) }
            builder.onProgress = { step in
                chunks += 1
                if let killAfter, chunks >= killAfter { kill(getpid(), SIGKILL) }
                if step.done == step.total { finished += step.total; lastTotal = 0 } else { lastTotal = step.done }
                let done = finished + lastTotal
                let rate = Double(done) / max(progress.elapsed, 0.001)
                progress.update("sharding \(step.split): \(grouped(step.done))/\(grouped(step.total)) images, \(grouped(Int(rate))) images/s",
                                fraction: Double(step.done) / Double(max(step.total, 1)))
            }
            let result = try builder.run()
            let seconds = progress.elapsed
            progress.finish()
            if global.json {
                print(String(decoding: result.manifest.encoded(), as: UTF8.self))
            } else if !global.quiet {
                print(ShardSummary.text(result, folder: out, seconds: seconds), terminator: "")
            }
        }
    }
}

extension ResizeMode: ExpressibleByArgument {}
extension ByteSize {
    init(bytes: Int64) { self.bytes = bytes }
}

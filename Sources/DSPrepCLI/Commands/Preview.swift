import ArgumentParser
import Foundation
import Preparation

extension DSPrep {
    /// `dsprep preview`: a PNG contact sheet of what the network will see.
    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a PNG contact sheet of a seeded sample per class, read from the shards.",
            discussion: """
                One row per class, in the manifest's order, drawn from the shards themselves \
                (after decoding, colour conversion and resizing), so it shows what the network \
                will see. Small images are enlarged (nearest neighbour) to at least 64 pixels.
                """)

        @Argument(help: "The shards folder.")
        var shards = "shards"

        @Option(name: .shortAndLong, help: "The PNG file to write (default: <shards>/preview-<split>.png).")
        var out: String?

        @Option(help: "The split to sample (default: train, or the first split).")
        var split: String?

        @Option(help: "Images per class.")
        var perClass = 8

        @Option(help: "Seed of the sample.")
        var seed: UInt64 = 1337

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard (1...64).contains(perClass) else { throw ValidationError("--per-class must be between 1 and 64.") }
        }

        func run() throws {
            let sheet = try ContactSheet.make(folder: shards, split: split, perClass: perClass, seed: seed)
            let path = out ?? "\(shards)/preview-\(sheet.split).png"
            try sheet.write(to: path)
            if global.json {
                let rows = sheet.rows.map { "{\"row\": \($0.row), \"class\": \(jsonString($0.label)), \"images\": \($0.shown)}" }
                print("{\"file\": \(jsonString(path)), \"split\": \(jsonString(sheet.split)), \"rows\": [\(rows.joined(separator: ", "))]}")
            } else if !global.quiet {
                print("Wrote \(path) (\(sheet.width)x\(sheet.height), split \(sheet.split)); rows, top to bottom:")
                for row in sheet.rows {
                    print("  \(row.row): \(row.label) (\(row.shown) of \(grouped(row.available)))")
                }
            }
        }

        private func jsonString(_ text: String) -> String {
            String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
        }
    }
}

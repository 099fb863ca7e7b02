import ArgumentParser

/// `--size 96` (a square) or `--size 96x128` (width x height), 1 to 4096 pixels a side.
struct ImageSize: ExpressibleByArgument, Sendable, Equatable {
    var width: Int
    var height: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let width = Int(parts[0]), let height = Int(parts.last ?? ""),
              (1...4096).contains(width), (1...4096).contains(height) else { return nil }
        self.init(width: width, height: height)
    }

    var defaultValueDescription: String { width == height ? "\(width)" : "\(width)x\(height)" }
}

/// How pixels are stored in the shards.
enum DTypeChoice: String, ExpressibleByArgument, CaseIterable {
    case u8, f16, f32
}

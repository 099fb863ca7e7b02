// swift-tools-version:6.0
// dsprep: from a downloaded image archive to a trained classifier.
// Layout and the direction of dependencies: ARCHITECTURE.md and DESIGN.md §2.
import Foundation
import PackageDescription

/// A SwiftPM system-library target for a C library found with pkg-config (or, without a
/// pkg-config name, only its header on the compiler's default include path).
func systemLibrary(_ name: String, pkgConfig: String?, apt: [String]) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkgConfig, providers: [.apt(apt)])
}

/// The hot loops (Training's layers, Imaging's resizing) are compiled for the build machine's
/// vector unit when it has AVX2 and FMA, as `-march=native` would: Swift's `SIMD8<Float>` is
/// then one AVX register instead of two SSE ones (a training epoch about 4% faster). The
/// arithmetic, and so every result, is the same either way. Set DSPREP_GENERIC_CPU=1 to build
/// for any x86-64 (a binary to copy to another machine).
let vectorSettings: [SwiftSetting] = {
    #if arch(x86_64) && os(Linux)
    guard ProcessInfo.processInfo.environment["DSPREP_GENERIC_CPU"] == nil,
          let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    // What LLVM's "haswell" assumes.
    let haswell = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "popcnt", "abm"]
    return haswell.allSatisfy(flags.contains) ? [.unsafeFlags(["-target-cpu", "haswell"])] : []
    #else
    return []
    #endif
}()

let package = Package(
    name: "dsprep",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dsprep", targets: ["dsprep"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, each called from exactly one Swift file.
        systemLibrary("CArchive", pkgConfig: "libarchive", apt: ["libarchive-dev"]),
        systemLibrary("CTurboJPEG", pkgConfig: "libturbojpeg", apt: ["libturbojpeg0-dev"]),
        systemLibrary("CPNG", pkgConfig: "libpng", apt: ["libpng-dev"]),
        // Header only: Training loads libopenblas.so.0 on first use (Sources/Training/BLAS.swift),
        // so commands that do not train skip the start-up of OpenBLAS's thread pool.
        systemLibrary("COpenBLAS", pkgConfig: nil, apt: ["libopenblas-dev"]),
        systemLibrary("CCrypto", pkgConfig: "libcrypto", apt: ["libssl-dev"]),

        // Stages of the data's journey.
        .target(name: "Checksum", dependencies: ["CCrypto"]),
        .target(name: "Randomness"),
        .target(name: "Unpacking", dependencies: ["CArchive"]),
        .target(name: "Dataset", dependencies: ["Checksum", "Randomness"]),
        .target(name: "Imaging", dependencies: ["CTurboJPEG", "CPNG"], swiftSettings: vectorSettings),
        .target(name: "Sharding"),
        .target(name: "Training", dependencies: ["Sharding", "Randomness", "COpenBLAS"], swiftSettings: vectorSettings),
        .target(name: "Preparation", dependencies: ["Unpacking", "Dataset", "Imaging", "Sharding", "Training", "Checksum",
                                                    "Randomness"]),

        // The command line: a library of commands and a one-file executable.
        .target(name: "DSPrepCLI", dependencies: [
            "Preparation", "Dataset", "Imaging", "Unpacking", "Sharding", "Training",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "dsprep", dependencies: ["DSPrepCLI"]),

        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], resources: [.copy("Fixtures")]),
        .testTarget(name: "UnpackingTests", dependencies: ["Unpacking"], exclude: ["Fixtures"]),
        .testTarget(name: "ChecksumTests", dependencies: ["Checksum"]),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "DatasetTests", dependencies: ["Dataset"]),
        .testTarget(name: "ShardingTests", dependencies: ["Sharding"], exclude: ["interop"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Randomness"], exclude: ["reference"]),
        .testTarget(name: "PreparationTests", dependencies: ["Preparation", "Checksum", "Sharding", "Imaging", "Dataset", "Training"],
                    exclude: ["ShardFixtures", "ShapeFixtures"]),
        .testTarget(name: "DSPrepCLITests", dependencies: ["DSPrepCLI"], exclude: ["Help"]),
    ]
)

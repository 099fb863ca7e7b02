// swift-tools-version:6.0
// dsprep: from a downloaded image archive to a trained classifier.
// Layout and the direction of dependencies: ARCHITECTURE.md and DESIGN.md §2.
import PackageDescription

/// A SwiftPM system-library target for a C library found with pkg-config (or, without a
/// pkg-config name, only its header on the compiler's default include path).
func systemLibrary(_ name: String, pkgConfig: String?, apt: [String]) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkgConfig, providers: [.apt(apt)])
}

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
        .target(name: "Unpacking", dependencies: ["CArchive"]),
        .target(name: "Dataset", dependencies: ["Checksum"]),
        .target(name: "Imaging", dependencies: ["CTurboJPEG", "CPNG"]),
        .target(name: "Sharding"),
        .target(name: "Training", dependencies: ["Sharding", "COpenBLAS"]),
        .target(name: "Preparation", dependencies: ["Unpacking", "Dataset", "Imaging", "Sharding", "Training", "Checksum"]),

        // The command line: a library of commands and a one-file executable.
        .target(name: "DSPrepCLI", dependencies: [
            "Preparation", "Dataset", "Imaging", "Unpacking", "Sharding", "Training",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "dsprep", dependencies: ["DSPrepCLI"]),

        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], resources: [.copy("Fixtures")]),
        .testTarget(name: "UnpackingTests", dependencies: ["Unpacking"], exclude: ["Fixtures"]),
        .testTarget(name: "DatasetTests", dependencies: ["Dataset"]),
        .testTarget(name: "ShardingTests", dependencies: ["Sharding"], exclude: ["interop"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training"], exclude: ["reference"]),
        .testTarget(name: "PreparationTests", dependencies: ["Preparation", "Checksum", "Sharding", "Imaging", "Dataset", "Training"],
                    exclude: ["ShardFixtures", "ShapeFixtures"]),
        .testTarget(name: "DSPrepCLITests", dependencies: ["DSPrepCLI"], exclude: ["Help"]),
    ]
)

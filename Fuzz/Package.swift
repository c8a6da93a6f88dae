// swift-tools-version: 6.0
// chroma's fuzz targets: one libFuzzer entry point per parser. Built only by
// scripts/fuzz, with `--sanitize=fuzzer --sanitize=address`; a separate package
// so that the main package's `swift build` and `swift test` never see a target
// without a `main`.
import PackageDescription

let package = Package(
    name: "chroma-fuzz",
    dependencies: [.package(name: "chroma", path: "..")],
    targets: [
        .executableTarget(name: "fuzz-png", dependencies: [.product(name: "Chroma", package: "chroma")]),
        .executableTarget(name: "fuzz-jpeg", dependencies: [.product(name: "Chroma", package: "chroma")]),
        .executableTarget(name: "fuzz-tiff", dependencies: [.product(name: "Chroma", package: "chroma")]),
        .executableTarget(name: "fuzz-webp", dependencies: [.product(name: "Chroma", package: "chroma")]),
        .executableTarget(name: "fuzz-model", dependencies: [.product(name: "Chroma", package: "chroma")]),
        .executableTarget(name: "fuzz-cifar", dependencies: [.product(name: "Chroma", package: "chroma")]),
        .executableTarget(name: "fuzz-spec", dependencies: [.product(name: "Chroma", package: "chroma")]),
    ],
    swiftLanguageModes: [.v6]
)

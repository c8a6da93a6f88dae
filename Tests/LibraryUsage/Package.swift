// swift-tools-version: 6.0
// A separate package that uses chroma as a library, as another project would:
// `import Chroma`, then one call. scripts/test builds and runs it.
import PackageDescription

let package = Package(
    name: "LibraryUsage",
    dependencies: [.package(name: "chroma", path: "../..")],
    targets: [
        .executableTarget(name: "colorize-one", dependencies: [.product(name: "Chroma", package: "chroma")]),
    ],
    swiftLanguageModes: [.v6]
)

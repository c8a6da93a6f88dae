// swift-tools-version: 6.0
// chroma: colour spaces and a small convolutional autoencoder that colorizes photos.
//
// The targets are the stages of the pipeline; an arrow is the only import allowed:
//   Chroma        (import Chroma) re-exports every stage below, plus colorize(file:to:)
//   ChromaCLI     (the chroma command) → Colorizer, Batching and the stages below
//   Colorizer     stages 4–5: the task and model metadata, training, calibration, metrics, comparison,
//                 colorizing photos → Datasets, NeuralNet, ColorSpace, CBundledModels
//   Datasets      CIFAR and photo folders → ColorSpace, ImageIO
//   NeuralNet     stage 3: layers, Adam, model files → COpenBLAS, CNeuralNet (memory-bound loops, AVX2/AVX-512 where there is one; zlib's CRC-32)
//   ColorSpace    stage 2: Lab, YCbCr, resampling → ImageIO, CColor (per-pixel kernels, AVX2 where there is one)
//   ImageIO       stage 1: PNG, JPEG, TIFF, WebP, metadata, files and paths → CShims (libpng, libjpeg, libtiff, zlib), CWebP
//   Threading     how many threads, and work split across them (ColorSpace, NeuralNet, Colorizer)
//   Batching      a batch divided across machines (ChromaCLI)
import PackageDescription

let package = Package(
    name: "chroma",
    products: [
        // `import Chroma`: every stage, and the one-call API (Sources/Chroma).
        .library(name: "Chroma", targets: ["Chroma"]),
        .executable(name: "chroma", targets: ["ChromaCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` (scripts/docs): DocC pages for the library.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // System libraries, found through pkg-config; scripts/setup installs them.
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // setjmp/longjmp error handling for libpng and libjpeg, libtiff in memory, zlib for metadata.
        .target(name: "CShims", dependencies: ["CPNG", "CJPEG", "CTIFF"], linkerSettings: [.linkedLibrary("z")]),

        // The colour conversions' per-pixel arithmetic: plain C loops, compiled for AVX2 too.
        .target(name: "CColor"),
        // The network's loops that are passes over memory, not matrix products (the bins' head,
        // upsampling, batch norm, the shifted convolution's copies, pooling): plain C loops,
        // compiled for AVX2 and AVX-512 too; and zlib's CRC-32, which seals model files.
        .target(name: "CNeuralNet", linkerSettings: [.linkedLibrary("z")]),

        // How many threads, and work split across them (CHROMA_THREADS).
        .target(name: "Threading"),

        // Dividing a batch across machines: shards from schedulers' variables, per-shard manifests, their check.
        .target(name: "Batching"),

        // Stage 1: decoding and encoding.
        .target(name: "ImageIO", dependencies: ["CShims", "CWebP"]),
        // Stage 2: colour spaces and resampling.
        .target(name: "ColorSpace", dependencies: ["CColor", "ImageIO", "Threading"]),
        // Stage 4's data: CIFAR-10 batches, splits, shuffled batches, augmentation.
        .target(name: "Datasets", dependencies: ["ColorSpace", "ImageIO"]),
        // Stage 3: the network engine.
        .target(name: "NeuralNet", dependencies: ["COpenBLAS", "CNeuralNet", "Threading"]),

        // The two bundled colorizers (scripts/train-models writes them), built into the program.
        .target(name: "CBundledModels", exclude: ["lab.chroma", "ycbcr.chroma"]),
        // Stages 4 and 5: the colorization task, training, calibration, metrics, comparison, photo colorization.
        .target(name: "Colorizer", dependencies: ["Datasets", "NeuralNet", "ColorSpace", "ImageIO", "Threading", "CBundledModels"]),

        // The umbrella module: re-exports the stages, adds colorize(file:to:); Chroma.docc is the
        // documentation's front page (scripts/docs builds it for every library module).
        .target(name: "Chroma", dependencies: ["ImageIO", "ColorSpace", "NeuralNet", "Datasets", "Colorizer", "Threading", "Batching"]),

        // The `chroma` command (Sources/ChromaCLI): argument parsing and terminals over the library.
        .executableTarget(
            name: "ChromaCLI",
            dependencies: [
                "ImageIO", "ColorSpace", "NeuralNet", "Datasets", "Colorizer", "Threading", "Batching",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "chroma-bench",
            dependencies: ["ImageIO", "ColorSpace", "NeuralNet", "Colorizer", "COpenBLAS", "Threading"],
            path: "Benchmarks/chroma-bench"),

        // Fixtures/: TIFF and WebP files made by other tools, read by path.
        .testTarget(name: "ImageIOTests", dependencies: ["ImageIO"], exclude: ["Fixtures"]),
        .testTarget(name: "ColorSpaceTests", dependencies: ["ColorSpace", "ImageIO", "Threading"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "ImageIO"]),
        .testTarget(name: "ColorizerTests", dependencies: ["Colorizer", "Datasets", "NeuralNet", "ColorSpace", "ImageIO"]),
        .testTarget(name: "BatchingTests", dependencies: ["Batching"]),
        .testTarget(name: "ChromaCLITests", dependencies: ["ImageIO", "NeuralNet", "Colorizer", "Batching"]),
    ],
    swiftLanguageModes: [.v6]
)

// `import Chroma`: the whole library, stage by stage, and colorizing in one call.
@_exported import Batching
@_exported import ColorSpace
@_exported import Colorizer
@_exported import Datasets
@_exported import ImageIO
@_exported import NeuralNet
@_exported import Threading

/// Colorizes the photo at `input` and writes the result to `output`, as
/// `chroma colorize input -o output` does: with a bundled model (or
/// `$CHROMA_MODELS`'s), at the photo's own bit depth, keeping its metadata,
/// in the format `output`'s extension names (else the input's).
///
///     try Chroma.colorize(file: "old.jpg", to: "new.jpg")
///
/// - Parameters:
///   - input: the photo's path.
///   - output: where the colorized photo goes.
///   - space: the bundled model's colour space: `.ycbcr` (`BundledModels.defaultSpace`) or `.lab`.
///   - overwrite: replace an existing `output` (never `input` itself).
/// - Throws: `ImageIOError` for files that cannot be read, decoded or written,
///   `ColorizerError` or `ModelFileError` for a model that cannot be used.
public func colorize(file input: String, to output: String, space: ChromaSpace = BundledModels.defaultSpace, overwrite: Bool = false) throws {
    _ = try PhotoColorizer.bundled(space).colorize(file: input, to: output, overwrite: overwrite)
}

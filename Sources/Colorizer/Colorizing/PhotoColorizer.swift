import ColorSpace
import Foundation
import ImageIO
import NeuralNet
import Threading

/// Colorizes photos of any size with a trained model.
///
/// The photo's luminance is area-averaged onto the model's grid (the shorter
/// side becomes `tiles` × 32 pixels, the longer side keeps the aspect ratio),
/// the network predicts chroma on the whole grid at once (it is fully
/// convolutional), and the chroma is brought back to full size bilinearly and
/// joined to the photo's own full-resolution luminance, one row at a time.
/// By default the network also sees the photo on a grid twice as fine, and the
/// two predictions are averaged (see `usesFinerGrid`).
///
/// Not thread-safe (the network reuses its buffers): give each thread its own.
public final class PhotoColorizer {
    /// The default grid: the shorter side of the photo becomes 1 × 32 pixels,
    /// the scale of the CIFAR-10 images the models learnt from. Chosen by
    /// measurement on real photos (`chroma-bench tiles`, docs/results/colorizer.md): it is
    /// the only size at which both bundled models beat gray on PSNR and ΔE2000
    /// on most photos.
    public static let defaultTiles = 1

    public let task: ColorizationTask
    public let network: Network
    /// Grid size: the shorter side of the network's input is `tiles` × 32 pixels, 1…64.
    public var tiles: Int
    /// Multiplies the predicted chroma's distance from neutral (1: as predicted, 0: gray).
    public var saturation: Float
    /// Whether the network also predicts on a grid twice as fine as `tiles`'
    /// (both sides doubled), and the two predictions are averaged: the
    /// network's outputs (a binned model's logits) on the coarse grid are
    /// stretched bilinearly onto the fine one and averaged with its own, and
    /// the chroma comes out on the fine grid. On the coarse grid a photo shows
    /// its whole scene at the scale of the training images; on the fine one its
    /// objects at twice that size, where the network sees more of their
    /// texture. Their average is better than either alone (on 86 validation
    /// photos with the bundled YCbCr model: 23.47 dB against 23.38 coarse and
    /// 23.05 fine; docs/results/photos.md), for about five times the network's
    /// work (a few milliseconds on a 32-pixel grid). The fine grid is left out
    /// where the photo is smaller than it (it would only be enlarged) and where
    /// it would need more than `maxNetworkBytes`.
    public var usesFinerGrid = true
    /// Threads for one photo's conversions and network pass.
    public var threads: Int = Threads.available {
        didSet { network.threads = threads }
    }

    /// A colorizer from a model file's contents; `saturation` defaults to the
    /// model's calibrated value (metadata `saturation`), else 1.
    /// - Parameters:
    ///   - model: a colorizer's model file (`ModelMetadata.colorization()` must accept it).
    ///   - tiles: the grid size, 1…64 (see `tiles`).
    ///   - saturation: the factor on the predicted chroma's distance from neutral, 0…4.
    ///   - temperature: for a model trained on bins, the annealed mean's temperature
    ///     in (0, 1]; defaults to the model's calibrated value.
    ///   - priorWeight: for a calibrated model trained on bins, the power of the bins'
    ///     prior the prediction is divided by, 0…1; defaults to the model's calibrated value.
    ///   - usesFinerGrid: whether to average with a prediction on a grid twice as fine (see `usesFinerGrid`).
    ///
    /// The colorizer shares `model.network` and freezes it for inference
    /// (`Network.freezeForInference()`): that network can no longer be trained.
    public init(model: ModelFile, tiles: Int = PhotoColorizer.defaultTiles, saturation: Float? = nil,
                temperature: Float? = nil, priorWeight: Float? = nil, usesFinerGrid: Bool = true) throws {
        let metadata = try ModelMetadata(of: model)
        let task = try metadata.colorization().adjusted(temperature: temperature, priorWeight: priorWeight)
        self.task = task
        guard model.network.outputChannels == task.outputChannels,
              model.network.inputChannels == task.inputChannels else {
            throw ColorizerError.networkChannels(inputs: model.network.inputChannels, outputs: model.network.outputChannels,
                                                 taskInputs: task.inputChannels, taskOutputs: task.outputChannels)
        }
        precondition((1...64).contains(tiles), "tiles must be 1…64")
        network = model.network
        network.freezeForInference()  // a colorizer only predicts: its weights are laid out once
        self.tiles = tiles
        self.saturation = saturation ?? metadata.defaultSaturation
        self.usesFinerGrid = usesFinerGrid
    }

    /// A colorizer from a model file on disk.
    public convenience init(contentsOf path: String, tiles: Int = PhotoColorizer.defaultTiles, saturation: Float? = nil) throws {
        try self.init(model: try ModelFile.load(from: path), tiles: tiles, saturation: saturation)
    }

    /// What the grid's sides must be multiples of: 2 per pooling or stride-2 step.
    public var gridMultiple: Int {
        network.architecture.operations.reduce(1) { multiple, operation in
            switch operation {
            case .maxPool: multiple * 2
            case .convolution(_, _, let stride, _, _, _): multiple * stride
            default: multiple
            }
        }
    }

    /// The network's input size for a `width` × `height` photo. A photo
    /// smaller than the grid is used at its own size (enlarging adds nothing).
    /// The grid holds at most `maxGridAspect` squares of the shorter side's
    /// size: a panorama or a 1,000,000 × 1 strip is shrunk along its length
    /// too, so that the network's memory follows the tile count, not the shape.
    public func gridSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let multiple = gridMultiple
        func rounded(_ value: Double) -> Int { max(multiple, Int((value / Double(multiple)).rounded()) * multiple) }
        let scale = min(1, Double(tiles * 32) / Double(min(width, height)))
        var grid = (width: rounded(Double(width) * scale), height: rounded(Double(height) * scale))
        let longest = max(tiles * 32, multiple) * Self.maxGridAspect
        if grid.width > longest { grid.width = longest / multiple * multiple }
        if grid.height > longest { grid.height = longest / multiple * multiple }
        return grid
    }

    /// The grid the chroma comes out on for a `width` × `height` photo:
    /// `gridSize`'s with both sides doubled when `usesFinerGrid` and the photo
    /// is at least that large, else `gridSize`'s. (The network-memory bound
    /// can still leave the fine grid out: `predictChroma`'s planes tell.)
    public func predictionGrid(width: Int, height: Int) -> (width: Int, height: Int) {
        let grid = gridSize(width: width, height: height)
        guard usesFinerGrid, 2 * grid.width <= width, 2 * grid.height <= height else { return grid }
        return (2 * grid.width, 2 * grid.height)
    }

    /// The longest the grid's longer side may be, in multiples of its shorter side's nominal size (`tiles` × 32).
    public static let maxGridAspect = 16

    /// The default bound on the network's memory for one photo: 2 GiB.
    public static let defaultMaxNetworkBytes = 2 << 30

    /// The most bytes the network may allocate for one photo's grid; a photo
    /// needing more fails with `ColorizerError.gridTooLarge` before anything is allocated.
    public var maxNetworkBytes: Int = PhotoColorizer.defaultMaxNetworkBytes

    /// The colorized photo: RGB, or RGBA when `image` has alpha (kept as it is).
    /// A colour photo is first reduced to its luminance: its own colours are not used.
    public func colorize(_ image: Image<UInt8>) throws -> Image<UInt8> {
        try colorize(image, luminanceRow: { [space = task.space] in space.luminanceRow($0, of: image, into: $1) }, rows: task.space.rgbRow)
    }

    /// The same for a 16-bit image: luminance and chroma stay in float from
    /// the samples in to the samples out, so the result keeps 16-bit precision.
    public func colorize(_ image: Image<UInt16>) throws -> Image<UInt16> {
        try colorize(image, luminanceRow: { [space = task.space] in space.luminanceRow($0, of: image, into: $1) }, rows: task.space.rgbRow)
    }

    /// A decoded file colorized at its own bit depth, with its metadata made
    /// right for the result (see `ImageMetadata.forColorized(layout:)`).
    public func colorize(_ decoded: DecodedImage) throws -> DecodedImage {
        var result = decoded
        switch decoded.pixels {
        case .eightBit(let image): result.pixels = .eightBit(try colorize(image))
        case .sixteenBit(let image): result.pixels = .sixteenBit(try colorize(image))
        }
        result.metadata = decoded.metadata.forColorized()
        return result
    }

    /// `image` colorized: its luminance, one row at a time from `luminanceRow`
    /// (row, `image.width` floats out), goes onto the grid; the chroma comes
    /// back joined to the same rows by `rows` (luminance, chroma 1, chroma 2,
    /// pixel count, RGB out). The luminance is computed twice, once on the way
    /// in and once on the way out, rather than held: a full-size float plane
    /// is 4 bytes a pixel to write, read and, in a fresh process, have the
    /// kernel zero (48 MB for 12 MP), which costs more than computing it again.
    private func colorize<Sample: ImageSample>(
        _ image: Image<Sample>, luminanceRow: (Int, UnsafeMutablePointer<Float>) -> Void,
        rows: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, Int, UnsafeMutablePointer<Sample>) -> Void
    ) throws -> Image<Sample> {
        let width = image.width, height = image.height
        let grid = predictionGrid(width: width, height: height)
        let onGrid = Resampler.resize(width: width, height: height, rows: { y, scratch in luminanceRow(y, scratch); return UnsafePointer(scratch) },
                                      toWidth: grid.width, height: grid.height, method: Self.method(onto: grid, from: (width, height)),
                                      threads: threads)
        let chroma = try predictChroma(luminance: onGrid, photoSize: (width, height))
        let hasAlpha = image.layout.hasAlpha, channels = hasAlpha ? 4 : 3, sourceChannels = image.layout.channels
        let chromaRows = ChromaRows(chroma, width: width, height: height, threads: threads)
        var samples = [Sample].uninitialized(width * height * channels)
        samples.withUnsafeMutableBufferPointer { samples in
            let out = samples.baseAddress!
            Threads.split(height, threads: threads) { _, band in
                var lightness = [Float].uninitialized(width), first = [Float].uninitialized(width), second = [Float].uninitialized(width)
                var rgb = [Sample].uninitialized(hasAlpha ? 3 * width : 0)
                for y in band {
                    chromaRows.row(y, into: &first, &second)
                    let row = out + y * width * channels
                    lightness.withUnsafeMutableBufferPointer { l in
                        luminanceRow(y, l.baseAddress!)
                        rgb.withUnsafeMutableBufferPointer { rgb in
                            rows(l.baseAddress!, first, second, width, hasAlpha ? rgb.baseAddress! : row)
                        }
                    }
                    guard hasAlpha else { continue }
                    image.samples.withUnsafeBufferPointer { source in
                        let alpha = source.baseAddress! + y * width * sourceChannels + sourceChannels - 1
                        for x in 0..<width {
                            row[4 * x] = rgb[3 * x]; row[4 * x + 1] = rgb[3 * x + 1]; row[4 * x + 2] = rgb[3 * x + 2]
                            row[4 * x + 3] = alpha[x * sourceChannels]
                        }
                    }
                }
            }
        }
        return Image(width: width, height: height, layout: hasAlpha ? .rgba : .rgb, samples: samples)
    }

    /// The predicted chroma, brought to a photo's full size one row at a time:
    /// the grid is widened to the photo's width once, and each row then mixes
    /// two of its rows (bilinear, as `Resampler` stretches).
    struct ChromaRows {
        let wide: [Plane]
        let height: Int

        /// - Parameters: chroma: `predictChroma`'s two planes; width, height: the photo's.
        init(_ chroma: [Plane], width: Int, height: Int, threads: Int) {
            wide = chroma.map { Resampler.resize($0, width: width, height: $0.height, method: .bilinear, threads: threads) }
            self.height = height
        }

        /// Row `y`'s two chroma channels, `width` values each.
        func row(_ y: Int, into first: UnsafeMutablePointer<Float>, _ second: UnsafeMutablePointer<Float>) {
            Resampler.row(y, of: wide[0], stretchedTo: height, into: first)
            Resampler.row(y, of: wide[1], stretchedTo: height, into: second)
        }
    }

    /// How luminance of `size` goes onto `grid`: the mean of the area each cell
    /// covers, or, for a photo smaller than the grid (it is enlarged), bilinear.
    static func method(onto grid: (width: Int, height: Int), from size: (width: Int, height: Int)) -> Resampler.Method {
        grid.width <= size.width && grid.height <= size.height ? .area : .bilinear
    }

    /// The two chroma planes, in the space's units, saturation applied, on
    /// `predictionGrid`'s grid (or `gridSize`'s when the fine grid would
    /// need more than `maxNetworkBytes`).
    /// - Parameters:
    ///   - luminance: the photo's luminance at its own size, or already area-averaged
    ///     onto `predictionGrid`'s grid (a JPEG's, computed from its coefficients).
    ///   - photoSize: the photo's size in pixels, which sets the grid; default: the plane's.
    public func predictChroma(luminance: Plane, photoSize: (width: Int, height: Int)? = nil) throws -> [Plane] {
        let photo = photoSize ?? (luminance.width, luminance.height)
        let coarse = gridSize(width: photo.width, height: photo.height), grid = predictionGrid(width: photo.width, height: photo.height)
        let onGrid = Resampler.resize(luminance, width: grid.width, height: grid.height,
                                      method: Self.method(onto: grid, from: (luminance.width, luminance.height)), threads: threads)
        network.threads = threads
        network.maxWorkspaceBytes = maxNetworkBytes
        // The coarse grid's area means are the fine grid's, averaged two by two.
        let onCoarse = Resampler.resize(onGrid, width: coarse.width, height: coarse.height, method: .area, threads: threads)
        var outputs = try networkOutputs(luminance: onCoarse)
        var size = coarse
        if grid != coarse {
            do {
                outputs = Self.average(outputs, stretchedFrom: coarse, with: try networkOutputs(luminance: onGrid), size: grid)
                size = grid
            } catch ColorizerError.gridTooLarge {
                // Over the memory bound the coarse grid's prediction stands alone.
            }
        }
        let plane = size.width * size.height
        let chroma = outputs.withUnsafeBufferPointer { task.chroma(fromOutputs: $0.baseAddress!, count: 1, plane: plane) }
        return (0..<2).map { channel in
            Plane(width: size.width, height: size.height, values: (0..<plane).map { p in
                task.chroma(fromNormalised: chroma[channel * plane + p], saturation: saturation)
            })
        }
    }

    /// The network's outputs (channels × grid) for luminance on its grid.
    private func networkOutputs(luminance: Plane) throws -> [Float] {
        let plane = luminance.width * luminance.height
        var inputs = [Float](repeating: 0, count: task.inputChannels * plane)
        luminance.values.withUnsafeBufferPointer { l in
            inputs.withUnsafeMutableBufferPointer { task.inputs(luminance: l.baseAddress!, count: 1, plane: plane, into: $0.baseAddress!) }
        }
        do {
            return try network.predict(inputs, count: 1, shape: Shape(channels: task.inputChannels, height: luminance.height, width: luminance.width),
                                       mirrorAveraged: task.averagesMirror)
        } catch let NetworkError.workspaceTooLarge(bytes, limit, _) {
            throw ColorizerError.gridTooLarge(width: luminance.width, height: luminance.height, bytes: bytes, limit: limit)
        }
    }

    /// The mean of `fine` and `coarse` stretched bilinearly to twice its size (as the
    /// network's `u:bilinear` layer does it), channel by channel: `fine` holds planes of
    /// `size`, `coarse` as many of `coarseSize`, and `size` is twice `coarseSize`.
    static func average(_ coarse: [Float], stretchedFrom coarseSize: (width: Int, height: Int), with fine: [Float],
                        size: (width: Int, height: Int)) -> [Float] {
        precondition(size.width == 2 * coarseSize.width && size.height == 2 * coarseSize.height, "the fine grid is twice the coarse one")
        let stretched = UpsampleMode.bilinear.doubled(coarse, planes: coarse.count / (coarseSize.width * coarseSize.height),
                                                      width: coarseSize.width, height: coarseSize.height)
        var mean = stretched
        mean.withUnsafeMutableBufferPointer { mean in
            fine.withUnsafeBufferPointer { fine in
                for i in 0..<mean.count { mean[i] = 0.5 * (fine[i] + mean[i]) }
            }
        }
        return mean
    }
}

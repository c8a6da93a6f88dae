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
///
/// Not thread-safe (the network reuses its buffers): give each thread its own.
public final class PhotoColorizer {
    /// The default grid: the shorter side of the photo becomes 1 × 32 pixels,
    /// the scale of the CIFAR-10 images the models learnt from. Chosen by
    /// measurement on real photos (`chroma-bench tiles`, see the README): it is
    /// the only size at which both bundled models beat gray on PSNR and ΔE2000
    /// on most photos.
    public static let defaultTiles = 1

    public let task: ColorizationTask
    public let network: Network
    /// Grid size: the shorter side of the network's input is `tiles` × 32 pixels, 1…64.
    public var tiles: Int
    /// Multiplies the predicted chroma's distance from neutral (1: as predicted, 0: gray).
    public var saturation: Float
    /// Threads for one photo's conversions and network pass.
    public var threads: Int = Threads.available {
        didSet { network.threads = threads }
    }

    /// A colorizer from a model file's contents; `saturation` defaults to the
    /// model's calibrated value (metadata `saturation`), else 1.
    /// - Parameters:
    ///   - temperature: for a model trained on bins, the annealed mean's temperature
    ///     in (0, 1]; defaults to the model's calibrated value.
    ///   - priorWeight: for a calibrated model trained on bins, the power of the bins'
    ///     prior the prediction is divided by, 0…1; defaults to the model's calibrated value.
    public init(model: ModelFile, tiles: Int = PhotoColorizer.defaultTiles, saturation: Float? = nil,
                temperature: Float? = nil, priorWeight: Float? = nil) throws {
        let task = try ColorizationTask(metadata: model.metadata).adjusted(temperature: temperature, priorWeight: priorWeight)
        self.task = task
        guard model.network.outputChannels == task.outputChannels,
              model.network.inputChannels == task.inputChannels else {
            throw ColorizerError.mismatch("the model's network takes \(model.network.inputChannels) inputs and gives "
                                          + "\(model.network.outputChannels) outputs; its task needs \(task.inputChannels) and \(task.outputChannels)")
        }
        precondition((1...64).contains(tiles), "tiles must be 1…64")
        network = model.network
        self.tiles = tiles
        self.saturation = saturation ?? model.calibratedSaturation
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
    public func gridSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let multiple = gridMultiple
        func rounded(_ value: Double) -> Int { max(multiple, Int((value / Double(multiple)).rounded()) * multiple) }
        let scale = min(1, Double(tiles * 32) / Double(min(width, height)))
        return (rounded(Double(width) * scale), rounded(Double(height) * scale))
    }

    /// The colorized photo: RGB, or RGBA when `image` has alpha (kept as it is).
    /// A colour photo is first reduced to its luminance: its own colours are not used.
    public func colorize(_ image: Image<UInt8>) throws -> Image<UInt8> {
        let width = image.width, height = image.height
        let luminance = task.space.luminancePlane(of: image, threads: threads)
        let chroma = try predictChroma(luminance: luminance)
        let hasAlpha = image.layout.hasAlpha
        let channels = hasAlpha ? 4 : 3
        var samples = [UInt8].uninitialized(width * height * channels)
        // The chroma grid widened to full width; each output row then mixes two of its rows.
        let wide = chroma.map { Resampler.resize($0, width: width, height: $0.height, method: .bilinear, threads: threads) }
        let gridHeight = chroma[0].height
        luminance.values.withUnsafeBufferPointer { l in
            wide[0].values.withUnsafeBufferPointer { first in
                wide[1].values.withUnsafeBufferPointer { second in
                    image.samples.withUnsafeBufferPointer { source in
                        samples.withUnsafeMutableBufferPointer { out in
                            let l = l.baseAddress!, first = first.baseAddress!, second = second.baseAddress!
                            let source = source.baseAddress!, out = out.baseAddress!
                            let space = task.space, sourceChannels = image.layout.channels
                            Threads.split(height, threads: threads) { _, rows in
                                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * width)
                                let rgb = UnsafeMutablePointer<UInt8>.allocate(capacity: hasAlpha ? 3 * width : 0)
                                defer { scratch.deallocate(); rgb.deallocate() }
                                let widened = [(first, scratch), (second, scratch + width)]
                                for y in rows {
                                    // Pixel centres aligned: output row y sits at (y + ½)·gridHeight/height − ½ in the grid.
                                    let position = max(0, min(Double(gridHeight - 1), (Double(y) + 0.5) * Double(gridHeight) / Double(height) - 0.5))
                                    let above = Int(position), below = min(above + 1, gridHeight - 1)
                                    let t = Float(position - Double(above))
                                    for (plane, target) in widened {
                                        let a = plane + above * width, b = plane + below * width
                                        for x in 0..<width { target[x] = a[x] + t * (b[x] - a[x]) }
                                    }
                                    let row = out + y * width * channels
                                    space.rgbRow(luminance: l + y * width, chroma1: scratch, chroma2: scratch + width,
                                                 count: width, into: hasAlpha ? rgb : row)
                                    if hasAlpha {
                                        let alpha = source + y * width * sourceChannels + sourceChannels - 1
                                        for x in 0..<width {
                                            row[4 * x] = rgb[3 * x]; row[4 * x + 1] = rgb[3 * x + 1]; row[4 * x + 2] = rgb[3 * x + 2]
                                            row[4 * x + 3] = alpha[x * sourceChannels]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Image(width: width, height: height, layout: hasAlpha ? .rgba : .rgb, samples: samples)
    }

    /// The two chroma planes on the model's grid, in the space's units, saturation applied.
    public func predictChroma(luminance: Plane) throws -> [Plane] {
        let grid = gridSize(width: luminance.width, height: luminance.height)
        let shrinking = grid.width <= luminance.width && grid.height <= luminance.height
        let small = Resampler.resize(luminance, width: grid.width, height: grid.height,
                                     method: shrinking ? .area : .bilinear, threads: threads)
        let plane = grid.width * grid.height
        var inputs = [Float](repeating: 0, count: task.inputChannels * plane)
        small.values.withUnsafeBufferPointer { l in
            inputs.withUnsafeMutableBufferPointer { task.inputs(luminance: l.baseAddress!, count: 1, plane: plane, into: $0.baseAddress!) }
        }
        network.threads = threads
        let output = try network.predict(inputs, count: 1, shape: Shape(channels: task.inputChannels, height: grid.height, width: grid.width),
                                         mirrorAveraged: task.averagesMirror)
        let chroma = output.withUnsafeBufferPointer { task.chroma(fromOutputs: $0.baseAddress!, count: 1, plane: plane) }
        let neutral = task.space.neutralChroma
        return (0..<2).map { channel in
            Plane(width: grid.width, height: grid.height, values: (0..<plane).map { p in
                neutral + saturation * (task.chroma(fromNormalised: chroma[channel * plane + p]) - neutral)
            })
        }
    }
}

import ColorSpace
import Datasets
import ImageIO
import NeuralNet

/// A picture of how a model does on a fixed set of images: one row per
/// image, each enlarged for the eye. Colorizers: original | grayscale |
/// colorized; denoisers: original | noisy | denoised; reconstructions:
/// original | reconstructed.
public enum SampleGrid {
    /// The grid for any training task; each image is enlarged `scale` times (nearest neighbour).
    public static func image(network: Network, task: TrainingTask, images: ImageSet, scale: Int = 3) throws -> Image<UInt8> {
        switch task {
        case .colorize(let task):
            return try image(network: network, task: task, images: images, scale: scale)
        case .colorizeRGB(let space):
            let (_, _, outputs) = try Evaluator.run(network, task: task, set: images)
            let gray = space.grayImage(of: images.stacked())
            return grid([images.stacked(), gray, Evaluator.images(unitRGB: outputs, like: images).stacked()], images: images, scale: scale)
        case .reconstruct:
            let (_, _, outputs) = try Evaluator.run(network, task: task, set: images)
            return grid([images.stacked(), Evaluator.images(unitRGB: outputs, like: images).stacked()], images: images, scale: scale)
        case .denoise:
            let (_, inputs, outputs) = try Evaluator.run(network, task: task, set: images)
            return grid([images.stacked(), Evaluator.images(unitRGB: inputs, like: images).stacked(),
                         Evaluator.images(unitRGB: outputs, like: images).stacked()], images: images, scale: scale)
        }
    }

    /// The grid for a chroma colorizer: original | grayscale | colorized.
    public static func image(network: Network, task: ColorizationTask, images: ImageSet, scale: Int = 3) throws -> Image<UInt8> {
        let (chroma, prepared) = try Evaluator.predictions(network, task: task, set: images)
        let colorized = chroma.withUnsafeBufferPointer {
            task.rgb(luminance: prepared.luminance, normalisedChroma: $0.baseAddress!, count: images.count, width: images.width, height: images.height)
        }
        let gray = task.space.image(from: task.space.neutral(luminance: Plane(width: images.width, height: images.height * images.count, values: prepared.luminance)))
        return grid([images.stacked(), gray, colorized], images: images, scale: scale)
    }

    /// Columns of images stacked as tall strips (one image of `images`' size
    /// per row), laid side by side with gaps between rows and columns.
    static func grid(_ columns: [Image<UInt8>], images: ImageSet, scale: Int) -> Image<UInt8> {
        let cell = images.width * scale, rowHeight = images.height * scale, gap = 4
        var canvas = Canvas(width: columns.count * cell + (columns.count + 1) * gap, height: images.count * (rowHeight + gap) + gap)
        for (column, tall) in columns.enumerated() {
            for row in 0..<images.count {
                let single = Image(width: images.width, height: images.height, layout: tall.layout,
                                   samples: Array(tall.samples[row * images.imageSize..<(row + 1) * images.imageSize]))
                canvas.paste(single, x: gap + column * (cell + gap), y: gap + row * (rowHeight + gap), scale: scale)
            }
        }
        return canvas.image
    }
}

import ColorSpace
import Datasets
import ImageIO
import NeuralNet

/// A picture of how a colorizer does on a fixed set of images: one row per
/// image, columns original | grayscale | colorized, each enlarged for the eye.
public enum SampleGrid {
    public static func image(network: Network, task: ColorizationTask, images: ImageSet, scale: Int = 3) throws -> Image<UInt8> {
        let prepared = task.prepare(images)
        var inputs = [Float](repeating: 0, count: images.count * task.inputChannels * prepared.plane)
        prepared.luminance.withUnsafeBufferPointer { l in
            inputs.withUnsafeMutableBufferPointer { task.inputs(luminance: l.baseAddress!, count: images.count, plane: prepared.plane, into: $0.baseAddress!) }
        }
        let chroma = try network.predict(inputs, count: images.count, shape: Shape(channels: task.inputChannels, height: images.height, width: images.width))
        let colorized = chroma.withUnsafeBufferPointer {
            task.rgb(luminance: prepared.luminance, normalisedChroma: $0.baseAddress!, count: images.count, width: images.width, height: images.height)
        }
        let gray = task.space.image(from: task.space.neutral(luminance: Plane(width: images.width, height: images.height * images.count, values: prepared.luminance)))
        let cell = images.width * scale, gap = 4
        var canvas = Canvas(width: 3 * cell + 4 * gap, height: images.count * (images.height * scale + gap) + gap)
        for (column, tall) in [images.stacked(), gray, colorized].enumerated() {
            canvas.paste(tall, x: gap + column * (cell + gap), y: gap, scale: scale)
        }
        // Separate the rows: the three tall strips were pasted whole.
        var separated = Canvas(width: canvas.width, height: canvas.height)
        for row in 0..<images.count {
            for y in 0..<(images.height * scale) {
                for x in 0..<canvas.width {
                    let at = ((gap + row * images.height * scale + y) * canvas.width + x) * 3
                    separated.set(x, gap + row * (images.height * scale + gap) + y,
                                  (canvas.pixels[at], canvas.pixels[at + 1], canvas.pixels[at + 2]))
                }
            }
        }
        return separated.image
    }
}

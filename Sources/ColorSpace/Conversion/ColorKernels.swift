import CColor
import ImageIO
import Threading

/// Glue between images and the CColor kernels.
enum ColorKernels {
    /// Where R, G and B sit in a pixel of `layout` (gray: all three are the one sample).
    static func layout(_ layout: PixelLayout) -> chroma_layout {
        let (green, blue) = layout.hasColor ? (1, 2) : (0, 0)
        return chroma_layout(stride: layout.channels, green: green, blue: blue)
    }

    /// Runs `body` on ranges of whole rows' pixels, shared among threads (a pixel's
    /// result never depends on which range it is in).
    static func split<Sample>(_ image: Image<Sample>, threads: Int, _ body: (Range<Int>) -> Void) {
        split(width: image.width, height: image.height, threads: threads, body)
    }

    /// A C kernel from samples of some layout to three float planes:
    /// (source, layout, plane 1, plane 2, plane 3, pixel count).
    typealias PlanesKernel<Sample> = (UnsafePointer<Sample>, chroma_layout, UnsafeMutablePointer<Float>,
                                      UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void

    /// `image` converted to `space`'s three planes by `kernel`, rows split across threads.
    static func planes<Sample>(of image: Image<Sample>, in space: ChromaSpace, threads: Int,
                               _ kernel: PlanesKernel<Sample>) -> ColorPlanes {
        let count = image.pixelCount
        var first = [Float].uninitialized(count), second = [Float].uninitialized(count), third = [Float].uninitialized(count)
        let layout = self.layout(image.layout)
        image.samples.withUnsafeBufferPointer { source in
            first.withUnsafeMutableBufferPointer { p0 in
                second.withUnsafeMutableBufferPointer { p1 in
                    third.withUnsafeMutableBufferPointer { p2 in
                        let (source, p0, p1, p2) = (source.baseAddress!, p0.baseAddress!, p1.baseAddress!, p2.baseAddress!)
                        split(image, threads: threads) { pixels in
                            let start = pixels.lowerBound
                            kernel(source + start * layout.stride, layout, p0 + start, p1 + start, p2 + start, pixels.count)
                        }
                    }
                }
            }
        }
        let plane = { Plane(width: image.width, height: image.height, values: $0) }
        return ColorPlanes(space: space, luminance: plane(first), chroma1: plane(second), chroma2: plane(third))
    }

    /// Three planes converted to 8-bit RGB by `kernel` (plane 1, plane 2, plane 3, output, pixel count).
    static func rgb(from planes: ColorPlanes, threads: Int,
                    _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<UInt8>, Int) -> Void)
        -> Image<UInt8> {
        var out = [UInt8].uninitialized(planes.width * planes.height * 3)
        planes.luminance.values.withUnsafeBufferPointer { p0 in
            planes.chroma1.values.withUnsafeBufferPointer { p1 in
                planes.chroma2.values.withUnsafeBufferPointer { p2 in
                    out.withUnsafeMutableBufferPointer { out in
                        guard let base = out.baseAddress else { return }
                        let (p0, p1, p2) = (p0.baseAddress!, p1.baseAddress!, p2.baseAddress!)
                        split(width: planes.width, height: planes.height, threads: threads) { pixels in
                            let start = pixels.lowerBound
                            kernel(p0 + start, p1 + start, p2 + start, base + 3 * start, pixels.count)
                        }
                    }
                }
            }
        }
        return Image(width: planes.width, height: planes.height, layout: .rgb, samples: out)
    }

    /// `image` converted to one float plane by `kernel` (source, layout, plane, pixel count).
    static func plane<Sample>(of image: Image<Sample>, threads: Int,
                              _ kernel: (UnsafePointer<Sample>, chroma_layout, UnsafeMutablePointer<Float>, Int) -> Void) -> Plane {
        var out = [Float].uninitialized(image.pixelCount)
        let layout = self.layout(image.layout)
        image.samples.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { out in
                let (source, out) = (source.baseAddress!, out.baseAddress!)
                split(image, threads: threads) { pixels in
                    kernel(source + pixels.lowerBound * layout.stride, layout, out + pixels.lowerBound, pixels.count)
                }
            }
        }
        return Plane(width: image.width, height: image.height, values: out)
    }

    /// Row `y` of `plane(of: image, threads:, kernel)`, `image.width` values into `out`.
    static func row<Sample>(_ y: Int, of image: Image<Sample>, into out: UnsafeMutablePointer<Float>,
                            _ kernel: (UnsafePointer<Sample>, chroma_layout, UnsafeMutablePointer<Float>, Int) -> Void) {
        precondition((0..<image.height).contains(y), "row \(y) of an image \(image.height) rows high")
        let layout = self.layout(image.layout)
        image.samples.withUnsafeBufferPointer { source in
            kernel(source.baseAddress! + y * image.width * layout.stride, layout, out, image.width)
        }
    }

    /// The image an `into:` conversion makes when given no output to reuse.
    static func made(_ convert: (inout Image<UInt8>) -> Void) -> Image<UInt8> {
        var out = Image<UInt8>(width: 0, height: 0, layout: .rgb, samples: [])
        convert(&out)
        return out
    }

    /// `image` converted by `kernel` (source, its layout, output, pixel count)
    /// into `output`, an `outputLayout` image of the same size whose storage is
    /// reused when it already is one; rows split across threads.
    static func bytes(_ image: Image<UInt8>, into output: inout Image<UInt8>, as outputLayout: PixelLayout, threads: Int,
                      _ kernel: (UnsafePointer<UInt8>, chroma_layout, UnsafeMutablePointer<UInt8>, Int) -> Void) {
        let channels = outputLayout.channels
        if output.width != image.width || output.height != image.height || output.layout != outputLayout {
            output = Image(width: image.width, height: image.height, layout: outputLayout,
                           samples: .uninitialized(image.pixelCount * channels))
        }
        guard image.pixelCount > 0 else { return }
        let layout = self.layout(image.layout)
        image.samples.withUnsafeBufferPointer { source in
            output.samples.withUnsafeMutableBufferPointer { out in
                let (source, out) = (source.baseAddress!, out.baseAddress!)
                split(image, threads: threads) { pixels in
                    kernel(source + pixels.lowerBound * layout.stride, layout, out + pixels.lowerBound * channels, pixels.count)
                }
            }
        }
    }

    static func split(width: Int, height: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        Threads.share(height, threads: threads) { rows in
            body(rows.lowerBound * width..<rows.upperBound * width)
        }
    }
}

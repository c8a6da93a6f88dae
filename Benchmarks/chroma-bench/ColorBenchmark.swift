import ColorSpace
import ImageIO

/// 8-bit RGB → Lab → 8-bit RGB and → YCbCr → 8-bit RGB on a 12-megapixel image.
enum ColorBenchmark {
    static func run() {
        let width = 4000, height = 3000
        let image = photoLike(width: width, height: height)
        let megapixels = Double(width * height) / 1e6
        print("colour round trips, \(width)×\(height) = \(format(megapixels)) MP, median of 7 runs")
        print("space   threads   MP/s   (forward only  inverse only)")
        for space in ChromaSpace.allCases {
            for threads in [1, 2] {
                var forward: [Double] = [], inverse: [Double] = [], total: [Double] = []
                for _ in 0..<7 {
                    var planes: ColorPlanes?
                    let f = time { planes = space.planes(from: image, threads: threads) }
                    let i = time { _ = space.image(from: planes!, threads: threads) }
                    forward.append(f); inverse.append(i); total.append(f + i)
                }
                print("\(space.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(threads)        \(format(megapixels / median(total)))   (\(format(megapixels / median(forward)))  \(format(megapixels / median(inverse))))")
            }
        }
        for threads in [1, 2] {
            var forward: [Double] = [], inverse: [Double] = [], total: [Double] = []
            for _ in 0..<7 {
                var ycc: Image<UInt8>?
                let f = time { ycc = JFIF.ycbcr(from: image, threads: threads) }
                let i = time { _ = JFIF.rgb(fromYCbCr: ycc!, threads: threads) }
                forward.append(f); inverse.append(i); total.append(f + i)
            }
            print("ycbcr8  \(threads)        \(format(megapixels / median(total)))   (\(format(megapixels / median(forward)))  \(format(megapixels / median(inverse))))")
        }
    }

    /// Smooth colour gradients with texture, deterministic: the branches and
    /// tables see a spread of values as in a photo.
    static func photoLike(width: Int, height: Int) -> Image<UInt8> {
        var samples = [UInt8](repeating: 0, count: width * height * 3)
        var state: UInt32 = 12345
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 1_664_525 &+ 1_013_904_223
                let noise = Int(state >> 28) - 8
                let at = (y * width + x) * 3
                samples[at] = UInt8(clamping: x * 255 / width + noise)
                samples[at + 1] = UInt8(clamping: y * 255 / height + noise)
                samples[at + 2] = UInt8(clamping: (x + y) * 255 / (width + height) - noise)
            }
        }
        return Image(width: width, height: height, layout: .rgb, samples: samples)
    }
}

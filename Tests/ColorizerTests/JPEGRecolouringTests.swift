import Testing
import ColorSpace
import ImageIO
import NeuralNet
@testable import Colorizer

/// JPEG to JPEG with a YCbCr model goes through the DCT coefficients: the
/// luminance stays bit for bit, and the result is what the pixel path gives.
@Suite("Colorizing JPEGs in their coefficients")
struct JPEGRecolouringTests {
    static func picture(width: Int, height: Int) -> Image<UInt8> {
        var samples: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let sky = y < height / 3, v = sky ? 150 + x * 60 / width : 40 + (x * 13 + y * 7) % 90
                samples += [UInt8(sky ? v - 40 : v), UInt8(sky ? v - 10 : v + 20), UInt8(sky ? v + 40 : v / 2)]
            }
        }
        return Image(width: width, height: height, layout: .rgb, samples: samples)
    }

    /// A little-endian EXIF block holding only an orientation.
    static func exif(orientation: UInt16) -> [UInt8] {
        [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, UInt8(orientation), 0, 0, 0, 0, 0, 0, 0]
    }

    static func storedLuminance(_ jpeg: [UInt8]) throws -> [UInt8] {
        var options = DecodingOptions()
        options.jpegLuminanceOnly = true
        return try ImageDecoder.decode(jpeg, options: options).samples
    }

    static func psnr(_ a: Image<UInt8>, _ b: Image<UInt8>) -> Double {
        a.samples.withUnsafeBufferPointer { a in b.samples.withUnsafeBufferPointer { Metrics.psnr(a, $0) } }
    }

    static func reencoding(_ image: DecodedImage?) -> EncodingOptions {
        var options = EncodingOptions.keeping(image)
        options.keepsJPEGLuminance = false
        return options
    }

    @Test("a colour JPEG: luminance bit for bit, colours as the pixel path's, metadata kept and marked")
    func colour() throws {
        var metadata = ImageMetadata()
        metadata.exif = Self.exif(orientation: 1)
        metadata.comments = ["scanned 1962"]
        let jpeg = try ImageEncoder.encode(.eightBit(Self.picture(width: 200, height: 150)), as: .jpeg, metadata: metadata,
                                           options: { var o = EncodingOptions(); o.jpegQuality = 90; return o }())
        let colorizer = try PhotoColorizer.bundled(.ycbcr)
        let fast = try colorizer.colorize(fileBytes: jpeg, outputName: "out.jpg")
        #expect(fast.keptLuminance && fast.format == .jpeg && fast.width == 200 && fast.height == 150)
        #expect(try Self.storedLuminance(fast.bytes) == Self.storedLuminance(jpeg), "the luminance is the input's, bit for bit")
        let slow = try colorizer.colorize(fileBytes: jpeg, outputName: "out.jpg", encoding: Self.reencoding)
        #expect(!slow.keptLuminance)
        let fastPixels = try ImageDecoder.decode(fast.bytes), slowPixels = try ImageDecoder.decode(slow.bytes)
        #expect(fastPixels.hasColour(tolerance: 4), "colorized")
        #expect(Self.psnr(fastPixels, slowPixels) > 38, "\(Self.psnr(fastPixels, slowPixels)) dB from the pixel path's result")
        let kept = try ImageMetadata.read(from: fast.bytes)
        #expect(kept.isColorizedByChroma && kept.comments.contains("scanned 1962") && kept.exif != nil, "\(kept)")
        let stripped = try colorizer.colorize(fileBytes: jpeg, outputName: "out.jpg", stripsMetadata: true)
        let bare = try ImageMetadata.read(from: stripped.bytes)
        #expect(stripped.keptLuminance && bare.exif == nil && bare.comments == [ImageMetadata.colorizedMarker])
    }

    @Test("a gray JPEG gains chroma around its own luminance")
    func gray() throws {
        let rgb = Self.picture(width: 130, height: 97)
        let gray = Image(width: 130, height: 97, layout: .gray, samples: (0..<rgb.pixelCount).map { rgb.samples[3 * $0 + 1] })
        let jpeg = try ImageEncoder.encodeJPEG(gray, quality: 85)
        let result = try PhotoColorizer.bundled(.ycbcr).colorize(fileBytes: jpeg, outputName: "out.jpg")
        #expect(result.keptLuminance)
        #expect(try Self.storedLuminance(result.bytes) == Self.storedLuminance(jpeg))
        let decoded = try ImageDecoder.decode(result.bytes)
        #expect(decoded.layout == .rgb && decoded.hasColour(tolerance: 4))
        let slow = try PhotoColorizer.bundled(.ycbcr).colorize(fileBytes: jpeg, outputName: "out.jpg", encoding: Self.reencoding)
        #expect(Self.psnr(decoded, try ImageDecoder.decode(slow.bytes)) > 38)
    }

    @Test("through pixels instead: a Lab model, another output format, an orientation to apply, a photo smaller than the grid")
    func pixelPath() throws {
        let jpeg = try ImageEncoder.encodeJPEG(Self.picture(width: 120, height: 80), quality: 90)
        #expect(try !PhotoColorizer.bundled(.lab).colorize(fileBytes: jpeg, outputName: "out.jpg").keptLuminance)
        #expect(try !PhotoColorizer.bundled(.ycbcr).colorize(fileBytes: jpeg, outputName: "out.png").keptLuminance)
        var turned = ImageMetadata()
        turned.exif = Self.exif(orientation: 6)
        let sideways = try ImageEncoder.encode(.eightBit(Self.picture(width: 120, height: 80)), as: .jpeg, metadata: turned)
        let upright = try PhotoColorizer.bundled(.ycbcr).colorize(fileBytes: sideways, outputName: "out.jpg")
        #expect(!upright.keptLuminance && upright.width == 80 && upright.height == 120, "turned upright through pixels")
        let small = try ImageEncoder.encodeJPEG(Self.picture(width: 40, height: 20), quality: 90)
        #expect(try !PhotoColorizer.bundled(.ycbcr).colorize(fileBytes: small, outputName: "out.jpg").keptLuminance)
    }
    @Test("through pixels in bands, on two threads or one: the bytes of decoding, colorizing and encoding one after another",
          arguments: [(ChromaSpace.lab, PixelLayout.rgb), (.lab, .gray), (.ycbcr, .rgb), (.ycbcr, .gray)])
    func bands(space: ChromaSpace, layout: PixelLayout) throws {
        let rgb = Self.picture(width: 203, height: 150)
        let image = layout == .rgb ? rgb : Image(width: 203, height: 150, layout: .gray, samples: (0..<rgb.pixelCount).map { rgb.samples[3 * $0 + 1] })
        var metadata = ImageMetadata()
        metadata.comments = ["scanned 1962"]
        let jpeg = try ImageEncoder.encode(.eightBit(image), as: .jpeg, metadata: metadata)
        let colorizer = try PhotoColorizer.bundled(space)
        let decoded = try ImageDecoder.decodeWithMetadata(jpeg)
        let colorized = try colorizer.colorize(decoded)
        let oneAfterAnother = try ImageEncoder.encode(colorized.pixels, as: .jpeg, metadata: colorized.metadata, options: Self.reencoding(decoded))
        for threads in [2, 1] {
            colorizer.threads = threads
            let banded = try colorizer.colorize(fileBytes: jpeg, outputName: "out.jpg", encoding: Self.reencoding)
            #expect(!banded.keptLuminance && banded.width == 203 && banded.height == 150)
            #expect(banded.bytes == oneAfterAnother, "\(threads) thread(s)")
            #expect(try ImageMetadata.read(from: banded.bytes).comments.contains("scanned 1962"))
        }
    }

    @Test("a JPEG that ends early fails in bands as it does whole, without waiting forever")
    func truncatedInBands() throws {
        let jpeg = try ImageEncoder.encodeJPEG(Self.picture(width: 200, height: 300), quality: 90)
        let colorizer = try PhotoColorizer.bundled(.lab)
        for threads in [2, 1] {
            colorizer.threads = threads
            #expect {
                try colorizer.colorize(fileBytes: Array(jpeg.prefix(jpeg.count * 2 / 3)), outputName: "out.jpg")
            } throws: { error in
                guard case ImageIOError.truncated = error else { return false }
                return true
            }
        }
    }
}


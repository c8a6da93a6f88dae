import Testing
@testable import ImageIO

@Suite("JPEG", .enabled(if: TestData.available, "needs ../shared/testdata"))
struct JPEGTests {
    /// Files that decode: width, height, layout.
    static let decodable: [String: (Int, Int, PixelLayout)] = [
        "testorig.jpg": (227, 149, .rgb), "testimgint.jpg": (227, 149, .rgb),
        "testimgari.jpg": (227, 149, .rgb), "testimgp.jpg": (227, 149, .rgb),
        "testimggray.jpg": (227, 149, .gray), "tower.jpg": (512, 512, .rgb),
        "progressive3.jpg": (650, 470, .rgb), "multiple-0xff-before-eoi.jpg": (640, 480, .rgb),
        "mjpeg.jpg": (960, 720, .rgb), "restarts.jpg": (33, 33, .rgb),
        "non-interleaved-mcu.jpg": (64, 16, .rgb), "jpg-cmyk-1.jpg": (32, 32, .rgb),
        "jpg-cmyk-2.jpg": (256, 256, .rgb), "ycck.jpg": (500, 333, .rgb),
        "ycck_progressive_1cbb1bb3.jpg": (194, 71, .rgb), "rgb.jpg": (500, 333, .rgb),
        "extraneous-data.jpg": (16, 16, .rgb), "dc-predictor-overflow.jpg": (0, 0, .gray),
        "progressive-missing-dc.jpg": (0, 0, .gray),
    ]

    /// Files that must be refused, and the kind of reason.
    static let refused: [String: String] = [
        "empty.jpg": "truncated", "missing-frame-image-1410.jpg": "corruptData",
        "missing-sof.jpg": "truncated", "missing-sos.jpg": "corruptData",
        // Its damaged entropy data runs past the end of the file.
        "corrupt_bad_huffman_c3018ebe.jpg": "truncated",
        "derive-huffman-codes-overflow.jpg": "corruptData", "invalid-dimensions.jpg": "corruptData",
        "null_height.jpg": "corruptData", "max_size.jpg": "unsupported",
        "corrupt_two_soi_96b3e939.jpg": "corruptData", "corrupt_not_jpeg_f012a432.jpg": "notAnImage",
        "testorig12.jpg": "unsupported", "monkey12.jpg": "unsupported",
        "jpeg_lossless_sel1.jpg": "unsupported", "truncated_32d08f4a.jpg": "truncated",
    ]

    static func kind(_ error: ImageIOError) -> String {
        switch error {
        case .notAnImage: "notAnImage"
        case .truncated: "truncated"
        case .corruptData: "corruptData"
        case .unsupported: "unsupported"
        case .tooLarge: "tooLarge"
        case .limitExceeded: "limitExceeded"
        default: "\(error)"
        }
    }

    @Test("every file in testdata/jpeg is known to this test")
    func everyFileCovered() {
        for name in TestData.files("jpeg", suffix: ".jpg") {
            #expect(Self.decodable[name] != nil || Self.refused[name] != nil, "\(name) has no expectation")
        }
    }

    @Test("valid and recoverable files decode with the right size and plausible pixels",
          arguments: decodable.keys.sorted())
    func decodes(name: String) throws {
        let image = try ImageDecoder.decode(TestData.bytes("jpeg/" + name))
        let (width, height, layout) = Self.decodable[name]!
        if width > 0 { #expect(image.width == width && image.height == height, "\(name): \(image.width)×\(image.height)") }
        #expect(image.layout == layout)
        // Plausible: not one flat value (non-interleaved-mcu.jpg is a flat patch by design).
        let values = Set(image.samples.prefix(100_000))
        #expect(values.count > 1 || name == "non-interleaved-mcu.jpg", "\(name) decodes to a flat image: \(values)")
    }

    @Test("damaged and unsupported files are refused with a reason", arguments: refused.keys.sorted())
    func refuses(name: String) throws {
        let bytes = try TestData.bytes("jpeg/" + name)
        do {
            _ = try ImageDecoder.decode(bytes)
            Issue.record("\(name) decoded")
        } catch let error as ImageIOError {
            #expect(Self.kind(error) == Self.refused[name], "\(name): \(error)")
            #expect(!error.description.isEmpty)
        }
    }

    @Test("CMYK and YCCK come out as RGB of the right colours")
    func cmyk() throws {
        let image = try ImageDecoder.decode(TestData.bytes("jpeg/ycck.jpg"))
        let mean = (0..<3).map { c in
            stride(from: c, to: image.samples.count, by: 3).reduce(0) { $0 + Int(image.samples[$1]) } / image.pixelCount
        }
        // A daylight photo: neither black nor inverted (an inverted decode is near 255 - mean).
        #expect(mean.allSatisfy { 40...220 ~= $0 }, "channel means \(mean)")
    }

    @Test("EXIF orientation turns every photo upright", arguments: ["Landscape", "Portrait"])
    func orientation(kind: String) throws {
        let reference = try ImageDecoder.decode(TestData.bytes("jpeg/exif-orientation/\(kind)_1.jpg"))
        #expect(kind == "Landscape" ? reference.width == 1800 && reference.height == 1200
                                    : reference.width == 1200 && reference.height == 1800)
        for n in [0, 2, 3, 4, 5, 6, 7, 8] {
            let image = try ImageDecoder.decode(TestData.bytes("jpeg/exif-orientation/\(kind)_\(n).jpg"))
            #expect(image.width == reference.width && image.height == reference.height, "\(kind)_\(n)")
            guard image.samples.count == reference.samples.count else { continue }
            var total = 0
            for i in stride(from: 0, to: image.samples.count, by: 97) {
                total += abs(Int(image.samples[i]) - Int(reference.samples[i]))
            }
            let meanDifference = Double(total) / Double(image.samples.count / 97)
            #expect(meanDifference < 6, "\(kind)_\(n) differs from upright by \(meanDifference) on average")
        }
    }

    @Test("truncated copies are refused at every cut")
    func truncatedCopies() throws {
        let bytes = try TestData.bytes("jpeg/testorig.jpg")
        for cut in stride(from: 0, to: bytes.count - 2, by: 173) {
            #expect(throws: ImageIOError.self) { try ImageDecoder.decode(Array(bytes[0..<cut])) }
        }
    }

    @Test("the pixel limit is checked from the header")
    func pixelLimit() throws {
        var options = DecodingOptions()
        options.maxPixels = 10_000
        #expect(throws: ImageIOError.tooLarge(width: 227, height: 149, limit: 10_000)) {
            try ImageDecoder.decode(TestData.bytes("jpeg/testorig.jpg"), options: options)
        }
    }

    @Test("the scan limit refuses progressive files with too many scans")
    func scanLimit() throws {
        var options = DecodingOptions()
        options.maxJPEGScans = 5
        #expect(throws: ImageIOError.self) { try ImageDecoder.decode(TestData.bytes("jpeg/testimgp.jpg"), options: options) }
        options.maxJPEGScans = 10
        #expect(throws: Never.self) { try ImageDecoder.decode(TestData.bytes("jpeg/testimgp.jpg"), options: options) }
    }
}

@Suite("JPEG encoding")
struct JPEGEncodingTests {
    @Test("quality and subsampling round-trip closely", arguments: ChromaSubsampling.allCases)
    func roundTrip(subsampling: ChromaSubsampling) throws {
        // A smooth gradient survives JPEG almost unchanged.
        var samples: [UInt8] = []
        for y in 0..<48 { for x in 0..<64 { samples += [UInt8(x * 4), UInt8(y * 5), UInt8((x + y) * 2)] } }
        let image = Image(width: 64, height: 48, layout: .rgb, samples: samples)
        for progressive in [false, true] {
            let bytes = try ImageEncoder.encodeJPEG(image, quality: 95, subsampling: subsampling, progressive: progressive)
            let decoded = try ImageDecoder.decode(bytes)
            #expect(decoded.width == 64 && decoded.height == 48 && decoded.layout == .rgb)
            let error = zip(decoded.samples, samples).map { (a: UInt8, b: UInt8) -> Int in abs(Int(a) - Int(b)) }.max()!
            #expect(error <= 8, "\(subsampling) progressive=\(progressive): max error \(error)")
        }
        var graySamples: [UInt8] = []
        for i in 0..<(64 * 48) { graySamples += [UInt8(i % 64 * 4), 255] }
        let gray = Image(width: 64, height: 48, layout: .grayAlpha, samples: graySamples)
        #expect(try ImageDecoder.decode(ImageEncoder.encodeJPEG(gray)).layout == .gray, "alpha dropped, gray kept")
    }

    @Test("higher quality gives larger files")
    func quality() throws {
        var random = SeededGenerator(seed: 1)
        let image = Image(width: 64, height: 64, layout: .rgb,
                          samples: (0..<(64 * 64 * 3)).map { _ in UInt8.random(in: 0...255, using: &random) })
        let small = try ImageEncoder.encodeJPEG(image, quality: 20)
        let large = try ImageEncoder.encodeJPEG(image, quality: 95)
        #expect(small.count < large.count)
    }

    @Test("luminance-only decoding gives the Y a JPEG stores: JFIF's luminance of the full decode, within rounding")
    func luminanceOnly() throws {
        var samples: [UInt8] = []
        for y in 0..<48 { for x in 0..<64 { samples += [UInt8(40 + x * 2), UInt8(60 + y * 3), UInt8(200 - x - y)] } }
        let jpeg = try ImageEncoder.encodeJPEG(Image(width: 64, height: 48, layout: .rgb, samples: samples), quality: 90)
        var options = DecodingOptions()
        options.jpegLuminanceOnly = true
        let luminance = try ImageDecoder.decode(jpeg, options: options)
        let rgb = try ImageDecoder.decode(jpeg)
        #expect(luminance.layout == .gray && luminance.width == 64 && luminance.height == 48)
        var worst = 0
        for i in 0..<rgb.pixelCount {
            let (r, g, b) = (Double(rgb.samples[3 * i]), Double(rgb.samples[3 * i + 1]), Double(rgb.samples[3 * i + 2]))
            worst = max(worst, abs(Int(luminance.samples[i]) - Int((0.299 * r + 0.587 * g + 0.114 * b).rounded())))
        }
        #expect(worst <= 1, "off by \(worst)")
        let png = try ImageEncoder.encodePNG(rgb)
        #expect(try ImageDecoder.decode(png, options: options).layout == .rgb, "other formats decode as usual")
    }
}

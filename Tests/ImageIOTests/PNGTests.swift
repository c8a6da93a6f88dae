import Testing
@testable import ImageIO

@Suite("PNG", .enabled(if: TestData.available, "needs ../shared/testdata"))
struct PNGTests {
    static let valid = TestData.files("pngsuite", suffix: ".png").filter { !$0.hasPrefix("x") }
    static let corrupt = TestData.files("pngsuite", suffix: ".png").filter { $0.hasPrefix("x") }

    /// What a PngSuite name says: sizes (sNN… are NN×NN, the rest 32×32) and colour type.
    static func expectedLayout(_ name: String, bytes: [UInt8]) -> PixelLayout {
        let colourType = name[name.index(name.startIndex, offsetBy: 4)]
        let hasTransparency = bytes.count > 40 && containsChunk("tRNS", in: bytes)
        switch colourType {
        case "0": return hasTransparency ? .grayAlpha : .gray
        case "4": return .grayAlpha
        case "6": return .rgba
        default: return hasTransparency ? .rgba : .rgb
        }
    }

    static func containsChunk(_ type: String, in bytes: [UInt8]) -> Bool {
        let needle = Array(type.utf8)
        return (0..<(bytes.count - 4)).contains { Array(bytes[$0..<$0 + 4]) == needle }
    }

    /// sNN… files are NN×NN; cdfn, cdhn and cdsn (pHYs tests) are 8×32, 32×8 and 8×8.
    static func expectedSize(_ name: String) -> (Int, Int) {
        if name.hasPrefix("s"), let side = Int(name.dropFirst().prefix(2)) { return (side, side) }
        return ["cdfn2c08.png": (8, 32), "cdhn2c08.png": (32, 8), "cdsn2c08.png": (8, 8)][name] ?? (32, 32)
    }

    @Test("every valid PngSuite file decodes to its stated size and layout", arguments: valid)
    func decodesValid(name: String) throws {
        let bytes = try TestData.bytes("pngsuite/" + name)
        let image = try ImageDecoder.decode(bytes)
        let (width, height) = Self.expectedSize(name)
        #expect(image.width == width && image.height == height, "\(name): \(image.width)×\(image.height)")
        #expect(image.layout == Self.expectedLayout(name, bytes: bytes), "\(name): \(image.layout)")
        let wide = try ImageDecoder.decode16(bytes)
        #expect(wide.narrowed() == image, "\(name): 16-bit decoding narrows to the 8-bit one")
    }

    @Test("every corrupt PngSuite file (x*.png) is rejected", arguments: corrupt)
    func rejectsCorrupt(name: String) throws {
        let bytes = try TestData.bytes("pngsuite/" + name)
        #expect(throws: ImageIOError.self) { try ImageDecoder.decode(bytes) }
    }

    /// Files the suite defines as the same picture stored another way.
    static let samePixels: [(String, String)] = {
        var pairs: [(String, String)] = []
        for name in valid where name.hasPrefix("basi") {
            pairs.append((name, "basn" + name.dropFirst(4)))      // Adam7 vs. sequential
        }
        for name in valid where name.count == 12 && name.hasPrefix("s") && name.dropFirst(3).hasPrefix("i") {
            pairs.append((name, String(name.prefix(3)) + "n" + name.dropFirst(4)))
        }
        for split in ["oi1", "oi2", "oi4", "oi9"] {               // IDAT split into 1, 2, 4 or many chunks
            pairs.append((split + "n0g16.png", "basn0g16.png"))
            pairs.append((split + "n2c16.png", "basn2c16.png"))
        }
        for level in ["z03", "z06", "z09"] { pairs.append((level + "n2c08.png", "z00n2c08.png")) }  // zlib levels
        pairs.append(("ps1n0g08.png", "basn0g08.png"))             // suggested palettes change nothing
        pairs.append(("ps2n0g08.png", "basn0g08.png"))
        pairs.append(("ps1n2c16.png", "basn2c16.png"))
        pairs.append(("ps2n2c16.png", "basn2c16.png"))
        return pairs
    }()

    @Test("pictures the suite stores in two ways decode identically", arguments: samePixels)
    func samePictures(pair: (String, String)) throws {
        let a = try ImageDecoder.decode16(TestData.bytes("pngsuite/" + pair.0))
        let b = try ImageDecoder.decode16(TestData.bytes("pngsuite/" + pair.1))
        let same = a == b
        #expect(same, "\(pair.0) vs \(pair.1)")
    }

    @Test("known pixel values")
    func knownPixels() throws {
        // basn0g01: 1-bit gray expanded to 0 / 255; basn3p01: a two-colour palette.
        let bits = try ImageDecoder.decode(TestData.bytes("pngsuite/basn0g01.png"))
        #expect(Set(bits.samples) == [0, 255])
        // basn0g16: 16-bit gray gradient; the 8-bit decoding is its rounded high byte.
        let deep = try ImageDecoder.decode16(TestData.bytes("pngsuite/basn0g16.png"))
        #expect(deep.samples[0] == 0)
        #expect(Set(deep.samples).count > 256, "16 bits survive")
        // tbbn0g04: gray with a transparent colour; transparent pixels get alpha 0, others 255.
        let transparent = try ImageDecoder.decode(TestData.bytes("pngsuite/tbbn0g04.png"))
        let alphas = Set(stride(from: 1, to: transparent.samples.count, by: 2).map { transparent.samples[$0] })
        #expect(alphas == [0, 255])
    }

    @Test("the eXIf orientation tag is applied")
    func exifChunk() throws {
        let image = try ImageDecoder.decode(TestData.bytes("pngsuite/exif2c08.png"))
        #expect(image.width == 32 && image.height == 32)
    }

    @Test("encoding round-trips every layout and both depths")
    func roundTrip() throws {
        var random = SeededGenerator(seed: 7)
        for layout in PixelLayout.allCases {
            let samples = (0..<(13 * 7 * layout.channels)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let image = Image(width: 13, height: 7, layout: layout, samples: samples)
            for level in [0, 6, 9] {
                let decoded = try ImageDecoder.decode(ImageEncoder.encodePNG(image, compressionLevel: level))
                #expect(decoded == image)
            }
            let deep = Image<UInt16>(width: 5, height: 3, layout: layout,
                                     samples: (0..<(15 * layout.channels)).map { _ in UInt16.random(in: 0...65535, using: &random) })
            #expect(try ImageDecoder.decode16(ImageEncoder.encodePNG(deep)) == deep)
        }
    }

    @Test("truncated files are rejected at every cut")
    func truncated() throws {
        let bytes = try TestData.bytes("pngsuite/basn2c08.png")
        for cut in stride(from: 0, to: bytes.count - 12, by: 7) {  // the last 12 bytes are IEND
            #expect(throws: ImageIOError.self) { try ImageDecoder.decode(Array(bytes[0..<cut])) }
        }
    }

    @Test("the pixel limit is checked before decoding")
    func pixelLimit() throws {
        var options = DecodingOptions()
        options.maxPixels = 1000
        #expect(throws: ImageIOError.tooLarge(width: 32, height: 32, limit: 1000)) {
            try ImageDecoder.decode(TestData.bytes("pngsuite/basn2c08.png"), options: options)
        }
        // A header claiming 100,000 × 100,000 pixels, with no data behind it.
        var claim = Array(try ImageEncoder.encodePNG(Image<UInt8>(width: 1, height: 1, layout: .gray)))
        claim.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        PNGChunks.fixCRC(of: 12..<29, in: &claim)
        #expect(throws: ImageIOError.tooLarge(width: 100_000, height: 100_000, limit: 100_000_000)) {
            try ImageDecoder.decode(claim)
        }
    }
}

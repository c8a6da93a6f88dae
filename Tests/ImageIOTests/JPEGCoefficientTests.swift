import Testing
@testable import ImageIO

/// Recolouring a JPEG in its DCT coefficients: the luminance must come out bit
/// for bit, the chroma as given, and the network's input as decoding would give it.
@Suite("JPEG coefficients")
struct JPEGCoefficientTests {
    /// A seeded photo-like RGB picture: smooth gradients, an edge and a little noise.
    static func picture(width: Int, height: Int, seed: UInt64 = 7) -> Image<UInt8> {
        var random = SeededGenerator(seed: seed)
        var samples: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let noise = Int(random.next() % 9) - 4, edge = x > width / 3 ? 60 : 0
                samples += [UInt8(clamping: 40 + x * 150 / width + noise + edge), UInt8(clamping: 60 + y * 120 / height + noise),
                            UInt8(clamping: 180 - (x + y) * 90 / (width + height) + noise)]
            }
        }
        return Image(width: width, height: height, layout: .rgb, samples: samples)
    }

    /// The luminance a JPEG stores, decoded (libjpeg's own Y, no colour conversion).
    static func storedLuminance(_ jpeg: [UInt8]) throws -> Image<UInt8> {
        var options = DecodingOptions()
        options.jpegLuminanceOnly = true
        return try ImageDecoder.decode(jpeg, options: options)
    }

    /// Area means of a gray image onto a grid, fractional coverage counted: the reference.
    static func areaMeans(_ image: Image<UInt8>, width: Int, height: Int) -> [Double] {
        func weights(_ n: Int, _ g: Int) -> [[(Int, Double)]] {
            let scale = Double(n) / Double(g)
            return (0..<g).map { i in
                let start = Double(i) * scale, end = Double(i + 1) * scale
                return (Int(start)..<min(n, Int(end.rounded(.up)))).map { j in (j, (min(end, Double(j + 1)) - max(start, Double(j))) / scale) }
            }
        }
        let columns = weights(image.width, width), rows = weights(image.height, height)
        return rows.flatMap { row in
            columns.map { column in
                row.reduce(0.0) { sum, r in sum + column.reduce(0.0) { $0 + $1.1 * r.1 * Double(image.samples[r.0 * image.width + $1.0]) } }
            }
        }
    }

    static let variants = ["4:2:0", "4:2:2", "4:4:4", "progressive", "gray"]

    /// A JPEG of the picture in `variant`'s layout, made by chroma's own encoder (libjpeg-turbo).
    static func jpeg(_ variant: String) throws -> [UInt8] {
        switch variant {
        case "4:2:0": return try ImageEncoder.encodeJPEG(picture(width: 101, height: 67), quality: 90, subsampling: .s420)
        case "4:2:2": return try ImageEncoder.encodeJPEG(picture(width: 96, height: 70), quality: 85, subsampling: .s422)
        case "4:4:4": return try ImageEncoder.encodeJPEG(picture(width: 77, height: 80), quality: 95, subsampling: .s444)
        case "progressive": return try ImageEncoder.encodeJPEG(picture(width: 120, height: 90), quality: 80, progressive: true)
        default:
            let rgb = picture(width: 90, height: 61)
            let gray: [UInt8] = (0..<rgb.pixelCount).map { p in
                let sum = Int(rgb.samples[3 * p]) * 3 + Int(rgb.samples[3 * p + 1]) * 6 + Int(rgb.samples[3 * p + 2])
                return UInt8(sum / 10)
            }
            return try ImageEncoder.encodeJPEG(Image(width: 90, height: 61, layout: .gray, samples: gray), quality: 88)
        }
    }

    @Test("luminance means equal area means of the decoded luminance", arguments: variants)
    func means(variant: String) throws {
        let jpeg = try Self.jpeg(variant)
        let coefficients = try JPEGCoefficients(jpeg)
        let luminance = try Self.storedLuminance(jpeg)
        // Cells smaller than a block, and (4 × 2, 6 × 4) larger: there most blocks lie wholly in one cell,
        // which the means take from the block's first row and column of coefficients alone.
        for (width, height) in [(16, 8), (48, 32), (coefficients.width / 3, coefficients.height / 2), (4, 2), (6, 4)] {
            let means = try coefficients.luminanceMeans(width: width, height: height)
            let reference = Self.areaMeans(luminance, width: width, height: height)
            let worst = zip(means, reference).map { abs(Double($0) - $1) }.max()!
            // The decoder rounds each pixel to an integer and clamps it to 0…255; the means do neither.
            #expect(worst < 0.6, "\(variant) \(width)×\(height): off by \(worst)")
            #expect(try coefficients.luminanceMeans(width: width, height: height, threads: 2) == means,
                    "two threads sum each cell as one does")
        }
    }

    @Test("the luminance comes out bit for bit, the chroma as given", arguments: variants)
    func recolour(variant: String) throws {
        let jpeg = try Self.jpeg(variant)
        let coefficients = try JPEGCoefficients(jpeg)
        let (w, h) = (coefficients.chromaWidth, coefficients.chromaHeight)
        // Smooth chroma on a 6 × 4 grid, well inside the gamut where it is checked; the reference
        // stretches it to the chroma planes' resolution as Resampler's bilinear does (centres aligned, edges clamped).
        let (gw, gh) = (6, 4)
        let gridCb = (0..<(gw * gh)).map { Float(112 + 5 * ($0 % gw)) }, gridCr = (0..<(gw * gh)).map { Float(146 - 6 * ($0 / gw)) }
        func stretched(_ grid: [Float]) -> [Float] {
            func tap(_ i: Int, _ n: Int, _ g: Int) -> (Int, Float) {
                let position = min(max((Double(i) + 0.5) * Double(g) / Double(n) - 0.5, 0), Double(g - 1))
                let lo = min(Int(position), g - 2)
                return (lo, Float(position - Double(lo)))
            }
            return (0..<(w * h)).map { p in
                let (x0, tx) = tap(p % w, w, gw), (y0, ty) = tap(p / w, h, gh)
                let top = grid[y0 * gw + x0] + tx * (grid[y0 * gw + x0 + 1] - grid[y0 * gw + x0])
                let bottom = grid[(y0 + 1) * gw + x0] + tx * (grid[(y0 + 1) * gw + x0 + 1] - grid[(y0 + 1) * gw + x0])
                return top + ty * (bottom - top)
            }
        }
        let cb = stretched(gridCb), cr = stretched(gridCr)
        let recoloured = try coefficients.encode(cb: gridCb, cr: gridCr, gridWidth: gw, gridHeight: gh, quality: 90)
        #expect(try JPEGCoefficients(jpeg).encode(cb: gridCb, cr: gridCr, gridWidth: gw, gridHeight: gh, quality: 90, threads: 2)
                == recoloured, "Cb and Cr on two threads: the same file")
        #expect(try Self.storedLuminance(recoloured).samples == Self.storedLuminance(jpeg).samples, "\(variant): luminance changed")
        let decoded = try ImageDecoder.decode(recoloured)
        #expect(decoded.layout == .rgb && decoded.width == coefficients.width && decoded.height == coefficients.height)
        // Back to Cb, Cr (JFIF) at the chroma planes' resolution, away from the edges, where
        // the luminance leaves room for the chroma without clipping R, G or B.
        var worst: Float = 0
        let xScale = Int((Double(decoded.width) / Double(w)).rounded()), yScale = Int((Double(decoded.height) / Double(h)).rounded())
        let luminance = try Self.storedLuminance(recoloured)
        for y in stride(from: 2, to: h - 2, by: 3) {
            for x in stride(from: 2, to: w - 2, by: 3) where (70...185).contains(luminance.samples[y * yScale * decoded.width + x * xScale]) {
                let p = 3 * (y * yScale * decoded.width + x * xScale)
                let (r, g, b) = (Float(decoded.samples[p]), Float(decoded.samples[p + 1]), Float(decoded.samples[p + 2]))
                let measured = (128 - 0.168736 * r - 0.331264 * g + 0.5 * b, 128 + 0.5 * r - 0.418688 * g - 0.081312 * b)
                worst = max(worst, abs(measured.0 - cb[y * w + x]), abs(measured.1 - cr[y * w + x]))
            }
        }
        #expect(worst <= 4, "\(variant): chroma off by \(worst)")
        if variant == "gray" { #expect(w == (coefficients.width + 1) / 2 && h == (coefficients.height + 1) / 2, "a gray file gains 4:2:0 chroma") }
    }

    @Test("the shared test files: recoloured with their luminance intact, or refused as the decoder refuses them",
          .enabled(if: TestData.available, "needs ../shared/testdata"), arguments: TestData.files("jpeg", suffix: ".jpg"))
    func sharedFiles(name: String) throws {
        let bytes = try TestData.bytes("jpeg/" + name)
        let decoded: Result<Image<UInt8>, Error> = Result { try ImageDecoder.decode(bytes) }
        do {
            let coefficients = try JPEGCoefficients(bytes)
            let recoloured = try coefficients.encode(cb: [110, 100, 120, 110], cr: [150, 140, 150, 160], gridWidth: 2, gridHeight: 2)
            // Two files are damaged in ways libjpeg repairs while decoding (a DC predictor that overflows,
            // a progressive scan missing): their coefficients are what it recovered, not what the file meant.
            if !["dc-predictor-overflow.jpg", "progressive-missing-dc.jpg"].contains(name) {
                #expect(try Self.storedLuminance(recoloured).samples == Self.storedLuminance(bytes).samples, "\(name)")
            }
            #expect((try? decoded.get()) != nil, "\(name): the decoder refuses what the coefficients read")
        } catch let error as ImageIOError {
            // Refused here: either the decoder refuses it too (for the same kind of reason),
            // or it is a colour space whose chroma is not Cb, Cr (CMYK, YCCK, RGB), which goes through pixels.
            switch decoded {
            case .failure(let decoderError as ImageIOError):
                let same = JPEGTests.kind(decoderError) == JPEGTests.kind(error) || JPEGTests.kind(error) == "unsupported"
                #expect(same, "\(name): \(error) / \(decoderError)")
            case .failure(let other): Issue.record("\(name): \(other)")
            case .success:
                #expect(JPEGTests.kind(error) == "unsupported" && ["jpg-cmyk-1.jpg", "jpg-cmyk-2.jpg", "ycck.jpg", "ycck_progressive_1cbb1bb3.jpg", "rgb.jpg",
                                                                   "dc-predictor-overflow.jpg", "progressive-missing-dc.jpg"].contains(name),
                        "\(name) decodes, but its coefficients were refused: \(error)")
            }
        }
    }
}

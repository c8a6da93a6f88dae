import Foundation
import Testing
import ImageIO
@testable import ColorSpace
import Threading

@Suite("Lab and YCbCr conversions")
struct ConversionTests {
    /// sRGB (D65) → CIE L*a*b* (D65, 2°) reference values from Bruce Lindbloom's
    /// colour calculator (brucelindbloom.com, RGB model sRGB, reference white D65,
    /// no adaptation), which uses the same IEC 61966-2-1 matrix.
    static let references: [([UInt8], (Float, Float, Float))] = [
        ([255, 255, 255], (100.0000, 0.0000, 0.0000)),
        ([0, 0, 0], (0.0000, 0.0000, 0.0000)),
        ([255, 0, 0], (53.2408, 80.0925, 67.2032)),
        ([0, 255, 0], (87.7347, -86.1827, 83.1793)),
        ([0, 0, 255], (32.2970, 79.1875, -107.8602)),
        ([255, 255, 0], (97.1393, -21.5537, 94.4780)),
        ([0, 255, 255], (91.1132, -48.0875, -14.1312)),
        ([255, 0, 255], (60.3242, 98.2343, -60.8249)),
        ([128, 128, 128], (53.5850, 0.0000, 0.0000)),
    ]

    static func lab(of rgb: [UInt8]) -> (Float, Float, Float) {
        let image = Image(width: 1, height: 1, layout: .rgb, samples: rgb)
        let planes = ChromaSpace.lab.planes(from: image, threads: 1)
        return (planes.luminance.values[0], planes.chroma1.values[0], planes.chroma2.values[0])
    }

    @Test("Lab agrees with published reference values within 0.01", arguments: 0..<references.count)
    func labReferences(index: Int) {
        let (rgb, expected) = Self.references[index]
        let (l, a, b) = Self.lab(of: rgb)
        #expect(abs(l - expected.0) < 0.01 && abs(a - expected.1) < 0.01 && abs(b - expected.2) < 0.01,
                "\(rgb): got \(l), \(a), \(b); expected \(expected)")
    }

    /// Every 8-bit colour, as a 4096 × 4096 image.
    static let allColours: Image<UInt8> = {
        var samples = [UInt8](repeating: 0, count: 1 << 24 * 3)
        samples.withUnsafeMutableBufferPointer { out in
            for v in 0..<(1 << 24) {
                out[3 * v] = UInt8(v >> 16); out[3 * v + 1] = UInt8(v >> 8 & 255); out[3 * v + 2] = UInt8(v & 255)
            }
        }
        return Image(width: 4096, height: 4096, layout: .rgb, samples: samples)
    }()

    static func largestDifference(_ a: Image<UInt8>, _ b: Image<UInt8>) -> Int {
        a.samples.withUnsafeBufferPointer { a in
            b.samples.withUnsafeBufferPointer { b in
                var worst = 0
                for i in 0..<a.count { worst = max(worst, abs(Int(a[i]) - Int(b[i]))) }
                return worst
            }
        }
    }

    @Test("all 16,777,216 colours survive RGB → space → RGB within ±1", arguments: ChromaSpace.allCases)
    func everyColourRoundTrips(space: ChromaSpace) {
        let image = Self.allColours
        let back = space.image(from: space.planes(from: image))
        #expect(Self.largestDifference(image, back) <= 1)
    }

    @Test("all 16,777,216 colours survive the 8-bit JFIF YCbCr round trip within ±1")
    func everyColourRoundTripsIn8Bit() {
        let image = Self.allColours
        #expect(Self.largestDifference(image, JFIF.rgb(fromYCbCr: JFIF.ycbcr(from: image))) <= 1)
    }

    /// libjpeg's jccolor.c, in scalar integer arithmetic: the reference the vector code must equal.
    static func libjpegYCbCr(_ r: Int, _ g: Int, _ b: Int) -> [UInt8] {
        func fix(_ x: Double) -> Int { Int(x * 65536 + 0.5) }
        let half = 1 << 15
        let y = (fix(0.29900) * r + fix(0.58700) * g + fix(0.11400) * b + half) >> 16
        let cb = (-fix(0.16874) * r - fix(0.33126) * g + fix(0.5) * b + (128 << 16) + half - 1) >> 16
        let cr = (fix(0.5) * r - fix(0.41869) * g - fix(0.08131) * b + (128 << 16) + half - 1) >> 16
        return [UInt8(y), UInt8(cb), UInt8(cr)]
    }

    @Test("8-bit YCbCr is exactly libjpeg's, on a sample of colours")
    func libjpegNumbers() {
        var random = SplitMix(seed: 3)
        var samples: [UInt8] = [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255]
        for _ in 0..<20_000 { samples.append(UInt8(truncatingIfNeeded: random.next())) }
        samples.removeLast(samples.count % 3)
        let image = Image(width: samples.count / 3, height: 1, layout: .rgb, samples: samples)
        let converted = JFIF.ycbcr(from: image)
        for i in 0..<image.width {
            let expected = Self.libjpegYCbCr(Int(samples[3 * i]), Int(samples[3 * i + 1]), Int(samples[3 * i + 2]))
            #expect(Array(converted.samples[3 * i..<3 * i + 3]) == expected, "pixel \(i)")
        }
    }

    @Test("float YCbCr follows the JFIF equations")
    func ycbcrFloat() {
        let image = Image<UInt8>(width: 3, height: 1, layout: .rgb, samples: [255, 0, 0, 0, 255, 0, 10, 20, 30])
        let planes = ChromaSpace.ycbcr.planes(from: image)
        func close(_ a: Float, _ b: Double) -> Bool { abs(Double(a) - b) < 1e-3 }
        #expect(close(planes.luminance.values[0], 76.245) && close(planes.chroma1.values[0], 84.9723) && close(planes.chroma2.values[0], 255.5))
        #expect(close(planes.luminance.values[1], 149.685))
        let y = 0.299 * 10 + 0.587 * 20 + 0.114 * 30
        #expect(close(planes.luminance.values[2], y))
    }

    @Test("gray images have neutral chroma in both spaces")
    func grayIsNeutral() {
        let gray = Image<UInt8>(width: 256, height: 1, layout: .gray, samples: (0...255).map { UInt8($0) })
        let lab = ChromaSpace.lab.planes(from: gray)
        #expect(lab.chroma1.values.allSatisfy { abs($0) < 1e-3 } && lab.chroma2.values.allSatisfy { abs($0) < 1e-3 })
        let ycc = ChromaSpace.ycbcr.planes(from: gray)
        #expect(ycc.chroma1.values.allSatisfy { abs($0 - 128) < 1e-3 } && ycc.chroma2.values.allSatisfy { abs($0 - 128) < 1e-3 })
        #expect(ycc.luminance.values.enumerated().allSatisfy { abs($1 - Float($0)) < 1e-3 })
    }

    @Test("out-of-gamut Lab is clipped, not wrapped")
    func clipping() {
        let planes = ColorPlanes(space: .lab, luminance: Plane(width: 2, height: 1, values: [50, 120]),
                                 chroma1: Plane(width: 2, height: 1, values: [300, 0]),
                                 chroma2: Plane(width: 2, height: 1, values: [-300, 0]))
        let image = ChromaSpace.lab.image(from: planes)
        let first = image.samples[0..<3]
        #expect(first.contains(0) && first.contains(255), "\(Array(first)): saturated channels clip to 0 and 255")
        #expect(Array(image.samples[3..<6]) == [255, 255, 255])          // L* above 100 is white
    }

    @Test("threads give the same result as one")
    func threadsAgree() {
        var random = SplitMix(seed: 9)
        let samples = (0..<(37 * 29 * 3)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let image = Image(width: 37, height: 29, layout: .rgb, samples: samples)
        for space in ChromaSpace.allCases {
            #expect(space.planes(from: image, threads: 1) == space.planes(from: image, threads: 4))
        }
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("8-bit L*a*b* bytes")
struct Lab8Tests {
    /// sRGB code → L*a*b* in Double, from the definitions (the reference the kernels must meet).
    static func exactLab(_ r: Int, _ g: Int, _ b: Int) -> (Double, Double, Double) {
        func linear(_ c: Int) -> Double { SRGB.decode(Double(c) / 255) }
        let (lr, lg, lb) = (linear(r), linear(g), linear(b))
        let x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / 0.95047
        let y = 0.2126729 * lr + 0.7151522 * lg + 0.0721750 * lb
        let z = (0.0193339 * lr + 0.1191920 * lg + 0.9503041 * lb) / 1.08883
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }

    /// L*a*b* → sRGB codes in Double, rounded and clipped.
    static func exactRGB(_ l: Double, _ a: Double, _ b: Double) -> (Int, Int, Int) {
        let fy = (l + 16) / 116, fx = fy + a / 500, fz = fy - b / 200
        func inverse(_ f: Double) -> Double { f * f * f > 216.0 / 24389 ? f * f * f : (116 * f - 16) * 27 / 24389 }
        let x = inverse(fx) * 0.95047, y = l > 8 ? fy * fy * fy : l * 27 / 24389, z = inverse(fz) * 1.08883
        func code(_ v: Double) -> Int { Int((min(max(SRGB.encode(max(v, 0)), 0), 1) * 255).rounded()) }
        return (code(3.2404542 * x - 1.5371385 * y - 0.4985314 * z),
                code(-0.9692660 * x + 1.8760108 * y + 0.0415560 * z),
                code(0.0556434 * x - 0.2040259 * y + 1.0572252 * z))
    }

    static func byte(_ v: Double) -> Int { Int(min(max(v, 0), 255).rounded()) }

    @Test("every colour's Lab bytes are within ±1 of the exactly rounded L* × 2.55, a* + 128, b* + 128")
    func forwardIsFloatAccurate() {
        let image = ConversionTests.allColours
        let lab = LabConversion.lab8(from: image)
        var worst = 0
        lab.samples.withUnsafeBufferPointer { lab in
            for v in stride(from: 0, to: 1 << 24, by: 7) {  // every 7th colour: all of them take 10 s in Double
                let (l, a, b) = Self.exactLab(v >> 16, v >> 8 & 255, v & 255)
                worst = max(worst, abs(Int(lab[3 * v]) - Self.byte(l * 2.55)), abs(Int(lab[3 * v + 1]) - Self.byte(a + 128)),
                            abs(Int(lab[3 * v + 2]) - Self.byte(b + 128)))
            }
        }
        #expect(worst <= 1)
    }

    @Test("every byte triple decodes within ±1 of the exact inverse")
    func inverseIsFloatAccurate() {
        let rgb = LabConversion.rgb(fromLab8: ConversionTests.allColours)
        var worst = 0
        rgb.samples.withUnsafeBufferPointer { rgb in
            for v in stride(from: 0, to: 1 << 24, by: 7) {
                let (r, g, b) = Self.exactRGB(Double(v >> 16) * 100 / 255, Double(v >> 8 & 255) - 128, Double(v & 255) - 128)
                worst = max(worst, abs(Int(rgb[3 * v]) - r), abs(Int(rgb[3 * v + 1]) - g), abs(Int(rgb[3 * v + 2]) - b))
            }
        }
        #expect(worst <= 1)
    }

    @Test("RGB → Lab bytes → RGB: how far every colour moves")
    func roundTrip() {
        let image = ConversionTests.allColours
        let back = LabConversion.rgb(fromLab8: LabConversion.lab8(from: image))
        var histogram = [Int](repeating: 0, count: 256)
        image.samples.withUnsafeBufferPointer { a in
            back.samples.withUnsafeBufferPointer { b in
                for i in 0..<a.count { histogram[abs(Int(a[i]) - Int(b[i]))] += 1 }
            }
        }
        print("lab8 round trip error histogram:", histogram.prefix(12))
        #expect(histogram[0] > 0)
    }
}

@Suite("L*a*b* and YCbCr samples in files")
struct EncodedChannelsTests {
    static func narrowedDifferences(_ original: Image<UInt8>, _ back: Pixels) -> (worst: Int, moved: Int) {
        let eight: [UInt8] = switch back {
        case .eightBit(let image): image.samples
        case .sixteenBit(let image): image.samples.map { UInt8((Int($0) * 255 + 32767) / 65535) }
        }
        var worst = 0, moved = 0
        for i in original.samples.indices {
            let d = abs(Int(original.samples[i]) - Int(eight[i]))
            worst = max(worst, d)
            if d > 0 { moved += 1 }
        }
        return (worst, moved)
    }

    @Test("every colour through 16-bit L*a*b* comes back as it was, to 8 bits")
    func sixteenBitLabRoundTrip() {
        let image = ConversionTests.allColours
        let lab = ColorEncoding.lab.encode(.eightBit(image), bitDepth: 16)
        let (worst, moved) = Self.narrowedDifferences(image, ColorEncoding.lab.decode(lab))
        print("16-bit lab round trip: worst", worst, "moved", moved)
        #expect(worst <= 1)
    }

    @Test("every colour through 8-bit YCbCr comes back within ±1")
    func eightBitYCbCrRoundTrip() {
        let image = ConversionTests.allColours
        let (worst, _) = Self.narrowedDifferences(image, ColorEncoding.ycbcr.decode(ColorEncoding.ycbcr.encode(.eightBit(image), bitDepth: 8)))
        #expect(worst <= 1)
    }
}

@Suite("Converting into kept outputs, and sharing rows among threads")
struct ReusedOutputTests {
    static func picture(width: Int, height: Int, seed: UInt64) -> Image<UInt8> {
        var random = SplitMix(seed: seed)
        return Image(width: width, height: height, layout: .rgb,
                     samples: (0..<(width * height * 3)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
    }

    static func address(_ image: Image<UInt8>) -> UnsafeRawPointer? {
        image.samples.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    @Test("into: gives what the allocating call gives, reuses a kept output of the right size, replaces one of another")
    func intoVariants() {
        let first = Self.picture(width: 53, height: 31, seed: 1), second = Self.picture(width: 53, height: 31, seed: 2)
        var ycc = Image<UInt8>(width: 0, height: 0, layout: .rgb, samples: [])
        JFIF.ycbcr(from: first, into: &ycc)
        #expect(ycc == JFIF.ycbcr(from: first))
        let storage = Self.address(ycc)
        JFIF.ycbcr(from: second, into: &ycc)
        #expect(ycc == JFIF.ycbcr(from: second))
        #expect(Self.address(ycc) == storage, "the kept output's storage is reused")
        var back = ycc
        JFIF.rgb(fromYCbCr: ycc, into: &back)
        #expect(back == JFIF.rgb(fromYCbCr: ycc))
        var lab = ycc
        LabConversion.lab8(from: first, into: &lab)
        #expect(lab == LabConversion.lab8(from: first))
        LabConversion.rgb(fromLab8: lab, into: &back)
        #expect(back == LabConversion.rgb(fromLab8: lab))
        var gray = ycc
        JFIF.luma(of: first, into: &gray)
        #expect(gray.layout == .gray && gray == JFIF.luma(of: first))
        let small = Self.picture(width: 5, height: 3, seed: 3)
        JFIF.ycbcr(from: small, into: &ycc)
        #expect(ycc.width == 5 && ycc.height == 3 && ycc == JFIF.ycbcr(from: small))
    }

    @Test("StageProgress counts the items finished without a gap, in any order, and a stop releases its waits")
    func progress() {
        let progress = StageProgress()
        progress.finish(1)
        progress.finish(2)
        #expect(progress.finished == 0, "item 0 is not finished")
        progress.finish(0)
        #expect(progress.finished == 3 && progress.wait(for: 3))
        progress.advance(to: 5)
        progress.finish(5)
        #expect(progress.finished == 6)
        progress.stop()
        #expect(!progress.wait(for: 7), "stopped short of 7")
    }

    @Test("Threads.alongside runs a stage on its own thread while the body waits on it")
    func alongside() {
        let progress = StageProgress()
        var produced = [Int](repeating: 0, count: 1000)
        let sum = produced.withUnsafeMutableBufferPointer { produced in
            let base = produced.baseAddress!
            return Threads.alongside({
                for i in 0..<1000 {
                    base[i] = i
                    progress.advance(to: i + 1)
                }
            }, {
                var sum = 0
                for i in 0..<1000 {
                    #expect(progress.wait(for: i + 1))
                    sum += base[i]
                }
                return sum
            })
        }
        #expect(sum == 999 * 1000 / 2)
    }

    @Test("Threads.share hands out every index exactly once", arguments: [(0, 2), (1, 2), (7, 2), (1000, 2), (1000, 3), (999, 1)])
    func shareCoversEverything(count: Int, threads: Int) {
        var seen = [Int](repeating: 0, count: count)
        seen.withUnsafeMutableBufferPointer { seen in
            let base = seen.baseAddress
            Threads.share(count, threads: threads) { range in
                for i in range { base![i] += 1 }
            }
        }
        #expect(seen.allSatisfy { $0 == 1 })
    }
}

@Suite("CIELab and YCbCr TIFFs made by ImageMagick")
struct ForeignColourSpaceFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("ImageIOTests/Fixtures").path

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name)))
    }

    static func keepingEncoding(_ name: String) throws -> DecodedImage {
        var options = DecodingOptions()
        options.keepsColorEncoding = true
        return try ImageDecoder.decodeWithMetadata(try bytes(name), options: options)
    }

    static func worst(_ a: [UInt8], _ b: [UInt8]) -> Int { zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 99 }

    /// Each file decoded to RGB by chroma against ImageMagick's own sRGB of it
    /// (Fixtures/make-fixtures.sh), in 8-bit levels. Without keepsColorEncoding,
    /// libtiff converts them to RGB itself, as before.
    @Test("chroma reads ImageMagick's 16-bit CIELab and 8-bit YCbCr TIFFs as such and gets ImageMagick's colours",
          arguments: [("lab16", ColorEncoding.lab, 16), ("ycbcr8", .ycbcr, 8)])
    func readsThem(name: String, encoding: ColorEncoding, bitDepth: Int) throws {
        let decoded = try Self.keepingEncoding(name + ".tif")
        #expect(decoded.colorEncoding == encoding && decoded.pixels.bitDepth == bitDepth)
        let rgb = decoded.colorEncoding.decode(decoded.pixels).eightBit
        let reference = try ImageDecoder.decode(try Self.bytes(name + ".ref.png")).droppingAlpha()
        #expect(rgb.width == reference.width && rgb.height == reference.height)
        let worst = Self.worst(rgb.samples, reference.samples)
        #expect(worst <= 3, "\(name): off by \(worst) levels")
        #expect(try ImageDecoder.decodeWithMetadata(try Self.bytes(name + ".tif")).colorEncoding == .rgb)
    }

    /// 8-bit L*a*b* is too coarse to compare colours (one step of b* moves a dark
    /// blue by up to 17 levels of red, and ImageMagick rounds halves down where
    /// chroma rounds to nearest), so the stored bytes are compared instead.
    @Test("ImageMagick's 8-bit CIELab TIFF holds the L* bytes chroma computes, and a*, b* within two steps")
    func eightBitLabBytes() throws {
        let decoded = try Self.keepingEncoding("lab8.tif")
        #expect(decoded.colorEncoding == .lab && decoded.pixels.bitDepth == 8)
        let ours = ColorEncoding.lab.encode(.eightBit(try ImageDecoder.decode(try Self.bytes("base.png"))), bitDepth: 8)
        let theirs = decoded.pixels.eightBit.samples, mine = ours.eightBit.samples
        let lightness = stride(from: 0, to: mine.count, by: 3).map { abs(Int(theirs[$0]) - Int(mine[$0])) }.max()
        #expect(lightness == 0)
        #expect(Self.worst(theirs, mine) <= 2)  // measured: a* within 1, b* within 2 (in 2 of 1,536 pixels)
    }
}

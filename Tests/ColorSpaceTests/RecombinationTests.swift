import Testing
import ImageIO
@testable import ColorSpace

@Suite("Luminance alone and row-wise recombination")
struct RecombinationTests {
    static func picture(layout: PixelLayout) -> Image<UInt8> {
        var random: UInt64 = 0x9E37_79B9
        let width = 37, height = 11
        let samples = (0..<(width * height * layout.channels)).map { _ -> UInt8 in
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: random >> 56)
        }
        return Image(width: width, height: height, layout: layout, samples: samples)
    }

    @Test("luminancePlane equals the luminance of the full conversion", arguments: ChromaSpace.allCases)
    func luminance(space: ChromaSpace) {
        for layout in [PixelLayout.gray, .grayAlpha, .rgb, .rgba] {
            let image = Self.picture(layout: layout)
            let alone = space.luminancePlane(of: image, threads: 2)
            let full = space.planes(from: image, threads: 1).luminance
            let worst = zip(alone.values, full.values).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-3, "\(layout): \(worst)")
        }
    }

    @Test("a gray pixel's L* (looked up) is the L* computed for the same gray as R = G = B, bit for bit, 8- and 16-bit")
    func grayLightness() {
        let gray8 = Image(width: 256, height: 1, layout: .gray, samples: (0..<256).map { UInt8($0) })
        let grayAlpha8 = Image(width: 256, height: 1, layout: .grayAlpha, samples: (0..<256).flatMap { [UInt8($0), 7] })
        let rgb8 = Image(width: 256, height: 1, layout: .rgb, samples: (0..<256).flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
        let computed8 = ChromaSpace.lab.luminancePlane(of: rgb8, threads: 1).values
        #expect(ChromaSpace.lab.luminancePlane(of: gray8, threads: 1).values == computed8)
        #expect(ChromaSpace.lab.luminancePlane(of: grayAlpha8, threads: 1).values == computed8)
        #expect(computed8.first == 0 && abs(computed8.last! - 100) < 1e-4 && zip(computed8, computed8.dropFirst()).allSatisfy { $0 < $1 })
        let gray16 = Image(width: 65536, height: 1, layout: .gray, samples: (0..<65536).map { UInt16($0) })
        let rgb16 = Image(width: 65536, height: 1, layout: .rgb, samples: (0..<65536).flatMap { [UInt16($0), UInt16($0), UInt16($0)] })
        #expect(ChromaSpace.lab.luminancePlane(of: gray16, threads: 1).values == ChromaSpace.lab.luminancePlane(of: rgb16, threads: 1).values)
    }

    @Test("rgbRow gives the same bytes as the whole-image conversion", arguments: ChromaSpace.allCases)
    func rows(space: ChromaSpace) {
        let planes = space.planes(from: Self.picture(layout: .rgb))
        let whole = space.image(from: planes)
        var rows = [UInt8](repeating: 0, count: whole.samples.count)
        let width = planes.width
        for y in 0..<planes.height {
            planes.luminance.values.withUnsafeBufferPointer { l in
                planes.chroma1.values.withUnsafeBufferPointer { c1 in
                    planes.chroma2.values.withUnsafeBufferPointer { c2 in
                        rows.withUnsafeMutableBufferPointer { out in
                            space.rgbRow(luminance: l.baseAddress! + y * width, chroma1: c1.baseAddress! + y * width,
                                         chroma2: c2.baseAddress! + y * width, count: width, into: out.baseAddress! + 3 * y * width)
                        }
                    }
                }
            }
        }
        #expect(rows == whole.samples)
    }
}

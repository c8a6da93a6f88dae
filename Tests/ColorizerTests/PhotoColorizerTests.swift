import Testing
import ColorSpace
import ImageIO
import NeuralNet
@testable import Colorizer

@Suite("Colorizing photos of any size")
struct PhotoColorizerTests {
    /// An untrained model: its colours are arbitrary, but the pipeline around it is what is tested.
    static func colorizer(_ space: ChromaSpace, tiles: Int = 2, saturation: Float? = nil) throws -> PhotoColorizer {
        let task = ColorizationTask(space: space, gammas: [0.5])
        let network = Network(architecture: try Architecture("c6 p c6 u:bilinear c2 sigmoid"), inputChannels: task.inputChannels, seed: 3)
        return try PhotoColorizer(model: ModelFile(network: network, metadata: ModelMetadata(colorization: task)), tiles: tiles, saturation: saturation)
    }

    static func photo(width: Int, height: Int, layout: PixelLayout) -> Image<UInt8> {
        var samples: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let v = UInt8((x * 7 + y * 3) % 256)
                switch layout {
                case .gray: samples += [v]
                case .grayAlpha: samples += [v, UInt8(x % 256)]
                case .rgb: samples += [v, UInt8(y % 256), 200]
                case .rgba: samples += [v, UInt8(y % 256), 200, UInt8(x % 256)]
                }
            }
        }
        return Image(width: width, height: height, layout: layout, samples: samples)
    }

    @Test("the grid: the shorter side is tiles × 32, the longer keeps the aspect ratio in whole pooling steps; never enlarged")
    func grid() throws {
        let colorizer = try Self.colorizer(.lab, tiles: 4)
        #expect(colorizer.gridMultiple == 2)
        #expect(colorizer.gridSize(width: 4000, height: 3000) == (170, 128))
        #expect(colorizer.gridSize(width: 300, height: 900) == (128, 384))
        #expect(colorizer.gridSize(width: 10, height: 10) == (10, 10), "small photos are not enlarged")
        // The longer side stops at 16 × the shorter side's nominal size (4 × 32), so a strip's grid stays small.
        #expect(colorizer.gridSize(width: 10_001, height: 9) == (2048, 10))
        #expect(colorizer.gridSize(width: 1, height: 1_000_000) == (2, 2048))
        #expect(colorizer.gridSize(width: 3000, height: 1000) == (384, 128), "ordinary panoramas keep their shape")
    }

    @Test("output keeps the size, the alpha and the original luminance", arguments: ChromaSpace.allCases)
    func keepsLuminance(space: ChromaSpace) throws {
        let colorizer = try Self.colorizer(space)
        for layout in [PixelLayout.gray, .grayAlpha, .rgb, .rgba] {
            let photo = Self.photo(width: 83, height: 61, layout: layout)
            let result = try colorizer.colorize(photo)
            #expect(result.width == 83 && result.height == 61)
            #expect(result.layout == (layout.hasAlpha ? .rgba : .rgb))
            if layout.hasAlpha {
                let alphaIn = stride(from: layout.channels - 1, to: photo.samples.count, by: layout.channels).map { photo.samples[$0] }
                let alphaOut = stride(from: 3, to: result.samples.count, by: 4).map { result.samples[$0] }
                #expect(alphaIn == alphaOut)
            }
            // The luminance comes back (up to rounding and out-of-gamut clipping).
            let before = space.luminancePlane(of: photo), after = space.luminancePlane(of: result)
            let meanError = zip(before.values, after.values).map { abs($0 - $1) }.reduce(0, +) / Float(before.values.count)
            #expect(meanError < (space == .lab ? 1.5 : 3), "\(layout): \(meanError)")
            var colourful = false
            for p in stride(from: 0, to: result.samples.count, by: result.layout.channels) {
                let (r, g, b) = (result.samples[p], result.samples[p + 1], result.samples[p + 2])
                if r != g || g != b { colourful = true }
            }
            #expect(colourful, "the model's chroma is used")
        }
    }

    @Test("saturation 0 gives gray; the chroma is smooth (no blocks at grid cell borders)")
    func saturationAndSmoothness() throws {
        let gray = try Self.colorizer(.ycbcr, saturation: 0).colorize(Self.photo(width: 90, height: 70, layout: .gray))
        for p in stride(from: 0, to: gray.samples.count, by: 3) {
            #expect(abs(Int(gray.samples[p]) - Int(gray.samples[p + 2])) <= 1)
        }
        // On a flat photo 4× the grid's size, neighbouring output pixels differ by about a quarter
        // of the grid's largest step (bilinear), never by a whole step (blocks).
        let flat = Image<UInt8>(width: 1280, height: 256, layout: .gray, samples: [UInt8](repeating: 120, count: 1280 * 256))
        let colorizer = try Self.colorizer(.ycbcr)
        let chroma = try colorizer.predictChroma(luminance: ChromaSpace.ycbcr.luminancePlane(of: flat))
        #expect(chroma[0].width == 320 && chroma[0].height == 64)
        var gridStep: Float = 0
        for y in 0..<64 {
            for x in 1..<320 { gridStep = max(gridStep, abs(chroma[0][x, y] - chroma[0][x - 1, y])) }
        }
        let planes = ChromaSpace.ycbcr.planes(from: try colorizer.colorize(flat))
        var worstStep: Float = 0
        for y in 0..<256 {
            for x in 1..<1280 { worstStep = max(worstStep, abs(planes.chroma1[x, y] - planes.chroma1[x - 1, y])) }
        }
        #expect(gridStep > 4, "the untrained model varies enough to tell")
        #expect(worstStep <= gridStep / 4 + 2, "steps of \(worstStep) where the grid steps by \(gridStep)")
    }

    @Test("a model of the wrong kind is refused")
    func wrongModel() throws {
        let network = Network(architecture: try Architecture("c3 linear"), inputChannels: 1)
        #expect(throws: ColorizerError.self) { try PhotoColorizer(model: ModelFile(network: network, metadata: [:])) }
    }
}

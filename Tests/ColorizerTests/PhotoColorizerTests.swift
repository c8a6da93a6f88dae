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
        colorizer.usesFinerGrid = false  // the grid 4 × smaller than the photo
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

    @Test("the finer grid: twice the grid where the photo is that large, left out where it is not or where memory forbids")
    func finerGrid() throws {
        let colorizer = try Self.colorizer(.lab, tiles: 1)
        #expect(colorizer.usesFinerGrid, "on by default")
        #expect(colorizer.gridSize(width: 4000, height: 3000) == (42, 32))
        #expect(colorizer.predictionGrid(width: 4000, height: 3000) == (84, 64))
        #expect(colorizer.predictionGrid(width: 60, height: 50) == (38, 32), "a photo smaller than the fine grid keeps the coarse one")
        #expect(colorizer.predictionGrid(width: 32, height: 32) == (32, 32), "CIFAR's size: the network's own grid")
        let photo = Self.photo(width: 420, height: 320, layout: .gray)
        let luminance = ChromaSpace.lab.luminancePlane(of: photo)
        let both = try colorizer.predictChroma(luminance: luminance)
        #expect(both[0].width == 84 && both[0].height == 64)
        colorizer.usesFinerGrid = false
        #expect(colorizer.predictionGrid(width: 4000, height: 3000) == (42, 32))
        let single = try colorizer.predictChroma(luminance: luminance)
        #expect(single[0].width == 42 && single[0].height == 32)
        // A bound the coarse grid fits and the fine one does not: the coarse prediction, unchanged.
        colorizer.usesFinerGrid = true
        let channels = colorizer.task.inputChannels
        let coarseBytes = try colorizer.network.workspaceBytes(batch: 1, shape: Shape(channels: channels, height: 32, width: 42), withGradients: false)
        let fineBytes = try colorizer.network.workspaceBytes(batch: 1, shape: Shape(channels: channels, height: 64, width: 84), withGradients: false)
        #expect(fineBytes > coarseBytes + (1 << 16), "room for the coarse grid's result below the bound")
        colorizer.maxNetworkBytes = fineBytes - 1
        let bounded = try colorizer.predictChroma(luminance: luminance)
        #expect(bounded[0].width == 42 && bounded[0].height == 32)
        // (its input is the fine grid's means averaged two by two: the same area means up to rounding)
        for channel in 0..<2 {
            #expect(zip(bounded[channel].values, single[channel].values).allSatisfy { abs($0 - $1) < 1e-3 })
        }
        // The two grids' average differs from either alone.
        colorizer.maxNetworkBytes = PhotoColorizer.defaultMaxNetworkBytes
        colorizer.usesFinerGrid = false
        colorizer.tiles = 2
        let fineAlone = try colorizer.predictChroma(luminance: luminance)
        #expect(fineAlone[0].width == 84)
        #expect(fineAlone[0].values != both[0].values)
        let stretched = Resampler.resize(single[0], width: 84, height: 64, method: .bilinear, threads: 1)
        #expect(stretched.values != both[0].values)
    }

    @Test("the two grids' outputs are averaged as a bilinear stretch of the coarse one would be")
    func averageMatchesResampler() {
        var random = SeededRandom(seed: 11)
        let coarse = (0..<(3 * 5 * 4)).map { _ in random.uniform() }, fine = (0..<(3 * 10 * 8)).map { _ in random.uniform() }
        let mean = PhotoColorizer.average(coarse, stretchedFrom: (5, 4), with: fine, size: (10, 8))
        for channel in 0..<3 {
            let stretched = Resampler.resize(Plane(width: 5, height: 4, values: Array(coarse[channel * 20 ..< (channel + 1) * 20])),
                                             width: 10, height: 8, method: .bilinear, threads: 1)
            for p in 0..<80 {
                #expect(abs(mean[channel * 80 + p] - 0.5 * (fine[channel * 80 + p] + stretched.values[p])) < 1e-6)
            }
        }
    }

    @Test("a model of the wrong kind is refused")
    func wrongModel() throws {
        let network = Network(architecture: try Architecture("c3 linear"), inputChannels: 1)
        #expect(throws: ColorizerError.self) { try PhotoColorizer(model: ModelFile(network: network, metadata: [:])) }
    }
}

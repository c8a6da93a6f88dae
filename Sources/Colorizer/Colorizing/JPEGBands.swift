import ColorSpace
import ImageIO
import Synchronization
import Threading

/// One JPEG's pixels on their way through `PhotoColorizer` in bands of rows,
/// two stages at a time on two threads (`concurrently`), one after the other
/// on one:
/// 1. `decode(_:ontoGrid:)`: libjpeg decodes on a thread of its own while the
///    rows already decoded have their luminance computed and go onto the
///    network's grid (the area shrink's row pass), which then costs nothing
///    beyond the decode.
/// 2. `colorize(with:into:)`: both threads colorize bands, and one of them
///    encodes each band in order as soon as it is done, colorizing another
///    when the next is not ready.
///
/// An RGB photo's luminance is computed once, in stage 1 (when the second
/// thread has time to spare), kept in a float plane and read again in stage 2
/// (when both are busy), and the photo is colorized in place. A gray photo's
/// luminance is a function of its one sample (a table look-up for L\*), cheaper
/// to compute again in stage 2 than to keep in a plane four times the photo's
/// size; it is colorized into an RGB buffer of its own.
final class JPEGBands {
    /// Rows a band: a 4:2:0 JPEG's MCU row, what libjpeg decodes and encodes at once.
    static let rows = 16

    let width: Int, height: Int, layout: PixelLayout, space: ChromaSpace, concurrently: Bool
    /// The decoded rows (`layout`), then, for RGB, the colorized ones.
    private let pixels: UnsafeMutableBufferPointer<UInt8>
    /// The colorized rows, RGB: `pixels` for an RGB photo.
    private let colorized: UnsafeMutableBufferPointer<UInt8>
    /// The luminance of every pixel of an RGB photo, in `space`'s units; nil for a gray one.
    private let luminance: UnsafeMutableBufferPointer<Float>?

    init(width: Int, height: Int, layout: PixelLayout, space: ChromaSpace, concurrently: Bool) {
        (self.width, self.height, self.layout, self.space, self.concurrently) = (width, height, layout, space, concurrently)
        pixels = .allocateUninitialized(width * height * layout.channels)
        colorized = layout == .rgb ? pixels : .allocateUninitialized(width * height * 3)
        luminance = layout.hasColor ? .allocateUninitialized(width * height) : nil
    }

    deinit {
        if colorized.baseAddress != pixels.baseAddress { colorized.deallocate() }
        pixels.deallocate()
        luminance?.deallocate()
    }

    /// Stage 1: every row of `reader` decoded, and the luminance area-averaged onto `grid`
    /// (as `Resampler.resize(_:width:height:method: .area)` shrinks a plane). Throws the decoder's error.
    func decode(_ reader: JPEGRowReader, ontoGrid grid: (width: Int, height: Int)) throws -> Plane {
        let source = pixels.baseAddress!, lightness = luminance?.baseAddress, rowBytes = width * layout.channels
        let (width, height, layout, space) = (self.width, self.height, self.layout, self.space)
        let decoded = StageProgress()
        var decodingError: (any Error)?
        let onGrid = Threads.alongside(concurrently: concurrently, {
            do {
                while reader.rowsRead < height {
                    _ = try reader.read(rows: Self.rows, into: source + reader.rowsRead * rowBytes)
                    decoded.advance(to: reader.rowsRead)
                }
            } catch {
                decodingError = error
                decoded.stop()
            }
        }, {
            Resampler.resize(width: width, height: height, rows: { y, scratch in
                let row = lightness.map { $0 + y * width } ?? scratch
                if decoded.wait(for: y + 1) {
                    space.luminance(of: source + y * rowBytes, layout: layout, count: width, into: row)
                } else {
                    row.update(repeating: 0, count: width)  // thrown away: the decoding error is thrown below
                }
                return UnsafePointer(row)
            }, toWidth: grid.width, height: grid.height, method: .area, threads: 1)
        })
        if let decodingError { throw decodingError }
        return onGrid
    }

    /// Stage 2: every row colorized with `chroma` and encoded by `writer`; the file.
    func colorize(with chroma: PhotoColorizer.ChromaRows, into writer: JPEGRowWriter) throws -> [UInt8] {
        let target = colorized.baseAddress!, lightness = luminance?.baseAddress, source = pixels.baseAddress!
        let (width, height, layout, space) = (self.width, self.height, self.layout, self.space), rowBytes = width * layout.channels
        let bands = (height + Self.rows - 1) / Self.rows
        let nextBand = Atomic<Int>(0), colorizedBands = StageProgress()
        // Colorizes the next band no thread has taken, if any is left. `scratch`: 3 × width floats.
        func colorizeBand(scratch: UnsafeMutablePointer<Float>) -> Bool {
            let index = nextBand.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < bands else { return false }
            for y in index * Self.rows..<min(height, (index + 1) * Self.rows) {
                chroma.row(y, into: scratch, scratch + width)
                var rowLuminance = scratch + 2 * width
                if let lightness {
                    rowLuminance = lightness + y * width
                } else {
                    space.luminance(of: source + y * rowBytes, layout: layout, count: width, into: rowLuminance)
                }
                space.rgbRow(luminance: rowLuminance, chroma1: scratch, chroma2: scratch + width,
                             count: width, into: target + y * 3 * width)
            }
            colorizedBands.finish(index)
            return true
        }
        let scratch = (UnsafeMutablePointer<Float>.allocate(capacity: 3 * width), UnsafeMutablePointer<Float>.allocate(capacity: 3 * width))
        defer { scratch.0.deallocate(); scratch.1.deallocate() }
        try Threads.alongside(concurrently: concurrently, {
            while colorizeBand(scratch: scratch.0) {}
        }, {
            var encodedBands = 0
            while encodedBands < bands {
                if colorizedBands.finished > encodedBands || !colorizeBand(scratch: scratch.1) {
                    _ = colorizedBands.wait(for: encodedBands + 1)  // colorizing cannot fail
                    let first = encodedBands * Self.rows
                    try writer.write(rows: min(Self.rows, height - first), from: target + first * 3 * width)
                    encodedBands += 1
                }
            }
        })
        return try writer.finish()
    }
}

import Testing
@testable import ImageIO

/// `JPEGRowReader` and `JPEGRowWriter`: a JPEG a band of rows at a time gives
/// what the whole-image decoder and encoder give.
@Suite("JPEG a band of rows at a time")
struct JPEGRowTests {
    static func picture(width: Int, height: Int, layout: PixelLayout) -> Image<UInt8> {
        var samples: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                let v = (x * 7 + y * 3) % 256
                samples += layout == .gray ? [UInt8(v)] : [UInt8(v), UInt8((x * y) % 256), UInt8(255 - v)]
            }
        }
        return Image(width: width, height: height, layout: layout, samples: samples)
    }

    /// All rows of `reader`, read `band` at a time.
    static func readAll(_ reader: JPEGRowReader, band: Int) throws -> [UInt8] {
        let rowBytes = reader.width * reader.layout.channels
        var pixels = [UInt8](repeating: 0, count: reader.height * rowBytes)
        try pixels.withUnsafeMutableBufferPointer { pixels in
            while reader.rowsRead < reader.height {
                let before = reader.rowsRead
                let rows = try reader.read(rows: band, into: pixels.baseAddress! + before * rowBytes)
                #expect(rows == min(band, reader.height - before) && reader.rowsRead == before + rows)
            }
        }
        return pixels
    }

    @Test("rows read in bands are the decoder's pixels", arguments: [PixelLayout.rgb, .gray], [false, true])
    func reading(layout: PixelLayout, progressive: Bool) throws {
        let jpeg = try ImageEncoder.encodeJPEG(Self.picture(width: 61, height: 45, layout: layout), quality: 85, progressive: progressive)
        let reader = try JPEGRowReader(jpeg)
        #expect(reader.width == 61 && reader.height == 45 && reader.layout == layout && reader.orientation == .up)
        #expect(try Self.readAll(reader, band: 7) == ImageDecoder.decode(jpeg).samples)
        #expect(try reader.read(rows: 4, into: UnsafeMutablePointer<UInt8>.allocate(capacity: 1)) == 0, "nothing past the end")
    }

    @Test("rows written in bands are the encoder's file", arguments: [PixelLayout.rgb, .gray], [false, true])
    func writing(layout: PixelLayout, progressive: Bool) throws {
        let image = Self.picture(width: 50, height: 37, layout: layout)
        let writer = try JPEGRowWriter(width: 50, height: 37, channels: layout.channels, quality: 80, subsampling: .s422,
                                       progressive: progressive)
        let rowBytes = 50 * layout.channels
        try image.samples.withUnsafeBufferPointer { samples in
            for first in stride(from: 0, to: 37, by: 5) {
                try writer.write(rows: min(5, 37 - first), from: samples.baseAddress! + first * rowBytes)
            }
        }
        #expect(try writer.finish() == ImageEncoder.encodeJPEG(image, quality: 80, subsampling: .s422, progressive: progressive))
    }

    @Test("a truncated file fails where its data ends, and keeps failing")
    func truncated() throws {
        let jpeg = try ImageEncoder.encodeJPEG(Self.picture(width: 64, height: 256, layout: .rgb), quality: 90)
        let reader = try JPEGRowReader(Array(jpeg.prefix(jpeg.count / 2)))
        var band = [UInt8](repeating: 0, count: 16 * 64 * 3)
        var failure: ImageIOError?
        do {
            while reader.rowsRead < reader.height {
                _ = try band.withUnsafeMutableBufferPointer { try reader.read(rows: 16, into: $0.baseAddress!) }
            }
        } catch let error as ImageIOError { failure = error }
        guard case .truncated? = failure else { Issue.record("\(String(describing: failure))"); return }
        #expect(reader.rowsRead > 0 && reader.rowsRead < 256, "the first half's rows came before the failure: \(reader.rowsRead)")
        #expect(throws: ImageIOError.self) { try band.withUnsafeMutableBufferPointer { try reader.read(rows: 16, into: $0.baseAddress!) } }
    }

    @Test("a writer refuses rows past the image's end, an early finish and a channel count JPEG cannot hold")
    func writerMisuse() throws {
        let row = [UInt8](repeating: 128, count: 30)
        let writer = try JPEGRowWriter(width: 10, height: 2, channels: 3)
        #expect(throws: ImageIOError.self) { try row.withUnsafeBufferPointer { try writer.write(rows: 3, from: $0.baseAddress!) } }
        let early = try JPEGRowWriter(width: 10, height: 2, channels: 3)
        try row.withUnsafeBufferPointer { try early.write(rows: 1, from: $0.baseAddress!) }
        #expect(throws: ImageIOError.self) { try early.finish() }
        let twoChannels = try JPEGRowWriter(width: 10, height: 1, channels: 2)
        #expect(throws: ImageIOError.self) { try row.withUnsafeBufferPointer { try twoChannels.write(rows: 1, from: $0.baseAddress!) } }
    }
}

import Foundation
import Testing
@testable import ImageIO

/// Every resource bound of `DecodingOptions`, on files made to break it. Each
/// refusal must come before the expensive work and name the option that raises it.
@Suite("Resource bounds")
struct LimitTests {
    /// A 32×1 gray PNG whose image data holds `rows` rows: the header promises
    /// one row, the data inflates to `rows`. Built by encoding the tall image
    /// and shrinking the header, so the data is as compressed as libpng makes it.
    static func overlongPNG(rows: Int) throws -> [UInt8] {
        var bytes = try ImageEncoder.encodePNG(Image<UInt8>(width: 32, height: rows, layout: .gray), compressionLevel: 9)
        bytes.replaceSubrange(20..<24, with: PNGChunks.bigEndian(1))
        PNGChunks.fixCRC(of: 12..<29, in: &bytes)
        return bytes
    }

    @Test("a PNG whose image data goes on past its last row is refused before libpng inflates the rest")
    func pngExcessData() throws {
        // 33 MB of rows in 32 KB behind a 32-pixel header. libpng reads image
        // data 8 KiB at a time, so up to 8 KiB past the bound goes unnoticed.
        let bomb = try Self.overlongPNG(rows: 1_000_000)
        var options = DecodingOptions()
        options.maxPNGExcessBytes = 1024
        #expect(bomb.count > 16_384)
        do {
            _ = try ImageDecoder.decode(bomb, options: options)
            Issue.record("the overlong PNG decoded")
        } catch let error as ImageIOError {
            guard case .limitExceeded(.pngExcessData, _) = error else { Issue.record("refused for another reason: \(error)"); return }
            #expect("\(error)".contains("--max-png-excess-kb"))
        }
        // Raised far enough, the limit lets libpng read the rest and keep the one pixel.
        options.maxPNGExcessBytes = 1 << 30
        #expect(try ImageDecoder.decode(bomb, options: options).samples == [UInt8](repeating: 0, count: 32))
    }

    @Test("honest PNGs leave at most a few bytes of image data past their last row",
          .enabled(if: TestData.available, "needs ../shared/testdata"))
    func honestFilesHaveNoExcess() throws {
        var options = DecodingOptions()
        options.maxPNGExcessBytes = 64
        for name in TestData.files("pngsuite", suffix: ".png") where !name.hasPrefix("x") {
            #expect(throws: Never.self, "\(name)") { try ImageDecoder.decode(TestData.bytes("pngsuite/" + name), options: options) }
        }
        for compression in [0, 6, 9] {
            let image = Image<UInt8>(width: 300, height: 200, layout: .rgb,
                                     samples: (0..<180_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 3) })
            #expect(try ImageDecoder.decode(ImageEncoder.encodePNG(image, compressionLevel: compression), options: options) == image)
        }
    }

    @Test("an ancillary chunk larger than the chunk bound is dropped, not loaded; the image still decodes")
    func pngChunkSize() throws {
        let image = Image<UInt8>(width: 2, height: 2, layout: .gray, samples: [0, 64, 128, 255])
        var bytes = try ImageEncoder.encodePNG(image)
        // A 3 MB compressed text chunk before the image data.
        let text = PNGChunks.chunk("zTXt", Array("Comment".utf8) + [0, 0] + PNGChunks.storedZlib([UInt8](repeating: 97, count: 3 << 20)))
        bytes.insert(contentsOf: text, at: PNGChunks.find("IDAT", in: bytes)!)
        var options = DecodingOptions()
        options.maxPNGChunkBytes = 1 << 20
        #expect(try ImageDecoder.decode(bytes, options: options) == image)
        options.maxPNGChunkBytes = 8 << 20
        #expect(try ImageDecoder.decode(bytes, options: options) == image)
    }

    @Test("a chunk that claims more bytes than the file holds is refused before libpng allocates them")
    func pngChunkOverrun() throws {
        let image = Image<UInt8>(width: 2, height: 2, layout: .gray, samples: [0, 64, 128, 255])
        var bytes = try ImageEncoder.encodePNG(image)
        // An iTXt chunk that claims 1.8 GB (what a fuzzer found: libpng would clear 1.8 GB first).
        let text = PNGChunks.chunk("iTXt", Array("Software".utf8) + [0, 0, 0, 0, 0] + Array("chroma".utf8))
        let at = PNGChunks.find("IDAT", in: bytes)!
        bytes.insert(contentsOf: text, at: at)
        bytes.replaceSubrange(at..<at + 4, with: PNGChunks.bigEndian(1_869_773_119))
        #expect(throws: ImageIOError.truncated("the iTXt chunk claims 1869773119 bytes, but the file ends \(bytes.count - at - 8) bytes later")) {
            try ImageDecoder.decode(bytes)
        }
        // Bytes after IEND are not chunks.
        let trailing = try ImageEncoder.encodePNG(image) + [0xFF, 0xFF, 0xFF, 0xFF, 0x41, 0x42, 0x43, 0x44, 0, 0]
        #expect(try ImageDecoder.decode(trailing) == image)
    }

    @Test("a tiny JPEG that claims 60,000 × 60,000 pixels is refused from its header")
    func jpegPixelClaim() throws {
        var bytes = try ImageEncoder.encodeJPEG(Image<UInt8>(width: 8, height: 8, layout: .gray))
        let frame = try #require(Self.markerOffsets(0xC0, in: bytes).first)  // SOF0: FF C0 len(2) precision(1) height(2) width(2)
        bytes.replaceSubrange(frame + 5..<frame + 9, with: [0xEA, 0x60, 0xEA, 0x60])
        #expect(throws: ImageIOError.tooLarge(width: 60_000, height: 60_000, limit: 100_000_000)) { try ImageDecoder.decode(bytes) }
        #expect("\(ImageIOError.tooLarge(width: 60_000, height: 60_000, limit: 100_000_000))".contains("--max-megapixels"))
    }

    @Test("a progressive JPEG with thousands of repeated scans (a scan bomb) is refused at the scan bound")
    func jpegScanBomb() throws {
        var samples: [UInt8] = []
        for y in 0..<64 { for x in 0..<64 { samples.append(UInt8((x * 3 + y * 2) & 0xFF)) } }
        let image = Image<UInt8>(width: 64, height: 64, layout: .gray, samples: samples)
        let progressive = try ImageEncoder.encodeJPEG(image, quality: 90, progressive: true)
        // The first scan, from its SOS marker to the next marker, repeated 3,000 times.
        let start = try #require(Self.markerOffsets(0xDA, in: progressive).first)
        let end = try #require(Self.markerOffsets(nil, in: progressive).first { $0 > start })
        var bomb = Array(progressive[..<end])
        for _ in 0..<3_000 { bomb += progressive[start..<end] }
        bomb += progressive[end...]
        do {
            _ = try ImageDecoder.decode(bomb)
            Issue.record("the scan bomb decoded")
        } catch let error as ImageIOError {
            guard case .limitExceeded(.jpegScans, _) = error else { Issue.record("\(error)"); return }
            #expect("\(error)".contains("more than 256 progressive scans") && "\(error)".contains("--max-jpeg-scans"))
        }
        var options = DecodingOptions()
        options.maxJPEGScans = 10_000
        #expect(try ImageDecoder.decode(bomb, options: options).width == 64)
    }

    @Test("a file over the size bound is refused without being read, from a file or a stream")
    func fileSize() throws {
        let path = NSTemporaryDirectory() + "chroma-limit-\(getpid()).png"
        try Data(repeating: 0, count: 100_000).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        var options = DecodingOptions()
        options.maxFileBytes = 50_000
        do {
            _ = try ImageFile.read(path, options: options)
            Issue.record("the large file was read")
        } catch let error as ImageIOError {
            #expect(error == .limitExceeded(.fileSize, "the file is 100000 bytes, over the limit of 50000 bytes"))
            #expect("\(error)".hasSuffix("(raise it with --max-file-mb)"))
        }
        // A pipe has no size up front: reading stops at the bound. (The writer
        // then writes into a closed pipe, which must not kill the test run.)
        signal(SIGPIPE, SIG_IGN)
        let pipe = Pipe()
        let writer = Thread { try? pipe.fileHandleForWriting.write(contentsOf: Data(repeating: 1, count: 200_000)); try? pipe.fileHandleForWriting.close() }
        writer.start()
        #expect(throws: ImageIOError.limitExceeded(.fileSize, "the input is larger than the limit of 50000 bytes")) {
            try ImageFile.readBytes("/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)", maxBytes: 50_000)
        }
        try? pipe.fileHandleForReading.close()
    }

    @Test("every bound has an option name")
    func optionNames() {
        #expect(Set(DecodingLimit.allCases.map(\.option)).count == DecodingLimit.allCases.count)
        #expect(DecodingLimit.allCases.allSatisfy { $0.option.hasPrefix("--max-") })
    }

    /// Offsets of the JPEG markers FF `code` (any marker but RSTn and stuffed bytes when nil).
    static func markerOffsets(_ code: UInt8?, in bytes: [UInt8]) -> [Int] {
        (0..<bytes.count - 1).filter { i in
            guard bytes[i] == 0xFF else { return false }
            let next = bytes[i + 1]
            if let code { return next == code }
            return next != 0 && next != 0xFF && !(0xD0...0xD7).contains(next)
        }
    }
}

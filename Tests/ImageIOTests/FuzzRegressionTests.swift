import Foundation
import Testing
@testable import ImageIO

/// Every input that ever crashed an image fuzz target (png, jpeg, tiff, webp)
/// (Fuzz/Regressions), replayed through the same calls: each must now be
/// refused with an error or decode cleanly.
@Suite("Fuzz regressions: PNG and JPEG")
struct FuzzRegressionTests {
    /// Fuzz/Regressions, one folder per fuzz target.
    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Regressions")

    @Test("a JPEG none of whose scans holds its luminance is refused by the coefficient path, not read through a missing table")
    func componentInNoScan() throws {
        let path = Self.regressions.appendingPathComponent("jpeg/component-in-no-scan.jpg").path
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect(throws: (any Error).self) { try JPEGCoefficients(Array(data)) }
    }

    @Test("images that crashed a decoder", arguments: ["png", "jpeg", "tiff", "webp"])
    func images(target: String) {
        let folder = Self.regressions.appendingPathComponent(target).path
        var options = DecodingOptions()
        options.maxPixels = 1 << 18
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
            guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { continue }
            _ = try? ImageDecoder.decode(Array(data), options: options)
            options.appliesOrientation = false
            _ = try? ImageDecoder.decode16(Array(data), options: options)
            options.appliesOrientation = true
            if let decoded = try? ImageDecoder.decodeWithMetadata(Array(data), options: options), let format = ImageFormat.sniff(Array(data)) {
                _ = try? ImageEncoder.encode(.eightBit(Image(width: 2, height: 2, layout: .rgb)), as: format, metadata: decoded.metadata)
            }
            // The JPEG coefficient path, as the fuzz target calls it.
            if target == "jpeg", let coefficients = try? JPEGCoefficients(Array(data), options: options) {
                let grid = (width: min(coefficients.width, 7), height: min(coefficients.height, 5))
                _ = try? coefficients.luminanceMeans(width: grid.width, height: grid.height)
                let plane = [Float](repeating: 100, count: grid.width * grid.height)
                _ = try? coefficients.encode(cb: plane, cr: plane, gridWidth: grid.width, gridHeight: grid.height)
            }
        }
    }
}

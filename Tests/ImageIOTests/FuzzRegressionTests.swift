import Foundation
import Testing
@testable import ImageIO

/// Every input that ever crashed an image fuzz target (png, jpeg, tiff, webp)
/// (Fuzz/Regressions), replayed through the same calls: each must now be
/// refused with an error or decode cleanly.
@Suite("Fuzz regressions: PNG and JPEG")
struct FuzzRegressionTests {
    @Test("images that crashed a decoder", arguments: ["png", "jpeg", "tiff", "webp"])
    func images(target: String) {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/Regressions/" + target).path
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
        }
    }
}

import ColorSpace
import Foundation
import ImageIO

/// The real-photo protocol: each colour photo (EXIF orientation applied) is
/// colorized at full size exactly as `chroma colorize` does it (its luminance
/// alone goes in), and the 8-bit RGB result is scored against the original:
/// PSNR (capped at 48.13 dB), SSIM, mean CIEDE2000 and colourfulness, per
/// photo, then averaged. The gray baseline is one image per photo, whatever
/// the model's space: L\* kept, a\* = b\* = 0, as 8-bit sRGB. Photos with no
/// colour (every pixel R = G = B) have nothing to score against: they are
/// skipped and counted.
public struct PhotoEvaluation: Sendable {
    /// One photo's figures.
    public struct Row: Sendable, Codable, Equatable {
        public var file: String
        public var width: Int
        public var height: Int
        public var model: ImageScores
        public var gray: ImageScores
        /// The original's colourfulness.
        public var originalColourfulness: Double
    }

    public private(set) var rows: [Row] = []
    /// Photos with no colour, passed over.
    public private(set) var skippedGray: [String] = []
    /// Photos that could not be read or colorized, with the reason.
    public private(set) var failures: [(file: String, reason: String)] = []

    public init() {}

    /// A photo file as the protocol reads it: decoded (upright, with its metadata) for
    /// the colorizer, and its 8-bit RGB to score against; nil for a photo without colour.
    public static func colourPhoto(_ file: String, options: DecodingOptions) throws -> (decoded: DecodedImage, truth: Image<UInt8>)? {
        let decoded = try ImageDecoder.decodeWithMetadata(ImageFile.readBytes(file, maxBytes: options.maxFileBytes), options: options)
        let original = decoded.pixels.eightBit
        return original.hasColour(tolerance: 0) ? (decoded, original.rgb()) : nil
    }

    /// Reads, colorizes and scores one photo file.
    public mutating func add(file: String, colorizer: PhotoColorizer, options: DecodingOptions = .init()) {
        do {
            guard let (decoded, truth) = try Self.colourPhoto(file, options: options) else {
                skippedGray.append(file)
                return
            }
            let colorized = try colorizer.colorize(decoded).pixels.eightBit
            var map: [Float] = []
            let model = ImageScores(result: colorized, original: truth, deltaE: &map)
            let gray = ImageScores(result: ChromaSpace.lab.grayImage(of: truth), original: truth, deltaE: &map)
            let colourfulness = truth.samples.withUnsafeBufferPointer { Metrics.colourfulness($0) }
            rows.append(Row(file: file, width: truth.width, height: truth.height, model: model, gray: gray,
                            originalColourfulness: colourfulness))
        } catch {
            failures.append((file, "\(error)"))
        }
    }

    /// Means over the scored photos, and how many beat the gray baseline.
    public struct Summary: Sendable, Codable, Equatable {
        public var photos: Int
        public var model: ImageScores
        public var gray: ImageScores
        public var originalColourfulness: Double
        /// Photos whose PSNR is higher than the gray baseline's.
        public var betterThanGrayPSNR: Int
        /// Photos whose mean ΔE2000 is lower than the gray baseline's.
        public var betterThanGrayDeltaE2000: Int
        public var skippedGray: Int
        public var failed: Int
    }

    public var summary: Summary {
        let n = Double(max(rows.count, 1))
        func mean(_ pick: (Row) -> ImageScores) -> ImageScores {
            ImageScores(psnr: rows.reduce(0) { $0 + pick($1).psnr } / n, ssim: rows.reduce(0) { $0 + pick($1).ssim } / n,
                        deltaE2000: rows.reduce(0) { $0 + pick($1).deltaE2000 } / n,
                        colourfulness: rows.reduce(0) { $0 + pick($1).colourfulness } / n)
        }
        return Summary(photos: rows.count, model: mean(\.model), gray: mean(\.gray),
                       originalColourfulness: rows.reduce(0) { $0 + $1.originalColourfulness } / n,
                       betterThanGrayPSNR: rows.filter { $0.model.psnr > $0.gray.psnr }.count,
                       betterThanGrayDeltaE2000: rows.filter { $0.model.deltaE2000 < $0.gray.deltaE2000 }.count,
                       skippedGray: skippedGray.count, failed: failures.count)
    }

    /// The summary and every photo's row as one JSON object (keys sorted).
    public func json(model: String) throws -> String {
        struct Document: Encodable {
            let model: String
            let summary: Summary
            let photos: [Row]
            let skippedGray: [String]
            let failures: [[String: String]]
        }
        return try JSONText.encode(Document(model: model, summary: summary, photos: rows, skippedGray: skippedGray,
                                            failures: failures.map { ["file": $0.file, "error": $0.reason] }))
    }
}

import CBundledModels
import ColorSpace
import Foundation
import ImageIO
import NeuralNet

/// The two trained colorizers shipped with chroma (one per colour space),
/// built into the program by `scripts/train-models` (the CBundledModels
/// target), so that it works wherever its binary is copied.
public enum BundledModels {
    /// The space whose model colorizes when none is named: YCbCr. On real
    /// photographs it scores the higher PSNR (23.47 against Lab's 23.19 dB on
    /// 86 validation photos), and JPEG to JPEG it keeps the photo's own
    /// luminance coefficients, never decoding them (docs/results/photos.md).
    public static let defaultSpace: ChromaSpace = .ycbcr

    /// `$CHROMA_MODELS`, when set: a folder whose `lab.chroma` and
    /// `ycbcr.chroma` take the place of the built-in models.
    public static var overrideFolder: String? {
        ProcessInfo.processInfo.environment["CHROMA_MODELS"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Where the model for `space` comes from: its file under `$CHROMA_MODELS`,
    /// or "built-in lab model".
    public static func origin(of space: ChromaSpace) -> String {
        overrideFile(for: space) ?? "built-in \(space.rawValue) model"
    }

    /// `$CHROMA_MODELS/<space>.chroma`, when that variable names a folder holding one.
    static func overrideFile(for space: ChromaSpace) -> String? {
        guard let folder = overrideFolder else { return nil }
        let file = folder + "/" + space.rawValue + ".chroma"
        return ImageFile.kind(of: file) == .regular ? file : nil
    }

    /// The model file's bytes for `space`: `$CHROMA_MODELS/<space>.chroma` when
    /// that folder holds one, else the built-in copy.
    public static func bytes(for space: ChromaSpace) throws -> [UInt8] {
        if let file = overrideFile(for: space) { return try ImageFile.readBytes(file) }
        var count = 0
        let start = chroma_bundled_model(space == .lab ? CHROMA_BUNDLED_LAB : CHROMA_BUNDLED_YCBCR, &count)
        return Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// The model for `space`, decoded and checked.
    public static func load(_ space: ChromaSpace) throws -> ModelFile {
        try ModelFile(decoding: bytes(for: space))
    }
}

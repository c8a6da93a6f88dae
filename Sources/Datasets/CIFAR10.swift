import Foundation

/// CIFAR-10 in its binary layout (Krizhevsky 2009): files of 10,000 records of
/// 3,073 bytes, a label byte (0–9) then 1,024 red, 1,024 green and 1,024 blue values.
public enum CIFAR10 {
    public static let side = 32
    public static let recordSize = 1 + 3 * side * side
    public static let trainingFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFile = "test_batch.bin"
    /// The ten classes, by label (batches.meta.txt).
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    /// The five training batches and the test batch of `folder`.
    public static func load(folder: String) throws -> (training: ImageSet, test: ImageSet) {
        var training: ImageSet?
        for name in trainingFiles {
            let batch = try loadBatch(folder + "/" + name)
            training = training.map { $0.appending(batch) } ?? batch
        }
        return (training!, try loadBatch(folder + "/" + testFile))
    }

    /// One batch file; its size and labels are checked.
    public static func loadBatch(_ path: String) throws -> ImageSet {
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError.missingFile(path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.damaged(path: path, reason: "cannot be read")
        }
        return try parseBatch(Array(data), path: path)
    }

    /// Parses the bytes of a batch file (`path` names it in errors).
    public static func parseBatch(_ bytes: [UInt8], path: String) throws -> ImageSet {
        guard !bytes.isEmpty else { throw DatasetError.damaged(path: path, reason: "empty file") }
        guard bytes.count % recordSize == 0 else {
            throw DatasetError.damaged(path: path, reason: "\(bytes.count) bytes is not a whole number of \(recordSize)-byte records")
        }
        let count = bytes.count / recordSize
        var pixels = [UInt8](repeating: 0, count: count * (recordSize - 1)), labels = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let label = bytes[i * recordSize]
            guard label < 10 else { throw DatasetError.damaged(path: path, reason: "record \(i) has label \(label), not 0–9") }
            labels[i] = label
            pixels.replaceSubrange(i * (recordSize - 1)..<(i + 1) * (recordSize - 1),
                                   with: bytes[(i * recordSize + 1)..<((i + 1) * recordSize)])
        }
        return ImageSet(width: side, height: side, pixels: pixels, labels: labels)
    }
}

/// Why a data set could not be loaded.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingFile(String)
    case damaged(path: String, reason: String)
    case empty(String)
    /// CIFAR's division keeps the last `validation` training images for validation, and `source` holds no more than that.
    case tooFewToValidate(source: String, images: Int, validation: Int)

    public var description: String {
        switch self {
        case .missingFile(let path): "\(path): missing (a CIFAR-10 folder holds data_batch_1.bin … data_batch_5.bin and test_batch.bin; a CIFAR-100 one train.bin and test.bin)"
        case .damaged(let path, let reason): "\(path): damaged: \(reason)"
        case .empty(let what): "\(what): no usable images"
        case .tooFewToValidate(let source, let images, let validation):
            "\(source): \(images) training images; CIFAR's division validates on the last \(validation) and needs more than that "
                + "(divide a smaller set by percentages: --split 80/10/10)"
        }
    }
}

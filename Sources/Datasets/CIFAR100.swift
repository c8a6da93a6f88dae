import Foundation

/// CIFAR-100 in its official binary layout (`train.bin`, `test.bin`): per image a
/// coarse-label byte (0–19), a fine-label byte (0–99), then 1,024 R, 1,024 G and
/// 1,024 B bytes, row by row. Its 100 classes (people, trees, flowers, landscapes,
/// buildings, sea, sky, …) are far nearer to what photos show than CIFAR-10's ten.
public enum CIFAR100 {
    public static let recordSize = 2 + 3 * CIFAR10.side * CIFAR10.side
    public static let trainingFile = "train.bin"
    public static let testFile = "test.bin"

    /// The images of one file, with their fine labels.
    public static func loadFile(_ path: String) throws -> ImageSet {
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError.missingFile(path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw DatasetError.damaged(path: path, reason: "cannot be read") }
        return try parse(Array(data), path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String) throws -> ImageSet {
        guard !bytes.isEmpty else { throw DatasetError.damaged(path: path, reason: "empty file") }
        guard bytes.count % recordSize == 0 else {
            throw DatasetError.damaged(path: path, reason: "\(bytes.count) bytes is not a whole number of \(recordSize)-byte CIFAR-100 records")
        }
        let count = bytes.count / recordSize, pixelsPerImage = recordSize - 2
        var pixels = [UInt8](repeating: 0, count: count * pixelsPerImage), labels = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            let coarse = bytes[i * recordSize], fine = bytes[i * recordSize + 1]
            guard coarse < 20, fine < 100 else {
                throw DatasetError.damaged(path: path, reason: "record \(i) has labels \(coarse), \(fine), not 0–19 and 0–99")
            }
            labels[i] = fine
            pixels.replaceSubrange(i * pixelsPerImage..<(i + 1) * pixelsPerImage, with: bytes[(i * recordSize + 2)..<((i + 1) * recordSize)])
        }
        return ImageSet(width: CIFAR10.side, height: CIFAR10.side, pixels: pixels, labels: labels)
    }
}

/// A folder of CIFAR data: CIFAR-10's batches, CIFAR-100's two files, or both.
public enum CIFARFolder {
    /// Training and test images. With both data sets, training holds CIFAR-100's
    /// training images and then CIFAR-10's, so that CIFAR-10's own division still
    /// holds (`Split.standard`: its last 5,000 training images validate), and the
    /// test images are CIFAR-10's: figures stay comparable with CIFAR-10-only runs.
    public static func load(folder: String) throws -> (training: ImageSet, test: ImageSet) {
        let hasTen = FileManager.default.fileExists(atPath: folder + "/" + CIFAR10.trainingFiles[0])
        let hasHundred = FileManager.default.fileExists(atPath: folder + "/" + CIFAR100.trainingFile)
        switch (hasTen, hasHundred) {
        case (true, false):
            return try CIFAR10.load(folder: folder)
        case (false, true):
            return (try CIFAR100.loadFile(folder + "/" + CIFAR100.trainingFile), try CIFAR100.loadFile(folder + "/" + CIFAR100.testFile))
        case (true, true):
            let ten = try CIFAR10.load(folder: folder)
            return (try CIFAR100.loadFile(folder + "/" + CIFAR100.trainingFile).appending(ten.training), ten.test)
        case (false, false):
            throw DatasetError.missingFile(folder + "/" + CIFAR10.trainingFiles[0])
        }
    }
}

import Testing
import Foundation
@testable import Datasets

@Suite("CIFAR-10 batches and splits")
struct CIFAR10Tests {
    /// A batch file of `count` records with labels i % 10 and pixel bytes derived from i.
    static func batchBytes(_ count: Int, firstLabel: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        for i in 0..<count {
            bytes.append(UInt8((firstLabel + i) % 10))
            bytes += (0..<3072).map { UInt8(truncatingIfNeeded: $0 &+ i * 7) }
        }
        return bytes
    }

    static func folder(_ name: String, records: Int = 4, damage: ((inout [UInt8]) -> Void)? = nil, skip: String? = nil) throws -> String {
        let path = "/tmp/chroma-cifar-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for file in CIFAR10.trainingFiles + [CIFAR10.testFile] where file != skip {
            var bytes = batchBytes(records)
            if file == "data_batch_3.bin" { damage?(&bytes) }
            try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + file))
        }
        return path
    }

    @Test("batches load with their labels and pixels")
    func loads() throws {
        let path = try Self.folder("ok")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (training, test) = try CIFAR10.load(folder: path)
        #expect(training.count == 20 && test.count == 4)
        #expect(training.labels.prefix(5) == [0, 1, 2, 3, 0])
        #expect(training.pixels[3072] == UInt8(truncatingIfNeeded: 7))
        let image = test.image(1)
        #expect(image.width == 32 && image.samples[0] == 7 && image.samples[1] == UInt8(truncatingIfNeeded: 1024 + 7))
    }

    @Test("a missing or damaged file is named with the reason")
    func damaged() throws {
        let missing = try Self.folder("missing", skip: "data_batch_4.bin")
        defer { try? FileManager.default.removeItem(atPath: missing) }
        #expect(throws: DatasetError.missingFile(missing + "/data_batch_4.bin")) { try CIFAR10.load(folder: missing) }

        let short = try Self.folder("short", damage: { $0.removeLast(100) })
        defer { try? FileManager.default.removeItem(atPath: short) }
        #expect(throws: DatasetError.damaged(path: short + "/data_batch_3.bin", reason: "12192 bytes is not a whole number of 3073-byte records")) {
            try CIFAR10.load(folder: short)
        }
        let label = try Self.folder("label", damage: { $0[3073] = 42 })
        defer { try? FileManager.default.removeItem(atPath: label) }
        #expect(throws: DatasetError.damaged(path: label + "/data_batch_3.bin", reason: "record 1 has label 42, not 0–9")) {
            try CIFAR10.load(folder: label)
        }
        #expect(throws: DatasetError.self) { try CIFAR10.parseBatch([], path: "empty.bin") }
    }

    @Test("splits: the standard one and a seeded 80/10/10")
    func splits() throws {
        let all = try CIFAR10.parseBatch(Self.batchBytes(100), path: "x")
        let standard = try Split.standard(training: all, test: all.subset(0..<10), validationCount: 20)
        #expect(throws: DatasetError.tooFewToValidate(source: "x", images: 100, validation: 100)) {
            try Split.standard(training: all, test: all, validationCount: 100, source: "x")
        }
        #expect(standard.training.count == 80 && standard.validation.count == 20 && standard.test.count == 10)
        #expect(standard.validation.pixels == all.subset(80..<100).pixels, "validation is the last images")
        let a = Split.proportional(all, percentages: (80, 10, 10), seed: 3)
        let b = Split.proportional(all, percentages: (80, 10, 10), seed: 3)
        let c = Split.proportional(all, percentages: (80, 10, 10), seed: 4)
        #expect(a.training.count == 80 && a.validation.count == 10 && a.test.count == 10)
        #expect(a.training == b.training && a.training != c.training)
        #expect(Set(a.training.labels.indices.map { a.training.pixels[$0 * 3072 + 1] }).count > 1)
    }

    @Test("stacking interleaves each image's planes")
    func stacked() throws {
        let set = try CIFAR10.parseBatch(Self.batchBytes(3), path: "x")
        let tall = set.stacked()
        #expect(tall.width == 32 && tall.height == 96)
        for i in 0..<3 { #expect(Array(tall.samples[i * 3072..<(i + 1) * 3072]) == set.image(i).samples) }
    }
}

@Suite("Image folders")
struct ImageFolderTests {
    @Test("photos become centred 32×32 squares plus random crops; bad files are listed")
    func loads() throws {
        let folder = "/tmp/chroma-folder-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // 100×60: left half red, right half blue; the centred 60×60 square is half and half.
        var samples: [UInt8] = []
        for _ in 0..<60 { for x in 0..<100 { samples += x < 50 ? [255, 0, 0] : [0, 0, 255] } }
        let photo = Image(width: 100, height: 60, layout: .rgb, samples: samples)
        try Data(ImageEncoder.encodePNG(photo)).write(to: URL(fileURLWithPath: folder + "/a.png"))
        try Data(ImageEncoder.encodeJPEG(photo, quality: 95)).write(to: URL(fileURLWithPath: folder + "/sub/b.jpg"))
        try Data("no".utf8).write(to: URL(fileURLWithPath: folder + "/broken.png"))

        let loaded = try ImageFolder.load(folder, side: 32, randomCrops: 2, seed: 1)
        #expect(loaded.images.count == 6)
        #expect(loaded.failures.count == 1 && loaded.failures[0].file.hasSuffix("broken.png"))
        let first = loaded.images.image(0)
        #expect(first.width == 32)
        #expect(first[0, 16, 0] == 255 && first[0, 16, 2] == 0, "left edge red")
        #expect(first[31, 16, 0] == 0 && first[31, 16, 2] == 255, "right edge blue")
        #expect(throws: DatasetError.self) { try ImageFolder.load(folder + "/sub/nothing") }
        let split = loaded.split(percentages: (50, 50, 0), seed: 2)
        #expect(split.training.count == 3 && split.validation.count == 1 && split.test.count == 0)
    }

    @Test("training can leave out photos with no colour: gray files, and RGB files whose channels agree within 2 levels")
    func leavesOutColourless() throws {
        let folder = "/tmp/chroma-colourless-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ramp = (0..<(40 * 40)).map { UInt8($0 % 200) }
        let write = { (name: String, image: Image<UInt8>) in
            try Data(ImageEncoder.encodePNG(image)).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
        try write("a-gray.png", Image(width: 40, height: 40, layout: .gray, samples: ramp))
        // R, G, B within 2 levels of each other: no colour; one pixel 3 levels apart: colour.
        try write("b-nearly.png", Image(width: 40, height: 40, layout: .rgb, samples: ramp.flatMap { [$0, $0 &+ 2, $0] }))
        var tinted = ramp.flatMap { [$0, $0, $0] }
        tinted[3 * 777 + 2] &+= 3
        try write("c-tinted.png", Image(width: 40, height: 40, layout: .rgb, samples: tinted))

        let all = try ImageFolder.load(folder, randomCrops: 1)
        #expect(all.photos == 3 && all.colourless.isEmpty)
        let coloured = try ImageFolder.load(folder, randomCrops: 1, skippingColourless: true)
        #expect(coloured.photos == 1 && coloured.images.count == 2)
        #expect(coloured.colourless.map { String($0.split(separator: "/").last!) } == ["a-gray.png", "b-nearly.png"])
        #expect(coloured.failures.isEmpty)
    }
}

import ImageIO

@Suite("CIFAR-100 files, and folders holding both data sets")
struct CIFAR100Tests {
    /// `count` CIFAR-100 records: coarse label i % 20, fine label i % 100, pixels from i.
    static func bytes(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for i in 0..<count {
            bytes += [UInt8(i % 20), UInt8(i % 100)]
            bytes += (0..<3072).map { (p: Int) -> UInt8 in UInt8(truncatingIfNeeded: p &+ i * 3) }
        }
        return bytes
    }

    @Test("records load with their fine labels; bad labels and sizes are named")
    func parses() throws {
        let set = try CIFAR100.parse(Self.bytes(5), path: "train.bin")
        #expect(set.count == 5 && set.labels[3] == 3)
        #expect(set.pixels[3072 + 1] == 4, "image 1's second red byte")
        var bad = Self.bytes(2)
        bad[1] = 100
        #expect(throws: DatasetError.damaged(path: "x.bin", reason: "record 0 has labels 0, 100, not 0–19 and 0–99")) { try CIFAR100.parse(bad, path: "x.bin") }
        #expect(throws: DatasetError.self) { try CIFAR100.parse(Array(Self.bytes(1).dropLast()), path: "x.bin") }
    }

    @Test("one folder with both: CIFAR-100's training images first, CIFAR-10's last (its validation), CIFAR-10's test")
    func both() throws {
        let folder = try CIFAR10Tests.folder("both", records: 4)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(Self.bytes(6)).write(to: URL(fileURLWithPath: folder + "/train.bin"))
        try Data(Self.bytes(3)).write(to: URL(fileURLWithPath: folder + "/test.bin"))
        let loaded = try CIFARFolder.load(folder: folder)
        #expect(loaded.training.count == 6 + 5 * 4 && loaded.test.count == 4)
        let ten = try CIFAR10.load(folder: folder)
        #expect(Array(loaded.training.pixels.suffix(4 * 3072)) == Array(ten.training.pixels.suffix(4 * 3072)))
        for file in CIFAR10.trainingFiles + [CIFAR10.testFile] { try FileManager.default.removeItem(atPath: folder + "/" + file) }
        let hundred = try CIFARFolder.load(folder: folder)
        #expect(hundred.training.count == 6 && hundred.test.count == 3)
    }
}

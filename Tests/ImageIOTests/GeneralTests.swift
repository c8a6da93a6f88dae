import Testing
@testable import ImageIO

@Suite("Formats, garbage and files")
struct GeneralTests {
    @Test("the format comes from the first bytes")
    func sniffing() throws {
        let png = try ImageEncoder.encodePNG(Image<UInt8>(width: 2, height: 2, layout: .rgb))
        let jpeg = try ImageEncoder.encodeJPEG(Image<UInt8>(width: 2, height: 2, layout: .rgb))
        #expect(ImageFormat.sniff(png) == .png)
        #expect(ImageFormat.sniff(jpeg) == .jpeg)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == nil)
    }

    @Test("random garbage is rejected, with and without a valid signature")
    func garbage() {
        var random = SeededGenerator(seed: 42)
        for length in [0, 1, 3, 8, 100, 5000] {
            let noise = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(throws: ImageIOError.self) { try ImageDecoder.decode(noise) }
            #expect(throws: ImageIOError.self) { try ImageDecoder.decode([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + noise) }
            #expect(throws: ImageIOError.self) { try ImageDecoder.decode([0xFF, 0xD8, 0xFF] + noise) }
        }
    }

    @Test("orientation maps the corners as EXIF defines")
    func orientation() {
        // 3×2 image whose samples are their own indices.
        let image = Image<UInt8>(width: 3, height: 2, layout: .gray, samples: [0, 1, 2, 3, 4, 5])
        #expect(image.oriented(.upMirrored).samples == [2, 1, 0, 5, 4, 3])
        #expect(image.oriented(.down).samples == [5, 4, 3, 2, 1, 0])
        #expect(image.oriented(.downMirrored).samples == [3, 4, 5, 0, 1, 2])
        #expect(image.oriented(.leftMirrored).samples == [0, 3, 1, 4, 2, 5])
        #expect(image.oriented(.right).samples == [3, 0, 4, 1, 5, 2])
        #expect(image.oriented(.rightMirrored).samples == [5, 2, 4, 1, 3, 0])
        #expect(image.oriented(.left).samples == [2, 5, 1, 4, 0, 3])
        #expect(image.oriented(.right).width == 2)
    }

    @Test("writes are atomic and refuse to replace unless asked")
    func atomicWrites() throws {
        let folder = "/tmp/chroma-imageio-\(getpid())"
        try? FileManagerShim.remove(folder)
        try FileManagerShim.makeFolder(folder)
        defer { try? FileManagerShim.remove(folder) }
        let path = folder + "/out.png"
        try ImageFile.write([1, 2, 3], to: path)
        #expect(try ImageFile.readBytes(path) == [1, 2, 3])
        #expect(throws: ImageIOError.fileSystem(path: path, reason: "already exists")) {
            try ImageFile.write([4], to: path)
        }
        try ImageFile.write([4], to: path, overwrite: true)
        #expect(try ImageFile.readBytes(path) == [4])
        #expect(try FileManagerShim.list(folder) == ["out.png"], "no temporary file is left behind")
        var info = stat()
        let mask = umask(0o022)
        umask(mask)
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o644 & ~mask, "an ordinary file's permissions")
        #expect(throws: ImageIOError.self) { try ImageFile.readBytes(folder + "/missing.png") }
        #expect(throws: ImageIOError.fileSystem(path: folder, reason: "is a directory")) { try ImageFile.readBytes(folder) }
        #expect(throws: ImageIOError.self) { try ImageFile.write([1], to: folder + "/no/such/folder.png") }
    }
}

import Foundation
enum FileManagerShim {
    static func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: path) }
    static func makeFolder(_ path: String) throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    static func list(_ path: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
}

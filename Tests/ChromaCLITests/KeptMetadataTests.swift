import Testing
import Foundation
import ImageIO

/// Runs exiftool (Debian's libimage-exiftool-perl, installed by scripts/setup):
/// an independent reader and writer of EXIF, XMP, IPTC, ICC and PNG text.
enum ExifTool {
    static let path = ["/usr/bin/exiftool", "/usr/local/bin/exiftool"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path, "exiftool is missing: run scripts/setup"))
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Tag name → value, as exiftool reads them from `file` (`-j -s`, one group).
    static func tags(_ file: String, _ names: [String]) throws -> [String: String] {
        let json = try run(["-j", "-s"] + names.map { "-" + $0 } + [file])
        let objects = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        return (objects?.first ?? [:]).compactMapValues { "\($0)" }
    }
}

@Suite("metadata kept by colorize and convert", .serialized)
struct KeptMetadataTests {
    static let tags = ["Make", "Model", "DateTimeOriginal", "GPSLatitude", "GPSLongitude", "Copyright", "ImageDescription",
                       "XMP-dc:Description", "Caption-Abstract", "Keywords", "XResolution", "ResolutionUnit", "ProfileDescription"]

    /// A JPEG photo with what an archive's scans carry, written by exiftool: turned 90° by its EXIF orientation.
    static func archivePhoto(_ scratch: Scratch, name: String = "scan.jpg") throws -> String {
        let path = scratch.path + "/" + name
        try scratch.write(try ImageEncoder.encodeJPEG(testPicture(width: 48, height: 32)), name)
        try ExifTool.run(["-q", "-overwrite_original", "-Make=Agfa", "-Model=Optima", "-DateTimeOriginal=1962:07:14 10:30:00",
                          "-GPSLatitude=50.94", "-GPSLatitudeRef=N", "-GPSLongitude=6.96", "-GPSLongitudeRef=E",
                          "-Orientation#=6", "-Copyright=Family archive", "-ImageDescription=Strand, 1962",
                          "-XMP-dc:Description=At the beach", "-IPTC:Caption-Abstract=Summer", "-IPTC:Keywords=beach",
                          "-XResolution=300", "-YResolution=300", "-ResolutionUnit=inches", path])
        return path
    }

    @Test("JPEG to JPEG and to PNG: EXIF, GPS, XMP, IPTC and density survive; Orientation becomes 1; --strip drops them")
    func archiveJPEG() throws {
        let scratch = try Scratch("kept-jpeg")
        defer { scratch.remove() }
        let model = try ColorizeCommandTests.model(scratch)
        let input = try Self.archivePhoto(scratch)
        let original = try ExifTool.tags(input, Self.tags)
        #expect(original["Make"] == "Agfa" && original["Caption-Abstract"] == "Summer", "the sample was written: \(original)")
        for output in ["out.jpg", "out.png"] {
            let result = try CLIRunner.run(["colorize", input, "-o", scratch.path + "/" + output, "--model", model])
            #expect(result.status == 0, "\(result.stderr)")
            let kept = try ExifTool.tags(scratch.path + "/" + output, Self.tags + ["Orientation", "ImageWidth", "ImageHeight", "Comment"])
            for tag in Self.tags where !(output == "out.png" && ["Caption-Abstract", "Keywords"].contains(tag)) {
                #expect(kept[tag] == original[tag], "\(output) \(tag): \(kept[tag] ?? "missing") vs \(original[tag] ?? "missing")")
            }
            #expect(kept["Orientation"] == "Horizontal (normal)", "\(output): \(kept)")
            #expect(kept["ImageWidth"] == "32" && kept["ImageHeight"] == "48", "pixels upright: \(kept)")
            #expect(kept["Comment"]?.contains("Colorized by chroma") == true, "\(kept)")
        }
        let stripped = try CLIRunner.run(["colorize", input, "-o", scratch.path + "/bare.jpg", "--model", model, "--strip"])
        #expect(stripped.status == 0, "\(stripped.stderr)")
        let bare = try ExifTool.tags(scratch.path + "/bare.jpg", Self.tags)
        #expect(Set(bare.keys) == ["SourceFile", "XResolution", "ResolutionUnit"] || Set(bare.keys) == ["SourceFile"], "\(bare)")
        #expect(bare["XResolution"] == nil || bare["XResolution"] == "1", "JFIF's default density, not the photo's: \(bare)")

        // convert keeps them too.
        let converted = try CLIRunner.run(["convert", input, "-o", scratch.path + "/gray.png", "--to", "gray"])
        #expect(converted.status == 0, "\(converted.stderr)")
        #expect(try ExifTool.tags(scratch.path + "/gray.png", ["DateTimeOriginal"])["DateTimeOriginal"] == original["DateTimeOriginal"])
    }

    @Test("a gray scan's gray ICC profile becomes an RGB profile with its tone curve; an RGB profile is kept as it is")
    func profiles() throws {
        let scratch = try Scratch("kept-icc")
        defer { scratch.remove() }
        let model = try ColorizeCommandTests.model(scratch)
        let gray = Image<UInt8>(width: 32, height: 24, layout: .gray, samples: (0..<(32 * 24)).map { UInt8($0 % 256) })
        var metadata = ImageMetadata()
        metadata.iccProfile = GrayProfile.bytes
        try scratch.write(try ImageEncoder.encode(.eightBit(gray), as: .jpeg, metadata: metadata), "gray.jpg")
        #expect(try ExifTool.run(["-s3", "-ColorSpaceData", scratch.path + "/gray.jpg"]).contains("GRAY"), "exiftool sees the gray profile")
        let result = try CLIRunner.run(["colorize", scratch.path + "/gray.jpg", "-o", scratch.path + "/colour.jpg", "--model", model])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try ExifTool.run(["-s3", "-ColorSpaceData", scratch.path + "/colour.jpg"]).contains("RGB"))
        let grayCurve = try ExifTool.run(["-b", "-GrayTRC", scratch.path + "/gray.jpg"])
        #expect(!grayCurve.isEmpty)
        for channel in ["RedTRC", "GreenTRC", "BlueTRC"] {
            #expect(try ExifTool.run(["-b", "-" + channel, scratch.path + "/colour.jpg"]) == grayCurve, "\(channel)")
        }
    }

    @Test("16-bit PNGs come out 16-bit with their luminance at full precision; 8-bit stays 8-bit")
    func sixteenBit() throws {
        let scratch = try Scratch("kept-16")
        defer { scratch.remove() }
        let model = try ColorizeCommandTests.model(scratch)
        let width = 64, height = 48
        // A gray ramp with levels between the 8-bit ones.
        let samples = (0..<(width * height)).map { UInt16(truncatingIfNeeded: 1000 + $0 * 13) }
        try scratch.write(try ImageEncoder.encodePNG(Image(width: width, height: height, layout: .gray, samples: samples)), "scan16.png")
        for space in ["lab", "ycbcr"] {
            let out = scratch.path + "/out-\(space).png"
            let result = try CLIRunner.run(["colorize", scratch.path + "/scan16.png", "-o", out, "--model", model, "--saturation", "0"])
            #expect(result.status == 0, "\(result.stderr)")
            let decoded = try ImageDecoder.decodeWithMetadata(try ImageFile.readBytes(out))
            guard case .sixteenBit(let image) = decoded.pixels else { Issue.record("\(space): not 16-bit"); continue }
            #expect(image.layout == .rgb)
            // Neutral chroma: R = G = B = the input's level, to within a 16-bit step (8 bits would be off by up to 128).
            let worst = (0..<(width * height)).map { abs(Int(image.samples[3 * $0]) - Int(samples[$0])) }.max()!
            #expect(worst <= 2, "\(space): off by \(worst) levels of 65535")
        }
        try scratch.write(try ImageEncoder.encodePNG(testPicture()), "eight.png")
        #expect(try CLIRunner.run(["colorize", scratch.path + "/eight.png", "-o", scratch.path + "/eight-out.png", "--model", model]).status == 0)
        #expect(try ImageFile.readBytes(scratch.path + "/eight-out.png")[24] == 8, "IHDR bit depth 8")
        let gray16 = try CLIRunner.run(["convert", scratch.path + "/scan16.png", "-o", scratch.path + "/gray16.png", "--to", "gray"])
        #expect(gray16.status == 0, "\(gray16.stderr)")
        #expect(try ImageFile.readBytes(scratch.path + "/gray16.png")[24] == 16)
    }
}

/// A v2 gray profile with a gamma-2.2 tone curve, built by hand from the ICC specification.
enum GrayProfile {
    static let bytes: [UInt8] = {
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        let curve = Array("curv".utf8) + [0, 0, 0, 0] + be32(1) + [0x02, 0x33, 0, 0]
        let white = Array("XYZ ".utf8) + [0, 0, 0, 0] + be32(0xF6D6) + be32(0x10000) + be32(0xD32D)
        let text = Array("desc".utf8) + [0, 0, 0, 0] + be32(9) + Array("Gray 2.2\0".utf8) + [UInt8](repeating: 0, count: 78)
        let tags: [(String, [UInt8])] = [("kTRC", curve), ("wtpt", white), ("desc", text)]
        var header = [UInt8](repeating: 0, count: 128)
        header.replaceSubrange(8..<12, with: [2, 0x10, 0, 0])
        header.replaceSubrange(12..<16, with: Array("mntr".utf8))
        header.replaceSubrange(16..<20, with: Array("GRAY".utf8))
        header.replaceSubrange(20..<24, with: Array("XYZ ".utf8))
        header.replaceSubrange(36..<40, with: Array("acsp".utf8))
        var table = be32(UInt32(tags.count)), data: [UInt8] = []
        var offset = 128 + 4 + 12 * tags.count
        for (signature, payload) in tags {
            var padded = payload
            while padded.count % 4 != 0 { padded.append(0) }
            table += Array(signature.utf8) + be32(UInt32(offset)) + be32(UInt32(payload.count))
            data += padded
            offset += padded.count
        }
        var profile = header + table + data
        profile.replaceSubrange(0..<4, with: be32(UInt32(profile.count)))
        return profile
    }()
}

@Suite("TIFF and WebP through colorize and convert", .serialized)
struct TIFFWebPCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ImageIOTests/Fixtures").path

    @Test("a tagged TIFF colorizes to TIFF and JPEG with its tags; 16-bit TIFF stays 16-bit; a second page is named")
    func tiff() throws {
        let scratch = try Scratch("cli-tiff")
        defer { scratch.remove() }
        let model = try ColorizeCommandTests.model(scratch)
        let tagged = Self.fixtures + "/tagged.tif"
        let names = ["Make", "Model", "DateTimeOriginal", "GPSLatitude", "Artist", "Copyright", "XMP-dc:Description", "Caption-Abstract", "XResolution"]
        let original = try ExifTool.tags(tagged, names)
        for output in ["out.tif", "out.jpg"] {
            let result = try CLIRunner.run(["colorize", tagged, "-o", scratch.path + "/" + output, "--model", model])
            #expect(result.status == 0, "\(result.stderr)")
            let kept = try ExifTool.tags(scratch.path + "/" + output, names)
            for name in names { #expect(kept[name] == original[name], "\(output) \(name): \(kept[name] ?? "missing") vs \(original[name] ?? "missing")") }
        }
        #expect(try ExifTool.run(["-s3", "-Compression", scratch.path + "/out.tif"]).contains("LZW"), "the input's compression is kept")

        let deep = try CLIRunner.run(["colorize", Self.fixtures + "/rgb16-deflate-tiles.tif", "-o", scratch.path + "/deep.tif", "--model", model])
        #expect(deep.status == 0, "\(deep.stderr)")
        let decoded = try ImageDecoder.decodeWithMetadata(try ImageFile.readBytes(scratch.path + "/deep.tif"))
        #expect(decoded.pixels.bitDepth == 16 && decoded.tiffCompression == .deflate)

        // A TIFF larger than any head a scan might read: its directory (and chroma's marker) sits at its end.
        let big = Image<UInt16>(width: 400, height: 300, layout: .rgb, samples: (0..<(400 * 300 * 3)).map { UInt16(truncatingIfNeeded: $0 &* 40503) })
        var none = EncodingOptions()
        none.tiffCompression = .none
        try scratch.write(try ImageEncoder.encode(.sixteenBit(big), as: .tiff, metadata: ImageMetadata(), options: none), "scans/big.tif")
        let scans = ["colorize", scratch.path + "/scans", "-o", scratch.path + "/scans", "--suffix", "-c", "--model", model]
        #expect(try CLIRunner.run(scans).status == 0)
        #expect((ImageFile.size(of: scratch.path + "/scans/big-c.tif") ?? 0) > 600_000)
        let rescan = try CLIRunner.run(scans + ["--skip-existing"])
        #expect(rescan.status == 0 && rescan.stderr.contains("1 skipped: earlier outputs of chroma"), "\(rescan.stderr)")
        #expect(scratch.files("scans") == ["big-c.tif", "big.tif"])

        let pages = try CLIRunner.run(["colorize", Self.fixtures + "/two-pages.tif", "-o", scratch.path + "/pages.tif", "--model", model])
        #expect(pages.status == 0 && pages.stderr.contains("has 2 pages; only the first was colorized"), "\(pages.stderr)")
    }

    @Test("WebP: a folder's .webp files are colorized, lossless stays lossless, EXIF is kept, and re-runs pass them by")
    func webp() throws {
        let scratch = try Scratch("cli-webp")
        defer { scratch.remove() }
        let model = try ColorizeCommandTests.model(scratch)
        for name in ["lossless.webp", "lossy.webp", "tagged-exif.webp"] {
            try scratch.write(try ImageFile.readBytes(Self.fixtures + "/" + name), "in/" + name)
        }
        let arguments = ["colorize", scratch.path + "/in", "-o", scratch.path + "/in", "--suffix", "-c", "--model", model]
        let result = try CLIRunner.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(scratch.files("in") == ["lossless-c.webp", "lossless.webp", "lossy-c.webp", "lossy.webp", "tagged-exif-c.webp", "tagged-exif.webp"])
        #expect(try ImageDecoder.decodeWithMetadata(ImageFile.readBytes(scratch.path + "/in/lossless-c.webp")).webpLossless == true)
        #expect(try ImageDecoder.decodeWithMetadata(ImageFile.readBytes(scratch.path + "/in/lossy-c.webp")).webpLossless == false)
        let tags = try ExifTool.tags(scratch.path + "/in/tagged-exif-c.webp", ["Make", "Orientation", "ImageWidth"])
        #expect(tags["Make"] == "Agfa" && tags["Orientation"] == "Horizontal (normal)" && tags["ImageWidth"] == "32", "\(tags)")
        let again = try CLIRunner.run(arguments + ["--skip-existing"])
        #expect(again.status == 0 && again.stderr.contains("3 skipped: earlier outputs of chroma"), "\(again.stderr)")
    }
}

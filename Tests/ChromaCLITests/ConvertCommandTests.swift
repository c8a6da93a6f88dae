import Testing
import Foundation
import ImageIO

@Suite("chroma convert", .serialized)
struct ConvertCommandTests {
    @Test("a file becomes its luminance, its channel strip or its gamma stack")
    func views() throws {
        let scratch = try Scratch("views")
        defer { scratch.remove() }
        try scratch.write(ImageEncoder.encodePNG(testPicture()), "in.png")
        let input = scratch.path + "/in.png"
        for (view, width) in [("gray", 40), ("lab-channels", 120), ("ycbcr-channels", 120), ("gammas", 160), ("rgb", 40)] {
            let result = try CLIRunner.run(["convert", input, "-o", scratch.path + "/\(view).png", "--to", view])
            #expect(result.status == 0, "\(view): \(result.stderr)")
            let image = try ImageFile.read(scratch.path + "/\(view).png")
            #expect(image.width == width && image.height == 24, "\(view)")
            #expect(image.layout == (view == "rgb" ? .rgb : .gray))
        }
    }

    /// Every colour's corners and a seeded spread of others, 64 × 32.
    static func colourful() -> Image<UInt8> {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var samples: [UInt8] = [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0, 0, 255, 255, 255, 0, 255]
        while samples.count < 64 * 32 * 3 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            samples.append(UInt8(truncatingIfNeeded: state >> 56))
        }
        return Image(width: 64, height: 32, layout: .rgb, samples: samples)
    }

    @Test("--to lab and --to ycbcr write files that come back with --to rgb: 16-bit Lab exactly, 8-bit YCbCr within ±1")
    func labAndYCbCrFiles() throws {
        let scratch = try Scratch("lab-files")
        defer { scratch.remove() }
        let original = Self.colourful()
        try scratch.write(ImageEncoder.encodePNG(original), "in.png")
        let input = scratch.path + "/in.png"
        func worst(_ path: String) throws -> Int {
            let back = try ImageFile.read(scratch.path + "/" + path)
            return zip(original.samples, back.samples).map { abs(Int($0) - Int($1)) }.max()!
        }
        #expect(try CLIRunner.run(["convert", input, "-o", scratch.path + "/lab.tif", "--to", "lab"]).status == 0)
        let lab = try ImageDecoder.decodeWithMetadata(try ImageFile.readBytes(scratch.path + "/lab.tif"),
                                                      options: { var o = DecodingOptions(); o.keepsColorEncoding = true; return o }())
        #expect(lab.colorEncoding == .lab && lab.pixels.bitDepth == 16)
        let back = try CLIRunner.run(["convert", scratch.path + "/lab.tif", "-o", scratch.path + "/back.png", "--to", "rgb", "--depth", "8"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(try worst("back.png") == 0)

        #expect(try CLIRunner.run(["convert", input, "-o", scratch.path + "/ycc.tif", "--to", "ycbcr"]).status == 0)
        #expect(try CLIRunner.run(["convert", scratch.path + "/ycc.tif", "-o", scratch.path + "/ycc-back.png", "--to", "rgb"]).status == 0)
        #expect(try worst("ycc-back.png") <= 1)

        // PNG cannot say what it holds: --from says it.
        #expect(try CLIRunner.run(["convert", input, "-o", scratch.path + "/lab.png", "--to", "lab"]).status == 0)
        let fromPNG = try CLIRunner.run(["convert", scratch.path + "/lab.png", "-o", scratch.path + "/png-back.png", "--from", "lab", "--to", "rgb", "--depth", "8"])
        #expect(fromPNG.status == 0, "\(fromPNG.stderr)")
        #expect(try worst("png-back.png") == 0)

        let jpeg = try CLIRunner.run(["convert", input, "-o", scratch.path + "/lab.jpg", "--to", "lab"])
        #expect(jpeg.status == 1 && jpeg.stderr.contains("write TIFF or PNG"), "\(jpeg.stderr)")
        try scratch.write(ImageEncoder.encodePNG(Image(width: 4, height: 4, layout: .gray, samples: [UInt8](repeating: 9, count: 16))), "gray.png")
        let gray = try CLIRunner.run(["convert", scratch.path + "/gray.png", "-o", scratch.path + "/g.png", "--from", "lab", "--to", "rgb"])
        #expect(gray.status == 1 && gray.stderr.contains("has 1 channel, not the 3 that L*a*b* needs"), "\(gray.stderr)")
    }

    /// Pillow (Debian's python3-pil, installed by scripts/setup), an independent
    /// TIFF reader: it reads CIELab TIFFs as its "LAB" mode (a*, b* + 128), and
    /// converts YCbCr TIFFs to RGB.
    static let pillowCheck = """
        import sys
        from PIL import Image
        def lab(r, g, b):
            def linear(c):
                c /= 255
                return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
            r, g, b = linear(r), linear(g), linear(b)
            x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
            y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
            z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
            f = lambda t: t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116
            return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))
        clip = lambda v: min(max(round(v), 0), 255)
        original = list(Image.open(sys.argv[1]).convert("RGB").getdata())
        image = Image.open(sys.argv[2])
        assert image.mode == "LAB", image.mode
        worst = 0
        for (r, g, b), stored in zip(original, image.getdata()):
            l, a, bb = lab(r, g, b)
            expected = (clip(l * 255 / 100), clip(a + 128), clip(bb + 128))
            worst = max([worst] + [abs(p - q) for p, q in zip(stored, expected)])
        ycc = Image.open(sys.argv[3])
        worst_ycc = max(abs(p - q) for o, s in zip(original, ycc.convert("RGB").getdata()) for p, q in zip(o, s))
        print(image.mode, worst, ycc.mode, worst_ycc)
        """

    @Test("an independent reader (Pillow) reads chroma's CIELab TIFF as L*a*b* and its YCbCr TIFF as the same colours")
    func pillowReadsThem() throws {
        let scratch = try Scratch("lab-pillow")
        defer { scratch.remove() }
        try scratch.write(ImageEncoder.encodePNG(Self.colourful()), "in.png")
        let input = scratch.path + "/in.png"
        #expect(try CLIRunner.run(["convert", input, "-o", scratch.path + "/lab.tif", "--to", "lab", "--depth", "8"]).status == 0)
        // LZW (the default): Pillow 9's own reader of uncompressed YCbCr expects subsampled data; through libtiff it is right.
        #expect(try CLIRunner.run(["convert", input, "-o", scratch.path + "/ycc.tif", "--to", "ycbcr"]).status == 0)
        let python = "/usr/bin/python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", Self.pillowCheck, input, scratch.path + "/lab.tif", scratch.path + "/ycc.tif"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "Pillow (python3-pil; run scripts/setup): \(problem)")
        let fields = text.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(fields.count == 4 && fields[0] == "LAB" && fields[2] == "RGB", "\(text)")
        #expect(fields.count == 4 && Int(fields[1]).map { $0 <= 1 } == true, "Lab bytes off by \(fields.count > 1 ? fields[1] : "?")")
        #expect(fields.count == 4 && Int(fields[3]).map { $0 <= 2 } == true, "YCbCr colours off by \(fields.count > 3 ? fields[3] : "?")")
    }

    @Test("standard input to standard output, in the input's format")
    func pipeline() throws {
        let jpeg = try ImageEncoder.encodeJPEG(testPicture())
        let result = try CLIRunner.run(["convert", "-", "-o", "-", "--to", "gray"], stdin: jpeg)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(ImageFormat.sniff(result.stdout) == .jpeg)
        #expect(try ImageDecoder.decode(result.stdout).layout == .gray)
        let png = try CLIRunner.run(["convert", "-", "-o", "-", "--format", "png"], stdin: jpeg)
        #expect(ImageFormat.sniff(png.stdout) == .png)
    }

    @Test("a folder converts into a folder; a bad file is named, the rest still convert, exit 1")
    func folders() throws {
        let scratch = try Scratch("folders")
        defer { scratch.remove() }
        try scratch.write(ImageEncoder.encodePNG(testPicture()), "in/a.png")
        try scratch.write(ImageEncoder.encodeJPEG(testPicture()), "in/sub/b.jpg")
        try scratch.write(Array("not an image".utf8), "in/broken.png")
        try scratch.write(Array("notes".utf8), "in/notes.txt")
        let flat = try CLIRunner.run(["convert", scratch.path + "/in", "-o", scratch.path + "/out", "--to", "gray"])
        #expect(flat.status == 1)
        #expect(flat.stderr.contains("broken.png: not an image"), "\(flat.stderr)")
        #expect(scratch.files("out") == ["a.png"])
        try scratch.write(ImageEncoder.encodeJPEG(testPicture()), "in/misnamed.png")
        _ = try CLIRunner.run(["convert", scratch.path + "/in", "-o", scratch.path + "/named", "--to", "rgb"])
        #expect(ImageFormat.sniff(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/named/misnamed.png")))) == .png,
                "an output's content matches its name")
        let deep = try CLIRunner.run(["convert", scratch.path + "/in", "-o", scratch.path + "/deep", "--recursive", "--to", "lab-channels"])
        #expect(deep.status == 1)
        #expect(scratch.files("deep") == ["a.png", "misnamed.png", "sub"])
        #expect(scratch.files("deep/sub") == ["b.png"], "channel strips default to PNG")
    }

    @Test("outputs are never overwritten unless asked, inputs never")
    func safety() throws {
        let scratch = try Scratch("safety")
        defer { scratch.remove() }
        let original = try ImageEncoder.encodePNG(testPicture())
        try scratch.write(original, "in.png")
        let input = scratch.path + "/in.png", output = scratch.path + "/out.png"
        #expect(try CLIRunner.run(["convert", input, "-o", output]).status == 0)
        let again = try CLIRunner.run(["convert", input, "-o", output])
        #expect(again.status == 1 && again.stderr.contains("already exists"))
        #expect(try CLIRunner.run(["convert", input, "-o", output, "--overwrite"]).status == 0)
        let onto = try CLIRunner.run(["convert", input, "-o", input, "--overwrite"])
        #expect(onto.status == 1 && onto.stderr.contains("in.png"))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: input))) == original)
        #expect(scratch.files() == ["in.png", "out.png"], "no temporary files left")
    }

    @Test("a missing or unreadable input gets one line naming it")
    func missing() throws {
        let result = try CLIRunner.run(["convert", "/nonexistent/photo.jpg", "-o", "/tmp/x.png"])
        #expect(result.status == 1)
        #expect(result.stderr == "chroma: /nonexistent/photo.jpg: No such file or directory\n")
    }

    @Test("bad arguments are usage errors")
    func usage() throws {
        #expect(try CLIRunner.run(["convert", "a.png", "-o", "b.png", "--to", "hsv"]).status == 64)
        let noOutput = try CLIRunner.run(["convert", "a.png", "--to", "gray"])
        #expect(noOutput.status == 64 && noOutput.stderr.contains("give the output with -o"), "\(noOutput.stderr)")
        #expect(try CLIRunner.run(["convert", "a.png", "-o", "b.png", "--quality", "0"]).status == 64)
        #expect(try CLIRunner.run(["convert", "a.png", "-o", "b.png", "--gammas", "1,-2"]).status == 64)
        for command in [[], ["convert"], ["model"]] {
            let help = try CLIRunner.run(command + ["--help"])
            #expect(help.status == 0 && !help.stdout.isEmpty, "\(command) --help")
        }
    }
}

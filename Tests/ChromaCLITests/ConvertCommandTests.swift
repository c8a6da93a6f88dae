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
        for (view, width) in [("gray", 40), ("lab", 120), ("ycbcr", 120), ("gammas", 160), ("rgb", 40)] {
            let result = try CLIRunner.run(["convert", input, scratch.path + "/\(view).png", "--to", view])
            #expect(result.status == 0, "\(view): \(result.stderr)")
            let image = try ImageFile.read(scratch.path + "/\(view).png")
            #expect(image.width == width && image.height == 24, "\(view)")
            #expect(image.layout == (view == "rgb" ? .rgb : .gray))
        }
    }

    @Test("standard input to standard output, in the input's format")
    func pipeline() throws {
        let jpeg = try ImageEncoder.encodeJPEG(testPicture())
        let result = try CLIRunner.run(["convert", "-", "-", "--to", "gray"], stdin: jpeg)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(ImageFormat.sniff(result.stdout) == .jpeg)
        #expect(try ImageDecoder.decode(result.stdout).layout == .gray)
        let png = try CLIRunner.run(["convert", "-", "-", "--format", "png"], stdin: jpeg)
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
        let flat = try CLIRunner.run(["convert", scratch.path + "/in", scratch.path + "/out", "--to", "gray"])
        #expect(flat.status == 1)
        #expect(flat.stderr.contains("broken.png: not an image"), "\(flat.stderr)")
        #expect(scratch.files("out") == ["a.png"])
        try scratch.write(ImageEncoder.encodeJPEG(testPicture()), "in/misnamed.png")
        _ = try CLIRunner.run(["convert", scratch.path + "/in", scratch.path + "/named", "--to", "rgb"])
        #expect(ImageFormat.sniff(Array(try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/named/misnamed.png")))) == .png,
                "an output's content matches its name")
        let deep = try CLIRunner.run(["convert", scratch.path + "/in", scratch.path + "/deep", "--recursive", "--to", "lab"])
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
        #expect(try CLIRunner.run(["convert", input, output]).status == 0)
        let again = try CLIRunner.run(["convert", input, output])
        #expect(again.status == 1 && again.stderr.contains("already exists"))
        #expect(try CLIRunner.run(["convert", input, output, "--overwrite"]).status == 0)
        let onto = try CLIRunner.run(["convert", input, input, "--overwrite"])
        #expect(onto.status == 1 && onto.stderr.contains("in.png"))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: input))) == original)
        #expect(scratch.files() == ["in.png", "out.png"], "no temporary files left")
    }

    @Test("a missing or unreadable input gets one line naming it")
    func missing() throws {
        let result = try CLIRunner.run(["convert", "/nonexistent/photo.jpg", "/tmp/x.png"])
        #expect(result.status == 1)
        #expect(result.stderr == "chroma: /nonexistent/photo.jpg: No such file or directory\n")
    }

    @Test("bad arguments are usage errors")
    func usage() throws {
        #expect(try CLIRunner.run(["convert", "a.png", "b.png", "--to", "hsv"]).status == 64)
        #expect(try CLIRunner.run(["convert", "a.png", "b.png", "--quality", "0"]).status == 64)
        #expect(try CLIRunner.run(["convert", "a.png", "b.png", "--gammas", "1,-2"]).status == 64)
        for command in [[], ["convert"], ["model"]] {
            let help = try CLIRunner.run(command + ["--help"])
            #expect(help.status == 0 && !help.stdout.isEmpty, "\(command) --help")
        }
    }
}

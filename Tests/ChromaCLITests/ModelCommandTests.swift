import Foundation
import Testing

@Suite("chroma model summary")
struct ModelCommandTests {
    @Test("a spec prints a Keras-style table with total and latent size")
    func summary() throws {
        let result = try CLIRunner.run(["model", "summary", "c8 p c12 p c16 u c12 u c2", "--input", "1x32x32"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text.contains("Total params: 4,658"))
        #expect(text.contains("Latent size: 1,024 (16×8×8)"))
        #expect(text.contains("conv 3×3, relu        8×32×32       80"))
        let wide = try CLIRunner.run(["model", "summary", "c12 p c24 p c48 u c12 c6 u c3", "--input", "3x32x32"])
        #expect(String(decoding: wide.stdout, as: UTF8.self).contains("Total params: 19,383"))
    }

    @Test("a bad spec is a usage error pointing at the token")
    func badSpec() throws {
        let result = try CLIRunner.run(["model", "summary", "c8 p c1x2 u"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("'c1x2' at column 6"))
        #expect(result.stderr.contains("       ^^^^"))
    }

    @Test("a damaged model file is refused with its name")
    func badFile() throws {
        let scratch = try Scratch("model")
        defer { scratch.remove() }
        try scratch.write(Array("CHROMANN but then nothing sensible at all, not even a checksum".utf8), "bad.chroma")
        let result = try CLIRunner.run(["model", "summary", scratch.path + "/bad.chroma"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.chroma: model file is damaged"), "\(result.stderr)")
    }

    @Test("a missing model file is named as missing, not read as a bad spec")
    func missingFile() throws {
        for path in ["gone.chroma", "/tmp/nowhere-\(getpid())/model.chroma"] {
            let result = try CLIRunner.run(["model", "summary", path])
            #expect(result.status == 1)
            #expect(result.stderr == "chroma: \(path): no such file\n", "\(result.stderr)")
        }
    }

    @Test("lab and ycbcr describe the bundled models, long lists summarised", arguments: ["lab", "ycbcr"])
    func bundled(space: String) throws {
        let result = try CLIRunner.run(["model", "summary", space])
        #expect(result.status == 0, "\(result.stderr)")
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text.contains("Model: built-in \(space) model") && text.contains("space: \(space)") && text.contains("Total params"))
        #expect(!text.split(separator: "\n").contains { $0.count > 400 }, "no line dumps a long list")
    }
}

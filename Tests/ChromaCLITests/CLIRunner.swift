import Foundation
import ImageIO

/// Runs the built `chroma` executable, which sits beside the test bundle.
struct CLIRunner {
    static let executable: URL = {
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("chroma").path) {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("chroma")
    }()

    struct Result {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
    }

    /// Runs `program` (the built chroma unless told), with `environment` added to this process's.
    static func run(_ arguments: [String], stdin: [UInt8] = [], in directory: String? = nil,
                    program: URL = executable, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        input.fileHandleForWriting.write(Data(stdin))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: Array(out), stderr: String(decoding: err, as: UTF8.self))
    }
}

/// A fresh folder under /tmp, removed by `remove()`.
struct Scratch {
    let path: String

    init(_ name: String) throws {
        path = "/tmp/chroma-test-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func write(_ bytes: [UInt8], _ name: String) throws {
        let url = URL(fileURLWithPath: path + "/" + name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func files(_ folder: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + folder)) ?? []).sorted()
    }
}

/// A small colourful test picture.
func testPicture(width: Int = 40, height: Int = 24) -> Image<UInt8> {
    var samples: [UInt8] = []
    for y in 0..<height {
        for x in 0..<width { samples += [UInt8(x * 255 / width), UInt8(y * 255 / height), 128] }
    }
    return Image(width: width, height: height, layout: .rgb, samples: samples)
}

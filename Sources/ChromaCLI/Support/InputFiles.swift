import Foundation
import ImageIO

/// One input to process and where its output goes.
struct Job {
    let input: String
    let output: String
}

/// A file in an input folder that a scan passed by, and why.
enum PassedBy: Hashable, CustomStringConvertible {
    /// Its name is not that of an image format.
    case notAnImage
    /// An image format chroma does not read (GIF, BMP, …).
    case unsupported(String)
    /// A FIFO, socket or device: reading it could block forever.
    case special(String)
    /// An earlier output of chroma (it carries chroma's marker): colorizing it again would colour twice.
    case earlierOutput

    var description: String {
        switch self {
        case .notAnImage: "not an image"
        case .unsupported(let format): "\(format) is not supported"
        case .special(let kind): "\(kind), not a regular file"
        case .earlierOutput: "an earlier output of chroma"
        }
    }

    /// How a count of these reads in a summary: "3 skipped: not images".
    func counted(_ count: Int) -> String {
        switch self {
        case .notAnImage: "\(count) skipped: " + (count == 1 ? "not an image" : "not images")
        case .unsupported(let format): "\(count) skipped: \(format) is not supported"
        case .special: "\(count) skipped: not regular files"
        case .earlierOutput: "\(count) skipped: earlier outputs of chroma"
        }
    }
}

extension InputScan {
    /// The images in `folder` that a command scores photos on (`evaluate --photos`,
    /// `model calibrate --photos`), or a failure naming the folder: missing, not a
    /// folder, or holding no image.
    static func photos(in folder: String, recursive: Bool) throws -> [String] {
        guard ImageFile.isDirectory(folder) else {
            throw CommandFailure(subject: folder, reason: ImageFile.exists(folder) ? "is not a folder" : "no such folder")
        }
        let files = try reporting(folder) { try InputScan([folder], recursive: recursive).images.map(\.path) }
        guard !files.isEmpty else { throw CommandFailure(subject: folder, reason: "no PNG, JPEG, TIFF or WebP photos here") }
        return files
    }
}

/// The command line's inputs, expanded: the images to process, what was
/// passed by, and every input file's identity, so that no output ever lands on one.
struct InputScan {
    /// Images to process: the path to read, and the name to give its output
    /// (relative to the folder it was found in, or the file's own name).
    private(set) var images: [(path: String, relative: String)] = []
    /// Files in input folders that are not processed, with the reason.
    private(set) var passedBy: [(path: String, reason: PassedBy)] = []
    private var identities = Set<FileIdentity>()
    private var paths = Set<String>()

    /// Scans `inputs` (files, folders, or `-`); folders are searched for image
    /// names, recursively with `recursive`. Hidden files and folders are passed over.
    /// - Parameter skipsEarlierOutputs: pass by images that carry chroma's marker (colorize's own outputs).
    init(_ inputs: [String], recursive: Bool, skipsEarlierOutputs: Bool = false) throws {
        for input in inputs where input != ImageFile.standardStream {
            if ImageFile.isDirectory(input) {
                try scan(folder: input, prefix: "", recursive: recursive, skipsEarlierOutputs: skipsEarlierOutputs)
            } else {
                protect(input)
                images.append((input, Paths.lastComponent(input)))
            }
        }
        images.sort { $0.path < $1.path }
        passedBy.sort { $0.path < $1.path }
    }

    private mutating func scan(folder: String, prefix: String, recursive: Bool, skipsEarlierOutputs: Bool) throws {
        let root = prefix.isEmpty ? folder : Paths.join(folder, prefix)
        for (name, kind) in try ImageFile.listDirectory(root) where !name.hasPrefix(".") {
            let path = Paths.join(root, name), relative = prefix.isEmpty ? name : prefix + "/" + name
            switch kind {
            case .directory?:
                if recursive { try scan(folder: folder, prefix: relative, recursive: true, skipsEarlierOutputs: skipsEarlierOutputs) }
            case .special(let what)?:
                protect(path)
                passedBy.append((path, .special(what)))
            case .regular?, .none:
                let ext = Paths.pathExtension(name).lowercased()
                if ImageFormat(pathExtension: ext) != nil {
                    if skipsEarlierOutputs && ImageFile.isColorizedByChroma(path) {
                        passedBy.append((path, .earlierOutput))  // not protected: --overwrite may replace it
                    } else {
                        protect(path)
                        images.append((path, relative))
                    }
                } else {
                    protect(path)
                    passedBy.append((path, ImageFormat.unsupportedName(pathExtension: ext).map(PassedBy.unsupported) ?? .notAnImage))
                }
            }
        }
    }

    private mutating func protect(_ path: String) {
        paths.insert(Paths.normalized(path))
        if let identity = ImageFile.identity(of: path) { identities.insert(identity) }
    }

    /// Whether `path` names one of the inputs (the same file by device and inode,
    /// so hard links and symbolic links count, or the same path).
    func isInput(_ path: String) -> Bool {
        if paths.contains(Paths.normalized(path)) { return true }
        guard let identity = ImageFile.identity(of: path) else { return false }
        return identities.contains(identity)
    }

    /// "3 skipped: not images, 1 skipped: GIF is not supported", or nil when nothing was passed by.
    var passedBySummary: String? {
        guard !passedBy.isEmpty else { return nil }
        var counts: [PassedBy: Int] = [:]
        var order: [PassedBy] = []
        for (_, reason) in passedBy {
            if counts[reason] == nil { order.append(reason) }
            counts[reason, default: 0] += 1
        }
        return order.map { $0.counted(counts[$0]!) }.joined(separator: ", ")
    }
}

enum InputFiles {
    /// `path` with its extension replaced by that of `format`, and `suffix` added to its name.
    static func renamed(_ path: String, format: ImageFormat, suffix: String = "") -> String {
        Paths.deletingExtension(path) + suffix + "." + format.fileExtension
    }

    /// The reason an output at `path` is refused because it is an input.
    static let isAnInput = "is one of the inputs, and chroma never writes over an input; choose another output folder or a --suffix"
}

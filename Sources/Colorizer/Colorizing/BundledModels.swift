import ColorSpace
import Foundation

/// The two trained colorizers shipped with chroma (one per colour space),
/// installed by `scripts/train-models` as the package's resources.
public enum BundledModels {
    /// The resource bundle SwiftPM builds beside the executable (and the test runner).
    static let bundleName = "chroma_Colorizer.resources"

    /// The folders searched, in order: `$CHROMA_MODELS`, then the resource
    /// bundle next to the running executable (symbolic links resolved).
    public static var searchPath: [String] {
        var folders: [String] = []
        if let override = ProcessInfo.processInfo.environment["CHROMA_MODELS"], !override.isEmpty { folders.append(override) }
        var executables = [Bundle.main.bundlePath]
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            executables.append((resolved as NSString).deletingLastPathComponent)
        }
        for folder in executables {
            folders.append(folder + "/" + bundleName + "/Models")
            folders.append(folder + "/" + bundleName)
        }
        return folders
    }

    /// The path of the bundled model for `space`.
    public static func path(for space: ChromaSpace) throws -> String {
        let name = space.rawValue + ".chroma"
        for folder in searchPath where FileManager.default.fileExists(atPath: folder + "/" + name) {
            return folder + "/" + name
        }
        throw ColorizerError.mismatch("the bundled \(space.rawValue) model (\(name)) is not installed next to the program "
                                      + "(looked in \(searchPath.joined(separator: ", "))); give one with --model FILE")
    }
}

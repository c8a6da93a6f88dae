import ArgumentParser
import Batching
import Foundation
import ImageIO

/// Options every image-writing command shares.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format (png, jpeg, tiff or webp); default: from the output name, else the input's.")
    var format: ImageFormat?

    @Option(help: "JPEG and lossy WebP quality, 1…100 (default 92). JPEG to JPEG with a YCbCr model keeps the input's own luminance unless this or --subsampling is given.")
    var quality: Int?

    @Option(help: "JPEG chroma subsampling: 444, 422 or 420 (default 420).")
    var subsampling: ChromaSubsampling?

    @Option(name: .customLong("compression"), help: "PNG compression level, 0 (fastest) … 9 (smallest).")
    var compressionLevel: Int = 6

    @Option(name: .customLong("tiff-compression"), help: "TIFF compression: none, lzw, deflate or packbits (default: the input TIFF's, else lzw).")
    var tiffCompression: TIFFCompression?

    @Flag(help: "Write WebP lossless (default: lossless when the input is a lossless WebP, else lossy at --quality).")
    var lossless = false

    @Flag(help: "Replace existing output files (inputs are never replaced).")
    var overwrite = false

    @Flag(help: "Write no metadata: drop EXIF, ICC profile, XMP, IPTC, comments, text and density.")
    var strip = false

    @OptionGroup var limits: DecodingLimitOptions  // untitled: listed after the ordinary options

    func validate() throws {
        if let quality, !(1...100).contains(quality) { throw ValidationError("--quality must be 1…100, not \(quality)") }
        guard (0...9).contains(compressionLevel) else { throw ValidationError("--compression must be 0…9, not \(compressionLevel)") }
    }

    var encoding: EncodingOptions { encoding(like: nil) }

    /// The encoding options, with what the command line leaves open taken from the input
    /// (a TIFF's compression, a WebP's losslessness).
    func encoding(like input: DecodedImage?) -> EncodingOptions {
        var options = EncodingOptions()
        options.jpegQuality = quality ?? options.jpegQuality
        options.jpegSubsampling = subsampling ?? options.jpegSubsampling
        options.keepsJPEGLuminance = quality == nil && subsampling == nil
        options.pngCompressionLevel = compressionLevel
        options.tiffCompression = tiffCompression ?? input?.tiffCompression ?? .lzw
        options.webpLossless = lossless || input?.webpLossless == true
        return options
    }

    var decoding: DecodingOptions { limits.decoding }
}

/// The resource bounds on every image chroma reads (see `DecodingOptions`);
/// the defaults protect a desktop, and each refusal names the option that raises it.
struct DecodingLimitOptions: ParsableArguments {
    @Option(name: .customLong("max-megapixels"), help: "Refuse images of more pixels than this, checked from the header.")
    var maxMegapixels: Double = Double(DecodingOptions().maxPixels) / 1_000_000

    @Option(name: .customLong("max-file-mb"), help: "Refuse input files larger than this many MiB.")
    var maxFileMiB: Double = Double(DecodingOptions().maxFileBytes) / Double(1 << 20)

    @Option(name: .customLong("max-jpeg-scans"), help: "Refuse progressive JPEGs with more scans than this.")
    var maxJPEGScans: Int = DecodingOptions().maxJPEGScans

    @Option(name: .customLong("max-png-chunk-mb"), help: "Skip PNG text, ICC and other ancillary chunks larger than this many MiB.")
    var maxPNGChunkMiB: Double = Double(DecodingOptions().maxPNGChunkBytes) / Double(1 << 20)

    @Option(name: .customLong("max-metadata-mb"), help: "Refuse files carrying more than this many MiB of metadata (EXIF, ICC, XMP, text).")
    var maxMetadataMiB: Double = Double(DecodingOptions().maxMetadataBytes) / Double(1 << 20)

    @Option(name: .customLong("max-png-excess-kb"), help: "Refuse PNGs with more than this many KiB of image data past the last row.")
    var maxPNGExcessKiB: Double = Double(DecodingOptions().maxPNGExcessBytes) / 1024

    func validate() throws {
        for (value, name) in [(maxMegapixels, "--max-megapixels"), (maxFileMiB, "--max-file-mb"),
                              (maxPNGChunkMiB, "--max-png-chunk-mb"), (Double(maxJPEGScans), "--max-jpeg-scans"),
                              (maxMetadataMiB, "--max-metadata-mb")]
        where !(value > 0 && value < 1e12) {
            throw ValidationError("\(name) must be positive")
        }
        guard maxPNGExcessKiB >= 0 && maxPNGExcessKiB < 1e12 else { throw ValidationError("--max-png-excess-kb must be 0 or more") }
    }

    var decoding: DecodingOptions {
        var options = DecodingOptions()
        options.maxPixels = Int(maxMegapixels * 1_000_000)
        options.maxFileBytes = Int(maxFileMiB * Double(1 << 20))
        options.maxJPEGScans = maxJPEGScans
        options.maxPNGChunkBytes = Int(maxPNGChunkMiB * Double(1 << 20))
        options.maxPNGExcessBytes = Int(maxPNGExcessKiB * 1024)
        options.maxMetadataBytes = Int(maxMetadataMiB * Double(1 << 20))
        return options
    }
}

extension ImageFormat: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "png": self = .png
        case "jpeg", "jpg": self = .jpeg
        case "tiff", "tif": self = .tiff
        case "webp": self = .webp
        default: return nil
        }
    }
}

extension TIFFCompression: ExpressibleByArgument {}

extension ChromaSubsampling: ExpressibleByArgument {}

/// How a colorizer's prediction becomes chroma, for the commands that colorize
/// with one model (colorize, evaluate); each defaults to the model's calibrated value.
struct PredictionOptions: ParsableArguments {
    @Option(help: "Scale the predicted chroma, 0…4: 0 gray, 1 as predicted (default: the model's calibrated value, else 1).")
    var saturation: Float?

    @Option(help: "For a model trained with --loss bins:N: the annealed mean's temperature, 0…1; lower is bolder (default: the model's calibrated one, else 1).")
    var temperature: Float?

    @Option(name: .customLong("prior-weight"), help: "For a calibrated bins model: the power α of the bins' prior the prediction is divided by, 0…1; higher is more colourful (default: the model's).")
    var priorWeight: Float?

    @Flag(name: .customLong("single-grid"), help: "Predict on the --tiles grid alone, not also on one twice as fine averaged with it (faster, a little less accurate).")
    var singleGrid = false

    func validate() throws {
        if let saturation, !(0...4).contains(saturation) { throw ValidationError("--saturation must be 0…4") }
        if let temperature, !(temperature > 0 && temperature <= 1) { throw ValidationError("--temperature must be in (0, 1]") }
        if let priorWeight, !(0...1).contains(priorWeight) { throw ValidationError("--prior-weight must be in 0…1") }
    }
}

/// Dividing a batch across machines or processes (colorize and convert).
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Process only the K-th of N deterministic slices of the sorted inputs (K = 1…N), or auto: K and N from the scheduler.",
        discussion: "auto reads Slurm job arrays (SLURM_ARRAY_TASK_ID, _MIN, _COUNT or _MAX, _STEP), Kubernetes indexed jobs (JOB_COMPLETION_INDEX) or GNU parallel (PARALLEL_SEQ).",
        valueName: "K/N|auto"))
    var shard: ShardChoice?

    @Option(name: .customLong("shard-count"), help: "With --shard auto under Kubernetes or GNU parallel: the number of tasks (or set CHROMA_SHARD_COUNT).")
    var shardCount: Int?

    @Option(help: "Write this shard's manifest here (default with --shard: OUTPUT/.chroma-shards/shard-K-of-N.json).")
    var manifest: String?

    enum ShardChoice: ExpressibleByArgument {
        case fixed(Shard)
        case auto

        init?(argument: String) {
            if argument == "auto" { self = .auto } else if let shard = try? Shard(parsing: argument) { self = .fixed(shard) } else { return nil }
        }
    }

    func validate() throws {
        if let shardCount, shardCount < 1 { throw ValidationError("--shard-count must be at least 1") }
        if manifest == "" { throw ValidationError("--manifest needs a file name") }
        _ = try resolved()
    }

    /// The shard this process owns: nil without --shard (and without --manifest, which means all of it: 1/1).
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
        do {
            switch shard {
            case .fixed(let shard)?: return shard
            case .auto?: return try Shard.fromEnvironment(environment, count: shardCount)
            case nil: return manifest == nil ? nil : try Shard(index: 1, count: 1)
            }
        } catch let error as ShardError {
            throw ValidationError("\(error)")
        }
    }

    /// This process's part of `jobs` (all of them without --shard), and, with --shard, the
    /// recorder of their outcomes and where its manifest goes: --manifest, else the output
    /// folder's `.chroma-shards/`, else nowhere.
    func slice(_ jobs: [Job], command: String, outputFolder: String?) throws
        -> (jobs: [Job], recorder: ShardManifest.Recorder?, manifestPath: String?) {
        guard let shard = try resolved() else { return (jobs, nil, nil) }
        let owned = shard.slice(jobs)
        let recorder = ShardManifest.Recorder(command: command, shard: shard, batchInputs: jobs.map(\.input), owned: owned.map(\.input))
        return (owned, recorder, manifest ?? outputFolder.map { Paths.join($0, ShardManifest.defaultName(for: shard)) })
    }

    /// Writes the recorder's manifest atomically, creating its folder.
    static func write(_ recorder: ShardManifest.Recorder, to path: String) throws {
        let folder = Paths.parent(path)
        if !folder.isEmpty { try ImageFile.makeDirectories(folder) }
        try ImageFile.write(try recorder.manifest().encoded(), to: path, overwrite: true)
    }
}

import ImageIO

/// libFuzzer entry point: WebP decoding (lossy, lossless, alpha, EXIF orientation)
/// with its container's metadata, then that metadata written into a new WebP.
/// The bounds are smaller than the defaults so that each input decodes quickly;
/// the code paths that enforce them are the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebP(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard ImageFormat.sniff(bytes) == .webp else { return 0 }
    var options = DecodingOptions()
    options.maxPixels = 1 << 18
    options.maxMetadataBytes = 1 << 20
    _ = try? ImageMetadata.read(from: bytes, maxTotalBytes: options.maxMetadataBytes)
    guard let decoded = try? ImageDecoder.decodeWithMetadata(bytes, options: options) else { return 0 }
    _ = try? ImageEncoder.encode(.eightBit(Image(width: 2, height: 2, layout: .rgb)), as: .webp, metadata: decoded.metadata)
    return 0
}

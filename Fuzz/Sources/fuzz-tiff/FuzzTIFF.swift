import ImageIO

/// libFuzzer entry point: TIFF decoding (every layout libtiff reads, strips and tiles,
/// orientation) with its metadata, then that metadata written into a new TIFF.
/// The bounds are smaller than the defaults so that each input decodes quickly;
/// the code paths that enforce them are the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTIFF(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard ImageFormat.sniff(bytes) == .tiff else { return 0 }
    var options = DecodingOptions()
    options.maxPixels = 1 << 18
    options.maxMetadataBytes = 1 << 20
    _ = try? ImageMetadata.read(from: bytes, maxTotalBytes: options.maxMetadataBytes)
    guard let decoded = try? ImageDecoder.decodeWithMetadata(bytes, options: options) else { return 0 }
    _ = try? ImageEncoder.encode(.eightBit(Image(width: 2, height: 2, layout: .rgb)), as: .tiff, metadata: decoded.metadata)
    return 0
}

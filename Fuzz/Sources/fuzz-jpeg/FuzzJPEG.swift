import ImageIO

/// libFuzzer entry point: JPEG decoding (baseline, progressive, CMYK, YCCK), with EXIF orientation,
/// and the coefficient path (luminance means, new chroma written beside the file's luminance).
/// The bounds are smaller than the defaults so that each input decodes quickly;
/// the code paths that enforce them are the same. `Image`'s initialiser checks
/// that the samples fill the size the decoder reports.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var options = DecodingOptions()
    options.maxPixels = 1 << 18
    guard ImageFormat.sniff(bytes) == .jpeg else { return 0 }
    _ = try? ImageDecoder.decode(bytes, options: options)
    if let coefficients = try? JPEGCoefficients(bytes, options: options) {
        let grid = (width: min(coefficients.width, 7), height: min(coefficients.height, 5))
        _ = try? coefficients.luminanceMeans(width: grid.width, height: grid.height)
        let plane = [Float](repeating: 100, count: grid.width * grid.height)
        _ = try? coefficients.encode(cb: plane, cr: plane, gridWidth: grid.width, gridHeight: grid.height)
    }
    // The metadata too, and written back into a new file of the format.
    options.maxMetadataBytes = 1 << 20
    if let decoded = try? ImageDecoder.decodeWithMetadata(bytes, options: options) {
        _ = try? ImageEncoder.encode(.eightBit(Image(width: 2, height: 2, layout: .rgb)), as: .jpeg, metadata: decoded.metadata)
    }
    return 0
}

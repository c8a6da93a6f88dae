import CWebP

/// WebP through libwebp: lossy (VP8, with or without an alpha plane) and
/// lossless (VP8L) still images. Animated files are refused. The container's
/// metadata chunks are `WebPMetadata`'s.
enum WebPCodec {
    /// What a WebP file's headers say, read without decoding.
    struct Features {
        let width: Int
        let height: Int
        let hasAlpha: Bool
        let isLossless: Bool
    }

    static func features(_ bytes: [UInt8]) throws -> Features {
        var features = WebPBitstreamFeatures()
        let status = bytes.withUnsafeBufferPointer { WebPGetFeatures($0.baseAddress, $0.count, &features) }
        guard status == VP8_STATUS_OK else { throw error(status, "reading the WebP header") }
        if features.has_animation != 0 { throw ImageIOError.unsupported("animated WebP (chroma reads still images)") }
        return Features(width: Int(features.width), height: Int(features.height), hasAlpha: features.has_alpha != 0,
                        isLossless: features.format == 2)
    }

    /// Decodes to 8-bit RGB, or RGBA when the file has alpha, as stored (EXIF orientation not applied).
    static func decode(_ bytes: [UInt8], options: DecodingOptions) throws -> Image<UInt8> {
        let features = try features(bytes)
        try ImageDecoder.checkSize(width: features.width, height: features.height, options: options)
        let layout: PixelLayout = features.hasAlpha ? .rgba : .rgb
        let stride = features.width * layout.channels, count = stride * features.height
        var decoded = false
        let samples = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = bytes.withUnsafeBufferPointer { data in
                features.hasAlpha
                    ? WebPDecodeRGBAInto(data.baseAddress, data.count, buffer.baseAddress, count, Int32(stride))
                    : WebPDecodeRGBInto(data.baseAddress, data.count, buffer.baseAddress, count, Int32(stride))
            }
            decoded = out != nil
            initialized = decoded ? count : 0
        }
        guard decoded else {
            // The simple API says only that it failed; the incremental one says why.
            var config = WebPDecoderConfig()
            _ = WebPInitDecoderConfig(&config)
            let status = bytes.withUnsafeBufferPointer { WebPDecode($0.baseAddress, $0.count, &config) }
            WebPFreeDecBuffer(&config.output)
            throw error(status == VP8_STATUS_OK ? VP8_STATUS_BITSTREAM_ERROR : status, "decoding")
        }
        return Image(width: features.width, height: features.height, layout: layout, samples: samples)
    }

    /// Encodes lossy at `quality` (1…100) or lossless; gray is written as RGB
    /// (WebP has no gray), alpha is kept.
    static func encode(_ image: Image<UInt8>, quality: Int, lossless: Bool) throws -> [UInt8] {
        guard image.width > 0, image.height > 0 else { throw ImageIOError.cannotEncode("an empty image") }
        guard image.width <= 16383, image.height <= 16383 else {
            throw ImageIOError.cannotEncode("WebP holds at most 16383 pixels a side; this image is \(image.width)×\(image.height)")
        }
        let hasAlpha = image.layout.hasAlpha
        let rgb: Image<UInt8> = image.layout.hasColor ? image : Image(
            width: image.width, height: image.height, layout: hasAlpha ? .rgba : .rgb,
            samples: stride(from: 0, to: image.samples.count, by: image.channels).flatMap { at -> [UInt8] in
                let v = image.samples[at]
                return hasAlpha ? [v, v, v, image.samples[at + 1]] : [v, v, v]
            })
        var output: UnsafeMutablePointer<UInt8>?
        let stride = Int32(rgb.width * rgb.channels), width = Int32(rgb.width), height = Int32(rgb.height)
        let size = rgb.samples.withUnsafeBufferPointer { pixels -> Int in
            switch (lossless, hasAlpha) {
            case (true, true): WebPEncodeLosslessRGBA(pixels.baseAddress, width, height, stride, &output)
            case (true, false): WebPEncodeLosslessRGB(pixels.baseAddress, width, height, stride, &output)
            case (false, true): WebPEncodeRGBA(pixels.baseAddress, width, height, stride, Float(quality), &output)
            case (false, false): WebPEncodeRGB(pixels.baseAddress, width, height, stride, Float(quality), &output)
            }
        }
        defer { WebPFree(output) }
        guard size > 0, let output else { throw ImageIOError.cannotEncode("libwebp could not encode the image") }
        return Array(UnsafeBufferPointer(start: output, count: size))
    }

    private static func error(_ status: VP8StatusCode, _ doing: String) -> ImageIOError {
        switch status {
        case VP8_STATUS_NOT_ENOUGH_DATA: .truncated("the WebP data ends early (\(doing))")
        case VP8_STATUS_UNSUPPORTED_FEATURE: .unsupported("a WebP feature libwebp does not decode")
        case VP8_STATUS_OUT_OF_MEMORY: .outOfMemory
        case VP8_STATUS_BITSTREAM_ERROR, VP8_STATUS_INVALID_PARAM: .corruptData("damaged WebP data (\(doing))")
        default: .corruptData("libwebp status \(status.rawValue) (\(doing))")
        }
    }
}

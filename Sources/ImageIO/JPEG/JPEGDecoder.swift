/// JPEG through libjpeg-turbo: baseline, progressive, arithmetic; gray, YCbCr,
/// RGB, CMYK and YCCK (the last two converted to RGB).
enum JPEGDecoder {
    static func decode(_ bytes: [UInt8], options: DecodingOptions) throws -> Image<UInt8> {
        let reader = try JPEGRowReader(bytes, options: options)
        let count = reader.width * reader.height * reader.layout.channels
        let samples = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            _ = try reader.read(rows: reader.height, into: buffer.baseAddress!)
            initialized = count
        }
        return Image(width: reader.width, height: reader.height, layout: reader.layout, samples: samples).oriented(reader.orientation)
    }
}

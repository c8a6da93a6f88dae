import CShims

/// JPEG through libjpeg-turbo: baseline, progressive, arithmetic; gray, YCbCr,
/// RGB, CMYK and YCCK (the last two converted to RGB).
enum JPEGDecoder {
    static func decode(_ bytes: [UInt8], options: DecodingOptions) throws -> Image<UInt8> {
        try bytes.withUnsafeBufferPointer { data in
            guard let reader = chroma_jpeg_reader_create(data.baseAddress, data.count, Int32(clamping: options.maxJPEGScans)) else {
                throw ImageIOError.outOfMemory
            }
            defer { chroma_jpeg_reader_destroy(reader) }
            func failure(_ status: chroma_status) -> ImageIOError {
                ImageIOError(status: status, limit: chroma_jpeg_reader_limit(reader),
                             message: String(cString: chroma_jpeg_reader_message(reader)))
            }

            var header = chroma_jpeg_header()
            let status = chroma_jpeg_read_header(reader, &header)
            guard status == CHROMA_OK else { throw failure(status) }
            let width = Int(header.width), height = Int(header.height)
            try ImageDecoder.checkSize(width: width, height: height, options: options)
            let luminanceOnly = options.jpegLuminanceOnly && chroma_jpeg_reader_luminance_only(reader) == 1
            let layout: PixelLayout = header.channels == 1 || luminanceOnly ? .gray : .rgb
            let orientation = options.appliesOrientation && header.exif != nil
                ? ExifOrientation(exif: UnsafeBufferPointer(start: header.exif, count: Int(header.exif_size)))
                : .up

            let count = width * height * layout.channels
            var readStatus = CHROMA_OK
            let samples = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                readStatus = chroma_jpeg_read_pixels(reader, buffer.baseAddress, width * layout.channels)
                initialized = readStatus == CHROMA_OK ? count : 0
            }
            guard readStatus == CHROMA_OK else { throw failure(readStatus) }
            return Image(width: width, height: height, layout: layout, samples: samples).oriented(orientation)
        }
    }
}

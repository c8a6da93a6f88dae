import CShims

/// PNG through libpng: every colour type and bit depth, Adam7, tRNS turned into alpha.
enum PNGDecoder {
    /// The bit depth IHDR declares (1, 2, 4, 8 or 16), or nil for data too short to say.
    static func storedBitDepth(_ bytes: [UInt8]) -> Int? {
        bytes.count > 24 ? Int(bytes[24]) : nil
    }

    static func decode<Sample: ImageSample>(
        _ bytes: [UInt8], options: DecodingOptions, as: Sample.Type
    ) throws -> Image<Sample> {
        let wants16 = Sample.bitWidth == 16
        return try bytes.withUnsafeBufferPointer { data in
            guard let reader = chroma_png_reader_create(data.baseAddress, data.count, options.maxPNGChunkBytes,
                                                          options.maxPNGExcessBytes) else {
                throw ImageIOError.outOfMemory
            }
            defer { chroma_png_reader_destroy(reader) }
            func failure(_ status: chroma_status) -> ImageIOError {
                ImageIOError(status: status, limit: chroma_png_reader_limit(reader),
                             message: String(cString: chroma_png_reader_message(reader)))
            }

            var header = chroma_png_header()
            let status = chroma_png_read_header(reader, wants16 ? 1 : 0, &header)
            guard status == CHROMA_OK else { throw failure(status) }
            let width = Int(header.width), height = Int(header.height)
            try ImageDecoder.checkSize(width: width, height: height, options: options)
            guard let layout = PixelLayout(channels: Int(header.channels)) else {
                throw ImageIOError.unsupported("\(header.channels) channels")
            }
            let orientation = options.appliesOrientation && header.exif != nil
                ? ExifOrientation(exif: UnsafeBufferPointer(start: header.exif, count: Int(header.exif_size)))
                : .up

            let count = width * height * layout.channels
            let image: Image<Sample>
            if Int(header.bit_depth) == Sample.bitWidth {
                var readStatus = CHROMA_OK
                let samples = [Sample](unsafeUninitializedCapacity: count) { buffer, initialized in
                    let raw = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self)
                    readStatus = chroma_png_read_pixels(reader, raw, width * layout.channels * MemoryLayout<Sample>.size)
                    initialized = readStatus == CHROMA_OK ? count : 0
                }
                guard readStatus == CHROMA_OK else { throw failure(readStatus) }
                image = Image(width: width, height: height, layout: layout, samples: samples)
            } else {
                // An 8-bit file read as 16-bit samples.
                var bytes = [UInt8](repeating: 0, count: count)
                let readStatus = bytes.withUnsafeMutableBufferPointer {
                    chroma_png_read_pixels(reader, $0.baseAddress, width * layout.channels)
                }
                guard readStatus == CHROMA_OK else { throw failure(readStatus) }
                image = Image(width: width, height: height, layout: layout,
                              samples: bytes.map { Sample(UInt16($0) &* 257) })
            }
            return image.oriented(orientation)
        }
    }
}

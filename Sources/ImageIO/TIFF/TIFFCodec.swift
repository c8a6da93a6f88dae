import CShims

/// The lossless compressions chroma writes TIFF with (it reads every one libtiff does).
public enum TIFFCompression: String, Sendable, CaseIterable {
    case none, lzw, deflate, packbits

    /// TIFF's number for the scheme.
    var code: Int32 {
        switch self {
        case .none: 1
        case .lzw: 5
        case .deflate: 8
        case .packbits: 32773
        }
    }

    /// The scheme a file's Compression tag names, if chroma writes it (the old zlib code 32946 is Deflate too).
    init?(code: Int) {
        switch code {
        case 1: self = .none
        case 5: self = .lzw
        case 8, 32946: self = .deflate
        case 32773: self = .packbits
        default: return nil
        }
    }
}

/// TIFF through libtiff: gray and RGB of 8 or 16 bits (with alpha, strips or
/// tiles, contiguous or planar) as stored; palettes, 1–4-bit, YCbCr, CMYK and
/// the rest through libtiff's RGBA reader at 8 bits. Only the first image of a
/// multi-page file is read. The tags chroma keeps are `TIFFMetadata`'s.
enum TIFFCodec {
    struct Decoded {
        let pixels: Pixels
        let compression: TIFFCompression?
        let colorEncoding: ColorEncoding
    }

    static func decode(_ bytes: [UInt8], options: DecodingOptions) throws -> Decoded {
        try bytes.withUnsafeBufferPointer { data in
            // libtiff's largest single allocation: a strip or tile buffer, bounded by what the pixel limit allows.
            let maxAlloc = max(64 << 20, min(Int(Int32.max), options.maxPixels.multipliedReportingOverflow(by: 8).partialValue))
            guard let reader = chroma_tiff_reader_create(data.baseAddress, data.count, maxAlloc) else { throw ImageIOError.outOfMemory }
            defer { chroma_tiff_reader_destroy(reader) }
            func failure(_ status: chroma_status) -> ImageIOError {
                ImageIOError(status: status, message: String(cString: chroma_tiff_reader_message(reader)))
            }
            var header = chroma_tiff_header()
            let status = chroma_tiff_read_header(reader, &header, options.keepsColorEncoding ? 1 : 0)
            guard status == CHROMA_OK else { throw failure(status) }
            let width = Int(header.width), height = Int(header.height)
            try ImageDecoder.checkSize(width: width, height: height, options: options)
            guard let layout = PixelLayout(channels: Int(header.channels)) else { throw ImageIOError.unsupported("\(header.channels) channels") }
            let orientation = options.appliesOrientation ? ExifOrientation(rawValue: Int(header.orientation)) ?? .up : .up
            let compression = TIFFCompression(code: Int(header.compression))
            let count = width * height * layout.channels
            func read<Sample: ImageSample>(_: Sample.Type) throws -> Image<Sample> {
                var readStatus = CHROMA_OK
                let samples = [Sample](unsafeUninitializedCapacity: count) { buffer, initialized in
                    let raw = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self)
                    raw.initialize(repeating: 0, count: count * MemoryLayout<Sample>.size)  // a damaged tile leaves no garbage
                    readStatus = chroma_tiff_read_pixels(reader, raw, width * layout.channels * MemoryLayout<Sample>.size)
                    initialized = count
                }
                guard readStatus == CHROMA_OK else { throw failure(readStatus) }
                return Image(width: width, height: height, layout: layout, samples: samples).oriented(orientation)
            }
            let pixels: Pixels = header.bit_depth == 16 ? .sixteenBit(try read(UInt16.self)) : .eightBit(try read(UInt8.self))
            let encoding: ColorEncoding = switch (header.direct, header.photometric) {
            case (1, 8): .lab
            case (1, 6): .ycbcr
            default: .rgb
            }
            return Decoded(pixels: pixels, compression: compression, colorEncoding: encoding)
        }
    }

    static func encode(_ pixels: Pixels, compression: TIFFCompression, encoding: ColorEncoding = .rgb) throws -> [UInt8] {
        let encodingCode: Int32 = switch encoding {
        case .rgb: Int32(CHROMA_ENCODING_RGB)
        case .lab: Int32(CHROMA_ENCODING_LAB)
        case .ycbcr: Int32(CHROMA_ENCODING_YCBCR)
        }
        var out = chroma_buffer()
        var message = [CChar](repeating: 0, count: 256)
        func encode<Sample: ImageSample>(_ image: Image<Sample>, bits: Int32) -> chroma_status {
            image.samples.withUnsafeBytes { raw in
                chroma_tiff_encode(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt32(image.width), UInt32(image.height),
                                   Int32(image.channels), bits, compression.code, encodingCode, &out, &message, message.count)
            }
        }
        guard pixels.width > 0, pixels.height > 0 else { throw ImageIOError.cannotEncode("an empty image") }
        let status = switch pixels {
        case .eightBit(let image): encode(image, bits: 8)
        case .sixteenBit(let image): encode(image, bits: 16)
        }
        guard status == CHROMA_OK else { throw ImageIOError(status: status, message: String(nulTerminated: message)) }
        return out.take()
    }
}

import CShims

/// A JPEG held as its quantised DCT coefficients, for recolouring without
/// decoding: a JPEG already stores luminance (Y) and chroma (Cb, Cr) apart, in
/// the JFIF YCbCr chroma's YCbCr models predict. The luminance's coefficients
/// can be written back untouched, so the photo's detail is not recompressed,
/// and only new Cb and Cr are transformed and quantised.
///
///     let jpeg = try JPEGCoefficients(bytes)
///     let y = try jpeg.luminanceMeans(width: 48, height: 32)   // Y shrunk to 48 × 32
///     let out = try jpeg.encode(cb: cb, cr: cr, gridWidth: 48, gridHeight: 32)
///
/// Gray and YCbCr JPEGs (baseline, progressive, any restart interval and
/// subsampling) whose luminance is at full resolution; others throw
/// `ImageIOError.unsupported` and go through pixels instead.
public final class JPEGCoefficients {
    /// The image's size in pixels.
    public let width: Int, height: Int
    /// 1 for a gray file (the output gains chroma, 4:2:0), 3 for YCbCr.
    public let components: Int
    /// The resolution of the chroma `encode` writes: the file's own, or half the image each way for a gray file.
    public let chromaWidth: Int, chromaHeight: Int
    private let reader: OpaquePointer
    private let bytes: UnsafeMutableBufferPointer<UInt8>  // libjpeg reads from it until the reader is gone

    /// Reads `data`'s header and coefficients (within `options`' bounds: file
    /// size, pixels, progressive scans).
    public init(_ data: [UInt8], options: DecodingOptions = .init()) throws {
        guard ImageFormat.sniff(data) == .jpeg else {
            _ = try ImageDecoder.format(of: data)  // says what the data is instead
            throw ImageIOError.notAnImage("not a JPEG")
        }
        guard data.count <= options.maxFileBytes else {
            throw ImageIOError.limitExceeded(.fileSize, "\(data.count) bytes, over the limit of \(options.maxFileBytes)")
        }
        bytes = .allocate(capacity: max(data.count, 1))
        _ = bytes.initialize(from: data)
        guard let reader = chroma_jpeg_reader_create(bytes.baseAddress, data.count, Int32(clamping: options.maxJPEGScans)) else {
            bytes.deallocate()
            throw ImageIOError.outOfMemory
        }
        self.reader = reader
        func failure(_ status: chroma_status) -> ImageIOError {
            ImageIOError(status: status, limit: chroma_jpeg_reader_limit(reader), message: String(cString: chroma_jpeg_reader_message(reader)))
        }
        var header = chroma_jpeg_header(), info = chroma_jpeg_coefficients()
        var status = chroma_jpeg_read_header(reader, &header)
        if status == CHROMA_OK {
            do { try ImageDecoder.checkSize(width: Int(header.width), height: Int(header.height), options: options) } catch {
                chroma_jpeg_reader_destroy(reader)
                bytes.deallocate()
                throw error
            }
            status = chroma_jpeg_read_coefficients(reader, &info)
        }
        guard status == CHROMA_OK else {
            let error = failure(status)
            chroma_jpeg_reader_destroy(reader)
            bytes.deallocate()
            throw error
        }
        width = Int(info.width)
        height = Int(info.height)
        components = Int(info.components)
        chromaWidth = Int(info.chroma_width)
        chromaHeight = Int(info.chroma_height)
    }

    deinit {
        chroma_jpeg_reader_destroy(reader)
        bytes.deallocate()
    }

    /// The luminance (Y, 0…255) area-averaged onto a `width` × `height` grid
    /// over the whole image: each cell the mean of the pixels it covers,
    /// fractional coverage counted, as `Resampler`'s `.area` shrinks decoded
    /// pixels; computed from the coefficients without decoding them. The grid
    /// must not be larger than the image. With `threads` above 1 the grid's
    /// lower half is computed on a second thread (the same floats).
    public func luminanceMeans(width gridWidth: Int, height gridHeight: Int, threads: Int = 1) throws -> [Float] {
        precondition(gridWidth > 0 && gridHeight > 0 && gridWidth <= width && gridHeight <= height, "a grid within the image")
        var status = CHROMA_OK
        let means = [Float](unsafeUninitializedCapacity: gridWidth * gridHeight) { buffer, initialized in
            status = chroma_jpeg_luminance_means(reader, UInt32(gridWidth), UInt32(gridHeight), Int32(clamping: threads), buffer.baseAddress)
            initialized = gridWidth * gridHeight
        }
        guard status == CHROMA_OK else { throw ImageIOError.outOfMemory }
        return means
    }

    /// A JPEG with this file's luminance coefficients, bit for bit, and new
    /// chroma: `cb` and `cr` are `gridWidth` × `gridHeight` planes (JFIF units
    /// 0…255, 128 neutral) over the whole image, stretched bilinearly (pixel
    /// centres aligned) to the file's chroma resolution (`chromaWidth` ×
    /// `chromaHeight`) one block at a time, so no full-size plane is ever held,
    /// and quantised with the file's chroma tables (a gray file: the JPEG
    /// standard's chroma table at `quality`, 1…100). No metadata: add it with
    /// `ImageMetadata.embedded(in:)`. With `threads` above 1, Cb and Cr are
    /// made on two threads (the same bytes).
    public func encode(cb: [Float], cr: [Float], gridWidth: Int, gridHeight: Int, quality: Int = 92,
                       progressive: Bool = false, threads: Int = 1) throws -> [UInt8] {
        precondition(gridWidth > 0 && gridHeight > 0 && cb.count == gridWidth * gridHeight && cr.count == cb.count,
                     "chroma planes of gridWidth × gridHeight")
        var out = chroma_buffer()
        var message = [CChar](repeating: 0, count: 256)
        let status = chroma_jpeg_write_with_chroma(reader, cb, cr, UInt32(gridWidth), UInt32(gridHeight), Int32(quality),
                                                   progressive ? 1 : 0, Int32(clamping: threads), &out, &message, message.count)
        guard status == CHROMA_OK else { throw ImageIOError(status: status, message: String(nulTerminated: message)) }
        return out.take()
    }
}

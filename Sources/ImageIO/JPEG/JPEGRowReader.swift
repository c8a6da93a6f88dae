import CShims

/// A JPEG decoded a band of rows at a time (libjpeg-turbo, as `ImageDecoder`
/// decodes it): for work that starts on a photo's first rows while its later
/// ones are still being decoded.
///
///     let reader = try JPEGRowReader(bytes)
///     var band = [UInt8](repeating: 0, count: 16 * reader.width * reader.layout.channels)
///     while reader.rowsRead < reader.height {
///         let rows = try band.withUnsafeMutableBufferPointer { try reader.read(rows: 16, into: $0.baseAddress!) }
///         …
///     }
///
/// The rows come as the file stores them: `orientation` says how they must be
/// turned to be upright, which is left to the caller.
public final class JPEGRowReader {
    public let width: Int
    public let height: Int
    /// `.gray` for a gray JPEG (or with `DecodingOptions.jpegLuminanceOnly`), else `.rgb` (CMYK and YCCK converted).
    public let layout: PixelLayout
    /// The file's EXIF orientation (`.up` when it has none or when `DecodingOptions.appliesOrientation` is off).
    public let orientation: ExifOrientation
    /// Rows decoded so far, 0…`height`.
    public private(set) var rowsRead = 0

    private let reader: OpaquePointer
    /// The file's bytes, which libjpeg reads in place as it goes.
    private let data: UnsafeMutableBufferPointer<UInt8>

    /// Reads the header; refuses what `ImageDecoder.decode` refuses (a size
    /// over `options`' bounds, a file that is not a JPEG), with the same errors.
    public init(_ bytes: [UInt8], options: DecodingOptions = .init()) throws {
        data = .allocate(capacity: max(1, bytes.count))
        _ = data.initialize(from: bytes)
        guard let reader = chroma_jpeg_reader_create(data.baseAddress, bytes.count, Int32(clamping: options.maxJPEGScans)) else {
            data.deallocate()
            throw ImageIOError.outOfMemory
        }
        self.reader = reader
        var header = chroma_jpeg_header()
        let status = chroma_jpeg_read_header(reader, &header)
        width = Int(header.width)
        height = Int(header.height)
        let luminanceOnly = status == CHROMA_OK && options.jpegLuminanceOnly && chroma_jpeg_reader_luminance_only(reader) == 1
        layout = header.channels == 1 || luminanceOnly ? .gray : .rgb
        orientation = status == CHROMA_OK && options.appliesOrientation && header.exif != nil
            ? ExifOrientation(exif: UnsafeBufferPointer(start: header.exif, count: Int(header.exif_size)))
            : .up
        guard status == CHROMA_OK else { throw failure(status) }
        try ImageDecoder.checkSize(width: width, height: height, options: options)
    }

    deinit {
        chroma_jpeg_reader_destroy(reader)
        data.deallocate()
    }

    /// Decodes the next `rows` rows (fewer at the end) into `pixels`, one after
    /// another (`width × layout.channels` bytes each), and returns how many.
    /// A damaged or truncated file throws as `ImageDecoder.decode` would, and
    /// every later call throws the same.
    public func read(rows: Int, into pixels: UnsafeMutablePointer<UInt8>) throws -> Int {
        var done: UInt32 = 0
        let status = chroma_jpeg_read_rows(reader, pixels, width * layout.channels, UInt32(clamping: max(0, rows)), &done)
        guard status == CHROMA_OK else { throw failure(status) }
        rowsRead += Int(done)
        return Int(done)
    }

    private func failure(_ status: chroma_status) -> ImageIOError {
        ImageIOError(status: status, limit: chroma_jpeg_reader_limit(reader), message: String(cString: chroma_jpeg_reader_message(reader)))
    }
}

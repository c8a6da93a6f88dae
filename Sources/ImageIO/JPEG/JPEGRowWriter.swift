import CShims

/// A JPEG encoded a band of rows at a time, with `ImageEncoder.encodeJPEG`'s
/// settings and the same bytes as it gives for the same pixels.
public final class JPEGRowWriter {
    public let width: Int
    public let height: Int
    /// 1 (gray) or 3 (RGB) samples a pixel.
    public let channels: Int
    /// Rows written so far.
    public private(set) var rowsWritten = 0
    private let writer: OpaquePointer

    /// - Parameters:
    ///   - width: pixels a row.
    ///   - height: rows.
    ///   - channels: 1 (gray) or 3 (RGB); anything else fails the first write.
    ///   - quality: 1…100.
    ///   - subsampling: how many luma samples share one pair of chroma samples (RGB only).
    ///   - progressive: a progressive JPEG instead of a baseline one.
    public init(width: Int, height: Int, channels: Int, quality: Int = 92, subsampling: ChromaSubsampling = .s420,
                progressive: Bool = false) throws {
        guard let writer = chroma_jpeg_writer_create(UInt32(clamping: width), UInt32(clamping: height), Int32(clamping: channels),
                                                     Int32(clamping: quality), subsampling.shimValue, progressive ? 1 : 0) else {
            throw ImageIOError.outOfMemory
        }
        self.writer = writer
        self.width = width
        self.height = height
        self.channels = channels
    }

    deinit { chroma_jpeg_writer_destroy(writer) }

    /// Encodes the next `rows` rows at `pixels` (`width × channels` bytes each, one after another).
    public func write(rows: Int, from pixels: UnsafePointer<UInt8>) throws {
        let status = chroma_jpeg_write_rows(writer, pixels, width * channels, UInt32(clamping: max(0, rows)))
        guard status == CHROMA_OK else { throw failure(status) }
        rowsWritten += rows
    }

    /// The file, once every row is written.
    public func finish() throws -> [UInt8] {
        var out = chroma_buffer()
        let status = chroma_jpeg_writer_finish(writer, &out)
        guard status == CHROMA_OK else { throw failure(status) }
        return out.take()
    }

    private func failure(_ status: chroma_status) -> ImageIOError {
        ImageIOError(status: status, message: String(cString: chroma_jpeg_writer_message(writer)))
    }
}

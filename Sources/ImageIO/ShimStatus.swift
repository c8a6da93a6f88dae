import CShims

extension ImageIOError {
    /// The error a shim status stands for, with the library's message as the reason.
    init(status: chroma_status, limit: chroma_limit = CHROMA_LIMIT_NONE, message: String) {
        switch status {
        case CHROMA_ERR_NOT_IMAGE: self = .notAnImage(message)
        case CHROMA_ERR_TRUNCATED: self = .truncated(message)
        case CHROMA_ERR_UNSUPPORTED: self = .unsupported(message)
        case CHROMA_ERR_LIMIT:
            switch limit {
            case CHROMA_LIMIT_JPEG_SCANS: self = .limitExceeded(.jpegScans, message)
            case CHROMA_LIMIT_PNG_CHUNK: self = .limitExceeded(.pngChunkSize, message)
            case CHROMA_LIMIT_PNG_EXCESS: self = .limitExceeded(.pngExcessData, message)
            default: self = .corruptData(message)
            }
        case CHROMA_ERR_NO_MEMORY: self = .outOfMemory
        case CHROMA_ERR_USAGE: self = .cannotEncode(message)
        default: self = .corruptData(message)
        }
    }
}

extension chroma_buffer {
    /// Copies the buffer into an array and frees it.
    mutating func take() -> [UInt8] {
        defer { chroma_buffer_free(&self) }
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }
}

extension String {
    /// The text of a NUL-terminated C character buffer.
    init(nulTerminated chars: [CChar]) {
        self = String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

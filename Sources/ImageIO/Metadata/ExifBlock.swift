/// Edits to a TIFF-structured EXIF block that chroma's outputs need.
///
///     "II" or "MM", 42, offset of IFD0
///     IFD: count u16, count × (tag u16, type u16, count u32, value or offset u32), next IFD u32
///
/// IFD0 describes the main image (Orientation is its tag 0x0112); IFD1, linked
/// from IFD0's "next" field, describes the thumbnail.
enum ExifBlock {
    /// The block with Orientation set to 1 (chroma writes its pixels upright)
    /// and IFD1, the thumbnail's directory, unlinked: the thumbnail shows the
    /// old pixels, gray and turned the old way. The thumbnail's bytes are
    /// zeroed too, so no stale copy of the photo travels on. A block that
    /// cannot be parsed is returned unchanged.
    static func uprightWithoutThumbnail(_ exif: [UInt8]) -> [UInt8] {
        var block = exif
        guard block.count >= 8, block[0] == block[1], block[0] == 0x49 || block[0] == 0x4D else { return exif }
        let bigEndian = block[0] == 0x4D
        let reader = TIFFDirectory.Reader(bytes: exif, bigEndian: bigEndian)
        func read16(_ at: Int) -> Int? { reader.u16(at) }
        func read32(_ at: Int) -> Int? { reader.u32(at).map(Int.init) }
        func write16(_ at: Int, _ value: Int) {
            let high = UInt8(value >> 8), low = UInt8(value & 0xFF)
            (block[at], block[at + 1]) = bigEndian ? (high, low) : (low, high)
        }
        guard read16(2) == 42, let ifd0 = read32(4), let entries = read16(ifd0) else { return exif }
        for entry in 0..<entries {
            let at = ifd0 + 2 + entry * 12
            guard let tag = read16(at) else { return exif }
            if tag == 0x0112, read16(at + 2) == 3, read16(at + 8) != nil { write16(at + 8, 1) }  // SHORT, value inline
        }
        let nextField = ifd0 + 2 + entries * 12
        guard let ifd1 = read32(nextField), ifd1 != 0 else { return block }
        // The thumbnail's data: JPEGInterchangeFormat (0x0201) and its length (0x0202).
        var start: Int?, length: Int?
        if let count = read16(ifd1) {
            for entry in 0..<count {
                let at = ifd1 + 2 + entry * 12
                guard let tag = read16(at), let type = read16(at + 2) else { break }
                let value = type == 3 ? read16(at + 8) : read32(at + 8)
                if tag == 0x0201 { start = value }
                if tag == 0x0202 { length = value }
            }
        }
        if let start, let length, start >= 0, length > 0, start + length <= block.count {
            for i in start..<(start + length) { block[i] = 0 }
        }
        for i in 0..<4 { block[nextField + i] = 0 }
        return block
    }
}

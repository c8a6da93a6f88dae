/// WebP metadata: chunks of the RIFF container.
///
///     "RIFF" size u32 LE "WEBP", then chunks: FourCC, size u32 LE, data, a pad byte to even size
///     VP8X  flags (0x20 ICC, 0x10 alpha, 0x08 EXIF, 0x04 XMP, 0x02 animation), 3 reserved,
///           canvas width − 1 (u24 LE), canvas height − 1 (u24 LE)
///     ICCP  the profile (before the image)
///     ALPH, VP8 , VP8L  the image
///     EXIF, "XMP "      after the image
///
/// A file with any of these metadata chunks must start with VP8X; libwebp's
/// simple encoder writes none, so `embed` builds the extended form.
enum WebPMetadata {
    /// chroma's own chunk, holding `ImageMetadata.colorizedMarker` (readers skip chunks they do not know).
    static let markerChunk = "CRMA"

    static func read(_ bytes: [UInt8], budget: inout MetadataBudget) throws -> ImageMetadata {
        var metadata = ImageMetadata()
        for (type, data) in chunks(bytes) {
            switch type {
            case "ICCP" where metadata.iccProfile == nil:
                try budget.spend(data.count)
                metadata.iccProfile = Array(data)
            case "EXIF" where metadata.exif == nil:
                try budget.spend(data.count)
                // Some writers keep JPEG's "Exif\0\0" in front of the TIFF structure.
                metadata.exif = Array(data.starts(with: JPEGMetadata.exifSignature) ? data.dropFirst(6) : data)
            case "XMP " where metadata.xmp == nil:
                try budget.spend(data.count)
                metadata.xmp = Array(data)
            case markerChunk:
                metadata.comments.append(String(decoding: data.prefix(256), as: UTF8.self))
            default:
                continue
            }
        }
        return metadata
    }

    /// The chunks after the RIFF header, up to the size RIFF declares (or the data's end).
    static func chunks(_ bytes: [UInt8]) -> [(type: String, data: ArraySlice<UInt8>)] {
        var found: [(String, ArraySlice<UInt8>)] = []
        guard bytes.count >= 12, Array(bytes[0..<4]) == Array("RIFF".utf8), Array(bytes[8..<12]) == Array("WEBP".utf8) else { return found }
        let end = min(bytes.count, 8 + Int(littleEndian32(bytes, 4)))
        var position = 12
        while position + 8 <= end {
            let size = Int(littleEndian32(bytes, position + 4))
            guard size <= end - position - 8 else { break }
            found.append((String(decoding: bytes[position..<(position + 4)], as: UTF8.self), bytes[(position + 8)..<(position + 8 + size)]))
            position += 8 + size + (size & 1)
        }
        return found
    }

    /// `encoded` (a still WebP as libwebp writes it) with ICC, EXIF and XMP chunks, in the extended form.
    static func embed(_ metadata: ImageMetadata, in encoded: [UInt8]) throws -> [UInt8] {
        let parts = chunks(encoded)
        guard let image = parts.first(where: { $0.type == "VP8 " || $0.type == "VP8L" }) else {
            throw ImageIOError.cannotEncode("not a still WebP stream")
        }
        var flags: UInt8 = 0
        var canvas: (width: Int, height: Int)
        if let extended = parts.first(where: { $0.type == "VP8X" }), extended.data.count >= 10 {
            let d = Array(extended.data)
            flags = d[0] & 0x10  // keep the alpha flag
            canvas = (Int(d[4]) | Int(d[5]) << 8 | Int(d[6]) << 16, Int(d[7]) | Int(d[8]) << 8 | Int(d[9]) << 16)
        } else if image.type == "VP8L", image.data.count >= 5 {
            let d = Array(image.data)
            let bits = UInt32(d[1]) | UInt32(d[2]) << 8 | UInt32(d[3]) << 16 | UInt32(d[4]) << 24
            canvas = (Int(bits & 0x3FFF), Int((bits >> 14) & 0x3FFF))
            if bits >> 28 & 1 == 1 { flags |= 0x10 }
        } else if image.data.count >= 10 {
            let d = Array(image.data)
            canvas = ((Int(d[6]) | Int(d[7]) << 8) & 0x3FFF - 1, (Int(d[8]) | Int(d[9]) << 8) & 0x3FFF - 1)
        } else {
            throw ImageIOError.cannotEncode("a WebP image chunk too short to state its size")
        }
        if metadata.iccProfile != nil { flags |= 0x20 }
        if metadata.exif != nil { flags |= 0x08 }
        if metadata.xmp != nil { flags |= 0x04 }
        if metadata.iccProfile == nil && metadata.exif == nil && metadata.xmp == nil && !metadata.isColorizedByChroma { return encoded }
        var body = Array("WEBP".utf8)
        func chunk(_ type: String, _ data: some Collection<UInt8>) {
            body += Array(type.utf8) + littleEndianBytes(UInt32(data.count)) + Array(data)
            if data.count & 1 == 1 { body.append(0) }
        }
        let size = { (v: Int) in [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF)] }
        chunk("VP8X", [flags, 0, 0, 0] + size(canvas.width) + size(canvas.height))
        if let icc = metadata.iccProfile { chunk("ICCP", icc) }
        for part in parts where part.type == "ALPH" || part.type == "VP8 " || part.type == "VP8L" { chunk(part.type, part.data) }
        if let exif = metadata.exif { chunk("EXIF", exif) }
        if let xmp = metadata.xmp { chunk("XMP ", xmp) }
        if metadata.isColorizedByChroma { chunk(markerChunk, Array(ImageMetadata.colorizedMarker.utf8)) }
        return Array("RIFF".utf8) + littleEndianBytes(UInt32(body.count)) + body
    }

    static func littleEndian32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    static func littleEndianBytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }
}

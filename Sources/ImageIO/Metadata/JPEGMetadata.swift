/// JPEG metadata: the marker segments before the first scan.
///
///     FF D8                       SOI
///     FF E0 len "JFIF\0" v v u xd xd yd yd …     density (u: 0 none, 1 inch, 2 cm)
///     FF E1 len "Exif\0\0" TIFF…                 EXIF
///     FF E1 len "http://ns.adobe.com/xap/1.0/\0" XMP
///     FF E2 len "ICC_PROFILE\0" seq count data    ICC, split over up to 255 segments
///     FF FE len text                              comment
///
/// `len` is big-endian and counts itself; a segment holds at most 65,533 bytes.
enum JPEGMetadata {
    static let exifSignature = Array("Exif\0\0".utf8)
    static let xmpSignature = Array("http://ns.adobe.com/xap/1.0/\0".utf8)
    static let iccSignature = Array("ICC_PROFILE\0".utf8)
    static let jfifSignature = Array("JFIF\0".utf8)
    static let photoshopSignature = Array("Photoshop 3.0\0".utf8)

    /// Reads what it can; a file cut short gives what came before the cut.
    static func read(_ bytes: [UInt8], budget: inout MetadataBudget) throws -> ImageMetadata {
        var metadata = ImageMetadata()
        var iccChunks: [Int: ArraySlice<UInt8>] = [:]
        for (marker, payload) in segments(bytes) {
            switch marker {
            case 0xE0 where payload.starts(with: jfifSignature) && payload.count >= 12:
                let p = payload.startIndex
                let unit: ImageMetadata.Density.Unit = switch payload[p + 7] { case 1: .inch; case 2: .centimetre; default: .none }
                let x = Int(payload[p + 8]) << 8 | Int(payload[p + 9]), y = Int(payload[p + 10]) << 8 | Int(payload[p + 11])
                if x > 0 && y > 0 { metadata.density = .init(x: x, y: y, unit: unit) }
            case 0xE1 where payload.starts(with: exifSignature) && metadata.exif == nil:
                try budget.spend(payload.count)
                metadata.exif = Array(payload.dropFirst(exifSignature.count))
            case 0xE1 where payload.starts(with: xmpSignature) && metadata.xmp == nil:
                try budget.spend(payload.count)
                metadata.xmp = Array(payload.dropFirst(xmpSignature.count))
            case 0xE2 where payload.starts(with: iccSignature) && payload.count > iccSignature.count + 2:
                try budget.spend(payload.count)
                let sequence = Int(payload[payload.startIndex + iccSignature.count])
                iccChunks[sequence] = payload.dropFirst(iccSignature.count + 2)
            case 0xED where payload.starts(with: photoshopSignature) && metadata.photoshopResources == nil:
                try budget.spend(payload.count)
                metadata.photoshopResources = Array(payload.dropFirst(photoshopSignature.count))
            case 0xFE:
                try budget.spend(payload.count)
                metadata.comments.append(String(decoding: payload, as: UTF8.self))
            default:
                break
            }
        }
        // The chunks are numbered from 1; a profile with a gap is damaged and dropped.
        if !iccChunks.isEmpty, iccChunks.keys.sorted() == Array(1...iccChunks.count) {
            metadata.iccProfile = (1...iccChunks.count).flatMap { Array(iccChunks[$0]!) }
        }
        return metadata
    }

    /// The marker segments up to the first scan: marker byte and payload.
    static func segments(_ bytes: [UInt8]) -> [(marker: UInt8, payload: ArraySlice<UInt8>)] {
        var found: [(UInt8, ArraySlice<UInt8>)] = []
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return found }
        var position = 2
        while position + 4 <= bytes.count, bytes[position] == 0xFF {
            let marker = bytes[position + 1]
            if marker == 0xFF { position += 1; continue }  // fill byte
            if marker == 0x01 || (0xD0...0xD8).contains(marker) { position += 2; continue }
            if marker == 0xDA || marker == 0xD9 { break }  // the first scan, or the end
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            guard length >= 2, position + 2 + length <= bytes.count else { break }
            found.append((marker, bytes[(position + 4)..<(position + 2 + length)]))
            position += 2 + length
        }
        return found
    }

    /// `encoded` with `metadata`'s segments after SOI and the encoder's JFIF
    /// segment (whose density is set from the metadata's).
    static func embed(_ metadata: ImageMetadata, in encoded: [UInt8]) -> [UInt8] {
        var head = Array(encoded.prefix(2))
        var rest = encoded.dropFirst(2)
        // The encoder's JFIF segment, if it wrote one, comes first: keep it first.
        if rest.count >= 4, rest[rest.startIndex] == 0xFF, rest[rest.startIndex + 1] == 0xE0 {
            let length = Int(rest[rest.startIndex + 2]) << 8 | Int(rest[rest.startIndex + 3])
            var jfif = Array(rest.prefix(2 + length))
            if let density = metadata.density, jfif.count >= 18, Array(jfif[4..<9]) == jfifSignature {
                let unit: UInt8 = switch density.unit { case .none: 0; case .inch: 1; case .centimetre: 2; case .metre: 2 }
                let scale = density.unit == .metre ? 100 : 1
                let x = min(65535, max(1, (density.x + scale / 2) / scale)), y = min(65535, max(1, (density.y + scale / 2) / scale))
                jfif[11] = unit
                jfif[12] = UInt8(x >> 8); jfif[13] = UInt8(x & 0xFF)
                jfif[14] = UInt8(y >> 8); jfif[15] = UInt8(y & 0xFF)
            }
            head += jfif
            rest = rest.dropFirst(2 + length)
        }
        func segment(_ marker: UInt8, _ payload: [UInt8]) {
            let length = payload.count + 2
            head += [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)]
            head += payload
        }
        if let exif = metadata.exif, exif.count + exifSignature.count <= 65533 { segment(0xE1, exifSignature + exif) }
        if let xmp = metadata.xmp, xmp.count + xmpSignature.count <= 65533 { segment(0xE1, xmpSignature + xmp) }
        if let icc = metadata.iccProfile, !icc.isEmpty {
            let room = 65533 - iccSignature.count - 2
            let count = (icc.count + room - 1) / room
            if count <= 255 {
                for index in 0..<count {
                    let chunk = icc[(index * room)..<min(icc.count, (index + 1) * room)]
                    segment(0xE2, iccSignature + [UInt8(index + 1), UInt8(count)] + chunk)
                }
            }
        }
        if let resources = metadata.photoshopResources, resources.count + photoshopSignature.count <= 65533 {
            segment(0xED, photoshopSignature + resources)
        }
        for comment in metadata.comments {
            let bytes = Array(comment.utf8)
            if bytes.count <= 65533 { segment(0xFE, bytes) }
        }
        // PNG text entries have no JPEG home but a comment: "Keyword: text".
        for entry in metadata.text {
            let bytes = Array((entry.keyword + ": " + entry.text).utf8)
            if bytes.count <= 65533 { segment(0xFE, bytes) }
        }
        return head + rest
    }
}

/// PNG metadata: ancillary chunks.
///
///     length u32 BE | type (4 ASCII) | data | CRC-32 of type and data
///
///     iCCP  name \0 method(0) zlib(profile)
///     eXIf  TIFF-structured EXIF
///     pHYs  x u32, y u32, unit (0 aspect only, 1 metre)
///     tEXt  keyword \0 Latin-1 text
///     zTXt  keyword \0 method(0) zlib(Latin-1 text)
///     iTXt  keyword \0 compressed(0|1) method(0) language \0 translated keyword \0 UTF-8 text (zlib if compressed)
///
/// XMP is the iTXt chunk with the keyword "XML:com.adobe.xmp".
enum PNGMetadata {
    static let xmpKeyword = "XML:com.adobe.xmp"
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Reads every ancillary chunk it knows; a compressed chunk that would
    /// inflate past `maxChunkBytes`, or is damaged, is skipped.
    static func read(_ bytes: [UInt8], maxChunkBytes: Int, budget: inout MetadataBudget) throws -> ImageMetadata {
        var metadata = ImageMetadata()
        // A chunk too large for the per-chunk bound is skipped (as libpng does);
        // one that would pass what is left of the file's budget refuses the file.
        func inflated(_ data: ArraySlice<UInt8>) throws -> [UInt8]? {
            let remaining = budget.limit - budget.used
            switch Zlib.inflate(data, limit: min(maxChunkBytes, remaining + 1)) {
            case .data(let out):
                try budget.spend(out.count)
                return out
            case .overLimit:
                if remaining < maxChunkBytes { try budget.spend(remaining + 1) }
                return nil
            case .damaged:
                return nil
            }
        }
        for (type, data) in chunks(bytes) {
            switch type {
            case "iCCP":
                guard metadata.iccProfile == nil, let nul = data.firstIndex(of: 0), nul + 2 <= data.endIndex else { continue }
                metadata.iccProfile = try inflated(data[(nul + 2)...])
            case "eXIf":
                guard metadata.exif == nil else { continue }
                try budget.spend(data.count)
                metadata.exif = Array(data)
            case "pHYs":
                guard data.count == 9 else { continue }
                let p = data.startIndex
                let x = Int(bigEndian32(data, p)), y = Int(bigEndian32(data, p + 4))
                if x > 0 && y > 0 { metadata.density = .init(x: x, y: y, unit: data[p + 8] == 1 ? .metre : .none) }
            case "tEXt":
                guard let nul = data.firstIndex(of: 0) else { continue }
                try budget.spend(data.count)
                add(.init(keyword: latin1(data[..<nul]), text: latin1(data[(nul + 1)...])), to: &metadata)
            case "zTXt":
                guard let nul = data.firstIndex(of: 0), nul + 2 <= data.endIndex,
                      let text = try inflated(data[(nul + 2)...]) else { continue }
                add(.init(keyword: latin1(data[..<nul]), text: latin1(text[...])), to: &metadata)
            case "iTXt":
                guard let nul = data.firstIndex(of: 0), nul + 3 <= data.endIndex else { continue }
                let compressed = data[nul + 1] == 1
                let afterMethod = nul + 3
                guard let languageEnd = data[afterMethod...].firstIndex(of: 0),
                      let translatedEnd = data[(languageEnd + 1)...].firstIndex(of: 0) else { continue }
                let body = data[(translatedEnd + 1)...]
                let keyword = latin1(data[..<nul])
                let text: [UInt8]
                if compressed {
                    guard let out = try inflated(body) else { continue }
                    text = out
                } else {
                    try budget.spend(body.count)
                    text = Array(body)
                }
                if keyword == xmpKeyword {
                    if metadata.xmp == nil { metadata.xmp = text }
                } else {
                    add(.init(keyword: keyword, text: String(decoding: text, as: UTF8.self),
                              language: latin1(data[afterMethod..<languageEnd]),
                              translatedKeyword: String(decoding: data[(languageEnd + 1)..<translatedEnd], as: UTF8.self)), to: &metadata)
                }
            default:
                continue
            }
        }
        return metadata
    }

    private static func add(_ entry: ImageMetadata.TextEntry, to metadata: inout ImageMetadata) {
        if entry.keyword == "Comment" && entry.language.isEmpty && entry.translatedKeyword.isEmpty {
            metadata.comments.append(entry.text)
        } else {
            metadata.text.append(entry)
        }
    }

    /// The chunks of a PNG file up to IEND, with their data (CRCs are not checked:
    /// libpng checks the critical ones, and metadata is taken as found).
    static func chunks(_ bytes: [UInt8]) -> [(type: String, data: ArraySlice<UInt8>)] {
        var found: [(String, ArraySlice<UInt8>)] = []
        guard bytes.starts(with: signature) else { return found }
        var position = 8
        while position + 12 <= bytes.count {
            let length = Int(bigEndian32(bytes[...], position))
            guard length <= bytes.count - position - 12 else { break }
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            found.append((type, bytes[(position + 8)..<(position + 8 + length)]))
            if type == "IEND" { break }
            position += 12 + length
        }
        return found
    }

    /// `encoded` with `metadata`'s chunks right after IHDR (where every one of them may stand).
    static func embed(_ metadata: ImageMetadata, in encoded: [UInt8]) throws -> [UInt8] {
        guard encoded.starts(with: signature), encoded.count >= 33 else {
            throw ImageIOError.cannotEncode("not a PNG stream")
        }
        let headerEnd = 8 + 12 + Int(bigEndian32(encoded[...], 8))  // signature, then IHDR
        var added: [UInt8] = []
        func chunk(_ type: String, _ data: [UInt8]) {
            added += bigEndianBytes(UInt32(data.count))
            let typed = Array(type.utf8) + data
            added += typed
            added += bigEndianBytes(Zlib.crc32(typed))
        }
        if let icc = metadata.iccProfile, !icc.isEmpty {
            chunk("iCCP", Array("ICC profile".utf8) + [0, 0] + (try Zlib.deflate(icc)))
        }
        if let exif = metadata.exif { chunk("eXIf", exif) }
        if let density = metadata.density {
            let scale = switch density.unit { case .inch: 100 / 2.54; case .centimetre: 100.0; case .metre, .none: 1.0 }
            let x = UInt32(clamping: Int((Double(density.x) * scale).rounded())), y = UInt32(clamping: Int((Double(density.y) * scale).rounded()))
            chunk("pHYs", bigEndianBytes(x) + bigEndianBytes(y) + [density.unit == .none ? 0 : 1])
        }
        if let xmp = metadata.xmp { chunk("iTXt", Array(xmpKeyword.utf8) + [0, 0, 0, 0, 0] + xmp) }
        let entries = metadata.comments.map { ImageMetadata.TextEntry(keyword: "Comment", text: $0) } + metadata.text
        for entry in entries {
            // Keywords are 1…79 Latin-1 characters; tEXt holds Latin-1 text, iTXt anything.
            let keyword = Array(entry.keyword.unicodeScalars.prefix(79).map { UInt8(truncatingIfNeeded: $0.value) })
            guard !keyword.isEmpty else { continue }
            if let latin = latin1Bytes(entry.text), entry.language.isEmpty, entry.translatedKeyword.isEmpty {
                chunk("tEXt", keyword + [0] + latin)
            } else {
                let language = Array(entry.language.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
                chunk("iTXt", keyword + [0, 0, 0] + language + [0] + Array(entry.translatedKeyword.utf8) + [0] + Array(entry.text.utf8))
            }
        }
        return Array(encoded[..<headerEnd]) + added + Array(encoded[headerEnd...])
    }

    static func bigEndian32(_ bytes: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    static func bigEndianBytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func latin1(_ bytes: ArraySlice<UInt8>) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    private static func latin1Bytes(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        for scalar in text.unicodeScalars {
            guard scalar.value < 256, scalar.value != 0 else { return nil }
            out.append(UInt8(scalar.value))
        }
        return out
    }
}

/// TIFF metadata: tags of the first IFD.
///
///     34675 ICC profile · 700 XMP · 34377 Photoshop resources · 33723 IPTC
///     282/283/296 resolution · 270 description, 271 make, 272 model, 305 software,
///     306 date, 315 artist, 33432 copyright, 34665 EXIF IFD, 34853 GPS IFD
///
/// The descriptive tags and the EXIF and GPS directories are what an EXIF
/// block's IFD0 holds too, so they travel as `ImageMetadata.exif` between TIFF
/// and the other formats. chroma's marker is the private tag 65000 (a SHORT of 1).
enum TIFFMetadata {
    static let iccTag: UInt16 = 34675, xmpTag: UInt16 = 700, photoshopTag: UInt16 = 34377, iptcTag: UInt16 = 33723
    static let xResolution: UInt16 = 282, yResolution: UInt16 = 283, resolutionUnit: UInt16 = 296
    static let markerTag: UInt16 = 65000

    static func read(_ bytes: [UInt8], budget: inout MetadataBudget) throws -> ImageMetadata {
        var metadata = ImageMetadata()
        guard let directory = TIFFDirectory.firstDirectory(of: bytes) else { return metadata }
        let entries = directory.entries, bigEndian = directory.bigEndian
        func value(_ tag: UInt16) throws -> [UInt8]? {
            guard let entry = entries.first(where: { $0.tag == tag }) else { return nil }
            try budget.spend(entry.value.count)
            return entry.value
        }
        metadata.iccProfile = try value(iccTag)
        metadata.xmp = try value(xmpTag)
        if let resources = try value(photoshopTag) {
            metadata.photoshopResources = resources
        } else if let iptc = try value(iptcTag) {
            // Raw IPTC becomes the Photoshop resource JPEG keeps it in (8BIM 0x0404).
            var resource = Array("8BIM".utf8) + [0x04, 0x04, 0, 0] + PNGMetadata.bigEndianBytes(UInt32(iptc.count)) + iptc
            if iptc.count % 2 == 1 { resource.append(0) }
            metadata.photoshopResources = resource
        }
        func rational(_ tag: UInt16) -> Double? {
            guard let entry = entries.first(where: { $0.tag == tag && $0.type == 5 }), entry.value.count >= 8 else { return nil }
            let v = TIFFDirectory.Reader(bytes: entry.value, bigEndian: bigEndian)
            guard let numerator = v.u32(0), let denominator = v.u32(4), denominator > 0 else { return nil }
            return Double(numerator) / Double(denominator)
        }
        if let x = rational(xResolution), let y = rational(yResolution), x >= 1, y >= 1, x < 1e6, y < 1e6 {
            let unitEntry = entries.first { $0.tag == resolutionUnit }
            let unit = unitEntry.flatMap { TIFFDirectory.Reader(bytes: $0.value, bigEndian: bigEndian).u16(0) } ?? 2
            metadata.density = .init(x: Int(x.rounded()), y: Int(y.rounded()), unit: unit == 3 ? .centimetre : unit == 1 ? .none : .inch)
        }
        let descriptive = entries.filter { TIFFDirectory.descriptiveTags.contains($0.tag) }
        if !descriptive.isEmpty {
            let block = TIFFDirectory.block(descriptive, bigEndian: bigEndian)
            try budget.spend(block.count)
            metadata.exif = block
        }
        if entries.contains(where: { $0.tag == markerTag }) { metadata.comments.append(ImageMetadata.colorizedMarker) }
        return metadata
    }

    /// `encoded` (a one-image TIFF as libtiff writes it) with the metadata's
    /// tags added: a new first IFD holding libtiff's entries and these,
    /// appended to the file, and the header pointed at it.
    static func embed(_ metadata: ImageMetadata, in encoded: [UInt8]) throws -> [UInt8] {
        guard let directory = TIFFDirectory.firstDirectory(of: encoded) else { throw ImageIOError.cannotEncode("not a TIFF stream") }
        let bigEndian = directory.bigEndian
        var added: [TIFFDirectory.Entry] = []
        if let icc = metadata.iccProfile { added.append(TIFFDirectory.bytes(iccTag, icc, bigEndian: bigEndian)) }
        if let xmp = metadata.xmp { added.append(TIFFDirectory.bytes(xmpTag, type: 1, xmp, bigEndian: bigEndian)) }
        if let resources = metadata.photoshopResources { added.append(TIFFDirectory.bytes(photoshopTag, type: 1, resources, bigEndian: bigEndian)) }
        if let density = metadata.density {
            let (scale, unit): (Double, UInt16) = switch density.unit {
            case .inch: (1, 2)
            case .centimetre: (1, 3)
            case .metre: (0.01, 3)
            case .none: (1, 1)
            }
            func rational(_ tag: UInt16, _ value: Double) -> TIFFDirectory.Entry {
                let numerator = UInt32(clamping: Int((value * scale * 100).rounded()))
                return TIFFDirectory.Entry(tag: tag, type: 5, count: 1,
                                           value: PNGMetadata.bigEndianBytes(numerator) + PNGMetadata.bigEndianBytes(100), bigEndian: true)
            }
            added += [rational(xResolution, Double(density.x)), rational(yResolution, Double(density.y)),
                      TIFFDirectory.Entry(tag: resolutionUnit, type: 3, count: 1, value: [UInt8(unit >> 8), UInt8(unit & 0xFF)], bigEndian: true)]
        }
        if let exif = metadata.exif, let source = TIFFDirectory.firstDirectory(of: exif) {
            added += source.entries.filter { TIFFDirectory.descriptiveTags.contains($0.tag) }
        }
        if metadata.isColorizedByChroma {
            // A SHORT of 1, held in the entry itself: a scan finds it in the directory's table alone.
            added.append(TIFFDirectory.Entry(tag: markerTag, type: 3, count: 1, value: [0, 1], bigEndian: true))
        }
        if added.isEmpty { return encoded }
        let replaced = Set(added.map(\.tag))
        let entries = directory.entries.filter { !replaced.contains($0.tag) } + added
        var out = encoded
        if out.count % 2 == 1 { out.append(0) }
        let offset = out.count
        out += TIFFDirectory.serialized(entries, at: offset, next: UInt32(directory.next), bigEndian: bigEndian)
        let pointer: [UInt8] = bigEndian ? PNGMetadata.bigEndianBytes(UInt32(offset)) : WebPMetadata.littleEndianBytes(UInt32(offset))
        out.replaceSubrange(4..<8, with: pointer)
        return out
    }
}

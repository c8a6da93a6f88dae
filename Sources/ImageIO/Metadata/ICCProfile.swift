/// What chroma needs to know of an ICC colour profile, and the one profile it makes.
///
///     header (128 bytes): size u32 BE, …, version at 8, class at 12,
///                         colour space at 16 ("RGB ", "GRAY", "CMYK"), …
///     tag count u32, then count × (signature, offset, size), offsets from the profile's start
///
/// chroma reads samples as sRGB-encoded whatever the profile says, and keeps
/// the profile: the output's tones then mean what the input's meant. When the
/// output has colour and the input's profile describes gray (a scan with a
/// "Gray Gamma 2.2" or "Dot Gain" profile), a gray profile cannot travel with
/// RGB pixels; chroma writes an RGB profile with sRGB's primaries and the gray
/// profile's own tone curve instead, so every gray level keeps its meaning.
public struct ICCProfile: Sendable, Equatable {
    public let bytes: [UInt8]

    public init?(_ bytes: [UInt8]) {
        guard bytes.count >= 132, Self.u32(bytes, 0) <= UInt32(bytes.count), Array(bytes[36..<40]) == Array("acsp".utf8) else { return nil }
        self.bytes = bytes
    }

    /// The data colour space signature: "RGB ", "GRAY", "CMYK", ….
    public var colourSpace: String { String(decoding: bytes[16..<20], as: UTF8.self) }

    /// Major version: 2 or 4.
    public var majorVersion: Int { Int(bytes[8]) }

    /// The data of the tag `signature`, if the profile has it within its bounds.
    public func tag(_ signature: String) -> ArraySlice<UInt8>? {
        let count = Int(Self.u32(bytes, 128))
        guard count <= (bytes.count - 132) / 12 else { return nil }
        for index in 0..<count {
            let at = 132 + index * 12
            guard String(decoding: bytes[at..<(at + 4)], as: UTF8.self) == signature else { continue }
            let offset = Int(Self.u32(bytes, at + 4)), size = Int(Self.u32(bytes, at + 8))
            guard offset >= 0, size >= 8, offset <= bytes.count, size <= bytes.count - offset else { return nil }
            return bytes[offset..<(offset + size)]
        }
        return nil
    }

    /// An RGB display profile with sRGB's primaries (adapted to D50, as ICC
    /// profiles state them) and this gray profile's tone curve (`kTRC`) on all
    /// three channels: R = G = B = v looks exactly as gray v did. nil when this
    /// is not a gray profile with a tone curve.
    public func rgbWithSameToneCurve() -> ICCProfile? {
        guard colourSpace == "GRAY", let curve = tag("kTRC"), ["curv", "para"].contains(String(decoding: curve.prefix(4), as: UTF8.self)) else {
            return nil
        }
        let version4 = majorVersion >= 4
        let whitePoint = tag("wtpt").flatMap { $0.count == 20 ? Array($0) : nil } ?? Self.xyz(0.9642, 1.0, 0.8249)
        let description = "Gray tone curve with sRGB primaries (chroma)"
        let describe: [UInt8] = version4 ? Self.multiLocalized(description) : Self.textDescription(description)
        var tags: [(String, [UInt8])] = [
            ("desc", describe),
            ("cprt", version4 ? Self.multiLocalized("No copyright, use freely") : Array("text".utf8) + [0, 0, 0, 0] + Array("No copyright, use freely".utf8) + [0]),
            ("wtpt", whitePoint),
            ("rXYZ", Self.xyz(0.43607, 0.22249, 0.01392)),
            ("gXYZ", Self.xyz(0.38515, 0.71687, 0.09708)),
            ("bXYZ", Self.xyz(0.14307, 0.06061, 0.71410)),
        ]
        tags.append(("rTRC", Array(curve)))
        var out = [UInt8](repeating: 0, count: 128)
        out.replaceSubrange(8..<12, with: bytes[8..<12])                 // the gray profile's version
        out.replaceSubrange(12..<16, with: Array("mntr".utf8))
        out.replaceSubrange(16..<20, with: Array("RGB ".utf8))
        out.replaceSubrange(20..<24, with: Array("XYZ ".utf8))
        out.replaceSubrange(24..<36, with: bytes[24..<36])               // creation date
        out.replaceSubrange(36..<40, with: Array("acsp".utf8))
        out.replaceSubrange(68..<80, with: Self.xyz(0.9642, 1.0, 0.8249)[8..<20])  // PCS illuminant D50
        // Tag table: the three TRC entries share one copy of the curve.
        let entries = tags.count + 2
        out += Self.be32(UInt32(entries))
        var offset = 128 + 4 + entries * 12
        var data: [UInt8] = []
        var curveOffset = 0
        for (signature, payload) in tags {
            if signature == "rTRC" { curveOffset = offset }
            out += Array(signature.utf8) + Self.be32(UInt32(offset)) + Self.be32(UInt32(payload.count))
            var padded = payload
            while padded.count % 4 != 0 { padded.append(0) }
            data += padded
            offset += padded.count
        }
        for signature in ["gTRC", "bTRC"] {
            out += Array(signature.utf8) + Self.be32(UInt32(curveOffset)) + Self.be32(UInt32(curve.count))
        }
        out += data
        out.replaceSubrange(0..<4, with: Self.be32(UInt32(out.count)))
        return ICCProfile(out)
    }

    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        guard at + 4 <= bytes.count else { return .max }
        return UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// An XYZType tag: "XYZ ", 4 reserved bytes, three s15Fixed16 numbers.
    static func xyz(_ x: Double, _ y: Double, _ z: Double) -> [UInt8] {
        Array("XYZ ".utf8) + [0, 0, 0, 0] + [x, y, z].flatMap { be32(UInt32(bitPattern: Int32(($0 * 65536).rounded()))) }
    }

    /// ICC v2 textDescriptionType: ASCII, then empty Unicode and ScriptCode parts.
    static func textDescription(_ text: String) -> [UInt8] {
        let ascii = Array(text.utf8) + [0]
        return Array("desc".utf8) + [0, 0, 0, 0] + be32(UInt32(ascii.count)) + ascii
            + [0, 0, 0, 0] + [0, 0, 0, 0] + [0, 0, 0] + [UInt8](repeating: 0, count: 67)
    }

    /// ICC v4 multiLocalizedUnicodeType with one en-US record in UTF-16BE.
    static func multiLocalized(_ text: String) -> [UInt8] {
        let utf16 = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        return Array("mluc".utf8) + [0, 0, 0, 0] + be32(1) + be32(12) + Array("enUS".utf8)
            + be32(UInt32(utf16.count)) + be32(28) + utf16
    }
}

extension ImageMetadata {
    /// The metadata for a colorized version of the image (RGB or RGBA pixels):
    /// EXIF, XMP, text and density as they were; a gray ICC profile replaced by
    /// the RGB profile with the same tone curve (`ICCProfile.rgbWithSameToneCurve`),
    /// an RGB one kept, any other dropped (a CMYK file's pixels are already
    /// converted to RGB when decoded); and chroma's marker added.
    public func forColorized() -> ImageMetadata {
        markedColorized().fitted(to: .rgb)
    }

    /// The metadata for pixels of `layout` made from this image's: a profile
    /// that cannot describe them (gray for colour, colour for gray, CMYK) is
    /// replaced as `forColorized` does, or dropped.
    public func fitted(to layout: PixelLayout) -> ImageMetadata {
        guard let iccProfile else { return self }
        var copy = self
        let space = ICCProfile(iccProfile)?.colourSpace
        if layout.hasColor {
            copy.iccProfile = space == "RGB " ? iccProfile : space == "GRAY" ? ICCProfile(iccProfile)?.rgbWithSameToneCurve()?.bytes : nil
        } else {
            copy.iccProfile = space == "GRAY" ? iccProfile : nil
        }
        return copy
    }
}

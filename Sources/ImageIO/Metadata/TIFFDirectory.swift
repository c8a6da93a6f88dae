/// TIFF's directory structure, which TIFF files and EXIF blocks share:
///
///     "II" (little-endian) or "MM" (big-endian), 42 (u16), offset of the first IFD (u32)
///     IFD: count (u16), count × entry, offset of the next IFD (u32, 0 for none)
///     entry: tag (u16), type (u16), count (u32), the value if it fits in 4 bytes, else its offset
///
/// chroma reads the descriptive tags and sub-directories (EXIF, GPS) of one
/// such structure and writes them into another: from a TIFF file into the
/// EXIF block of a JPEG, PNG or WebP, and back into the TIFF files it writes.
struct TIFFDirectory {
    struct Entry: Equatable {
        var tag: UInt16
        var type: UInt16
        var count: UInt32
        /// The value's bytes, in `bigEndian` order.
        var value: [UInt8]
        var bigEndian: Bool
        /// The sub-directory a pointer tag (EXIF, GPS, interoperability) leads to, read in full.
        var subdirectory: [Entry]?
    }

    /// Pointer tags: their value is the offset of another IFD.
    static let exifIFD: UInt16 = 0x8769, gpsIFD: UInt16 = 0x8825, interoperabilityIFD: UInt16 = 0xA005
    static let pointerTags: Set<UInt16> = [exifIFD, gpsIFD, interoperabilityIFD]
    /// IFD0 tags that describe the photo rather than the pixels: what an EXIF block's IFD0 and a TIFF's share.
    static let descriptiveTags: Set<UInt16> = [0x010E, 0x010F, 0x0110, 0x0131, 0x0132, 0x013B, 0x8298, exifIFD, gpsIFD]
    static let orientationTag: UInt16 = 0x0112
    /// The most value bytes one directory tree is read with: entries may point many times at the same bytes.
    static let maxCopiedBytes = 64 << 20

    static func typeSize(_ type: UInt16) -> Int? {
        switch type {
        case 1, 2, 6, 7: 1
        case 3, 8: 2
        case 4, 9, 11, 13: 4
        case 5, 10, 12: 8
        default: nil
        }
    }

    /// The byte order and the entries of the first IFD of `bytes`, sub-directories
    /// resolved; nil when `bytes` is not TIFF-structured. Damaged entries are left out.
    static func firstDirectory(of bytes: [UInt8]) -> (bigEndian: Bool, entries: [Entry], next: Int)? {
        guard bytes.count >= 8 else { return nil }
        let bigEndian: Bool
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): bigEndian = false
        case (0x4D, 0x4D): bigEndian = true
        default: return nil
        }
        let reader = Reader(bytes: bytes, bigEndian: bigEndian)
        guard reader.u16(2) == 42, let first = reader.u32(4) else { return nil }
        var visited = Set<Int>()
        var budget = maxCopiedBytes
        guard let (entries, next) = reader.directory(at: Int(first), depth: 0, visited: &visited, budget: &budget) else { return nil }
        return (bigEndian, entries, next)
    }

    /// The number of images (IFDs) in a TIFF file, counting at most `limit`.
    static func pageCount(of bytes: [UInt8], limit: Int = 10_000) -> Int {
        guard bytes.count >= 8, bytes[0] == bytes[1], bytes[0] == 0x49 || bytes[0] == 0x4D else { return 0 }
        let reader = Reader(bytes: bytes, bigEndian: bytes[0] == 0x4D)
        var offset = reader.u32(4).map(Int.init) ?? 0, count = 0
        var visited = Set<Int>()
        while offset >= 8, count < limit, visited.insert(offset).inserted, let entries = reader.u16(offset) {
            count += 1
            offset = reader.u32(offset + 2 + entries * 12).map(Int.init) ?? 0
        }
        return count
    }

    struct Reader {
        let bytes: [UInt8]
        let bigEndian: Bool

        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= bytes.count else { return nil }
            let a = Int(bytes[at]), b = Int(bytes[at + 1])
            return bigEndian ? a << 8 | b : b << 8 | a
        }

        func u32(_ at: Int) -> UInt32? {
            guard let first = u16(at), let second = u16(at + 2) else { return nil }
            return UInt32(bigEndian ? first << 16 | second : second << 16 | first)
        }

        /// The entries of the IFD at `offset`; values are copied while `budget` (bytes) lasts, and entries past it are left out.
        func directory(at offset: Int, depth: Int, visited: inout Set<Int>, budget: inout Int) -> ([Entry], Int)? {
            guard depth < 4, visited.insert(offset).inserted, let count = u16(offset), count <= 4096 else { return nil }
            var entries: [Entry] = []
            for index in 0..<count {
                let at = offset + 2 + index * 12
                guard let tag = u16(at), let type = u16(at + 2), let count = u32(at + 4) else { return nil }
                guard let size = TIFFDirectory.typeSize(UInt16(type)) else { continue }
                let (total, overflow) = Int(count).multipliedReportingOverflow(by: size)
                guard !overflow, total <= 64 << 20 else { continue }
                let start: Int
                if total <= 4 { start = at + 8 } else {
                    guard let pointed = u32(at + 8) else { continue }
                    start = Int(pointed)
                }
                guard start >= 0, start + total <= bytes.count, total <= budget else { continue }
                budget -= total
                var entry = Entry(tag: UInt16(tag), type: UInt16(type), count: count, value: Array(bytes[start..<(start + total)]),
                                  bigEndian: bigEndian)
                if TIFFDirectory.pointerTags.contains(entry.tag) {
                    guard let target = u32(at + 8),
                          let (sub, _) = directory(at: Int(target), depth: depth + 1, visited: &visited, budget: &budget) else { continue }
                    entry.subdirectory = sub
                }
                entries.append(entry)
            }
            return (entries, u32(offset + 2 + count * 12).map(Int.init) ?? 0)
        }
    }

    /// `entries` in `bigEndian` order (each value swapped element by element where the orders differ).
    static func converted(_ entries: [Entry], bigEndian: Bool) -> [Entry] {
        entries.map { entry in
            var copy = entry
            copy.subdirectory = entry.subdirectory.map { converted($0, bigEndian: bigEndian) }
            guard entry.bigEndian != bigEndian, let size = typeSize(entry.type) else { return copy }
            let element = entry.type == 5 || entry.type == 10 ? 4 : size  // a rational is two u32
            if element > 1 {
                copy.value = stride(from: 0, to: entry.value.count, by: element).flatMap { entry.value[$0..<min($0 + element, entry.value.count)].reversed() }
            }
            copy.bigEndian = bigEndian
            return copy
        }
    }

    /// The bytes of an IFD with `entries` (sorted by tag) that will sit at
    /// `offset` in its file, followed by its out-of-line values and its
    /// sub-directories; `next` is the offset of the following IFD.
    static func serialized(_ entries: [Entry], at offset: Int, next: UInt32 = 0, bigEndian: Bool) -> [UInt8] {
        let entries = converted(entries, bigEndian: bigEndian).sorted { $0.tag < $1.tag }
        func u16(_ v: Int) -> [UInt8] { bigEndian ? [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] {
            let b = [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
            return bigEndian ? b : b.reversed()
        }
        let tableSize = 2 + entries.count * 12 + 4
        var table = u16(entries.count), data: [UInt8] = []
        for entry in entries {
            table += u16(Int(entry.tag))
            var type = entry.type, count = entry.count, value = entry.value
            if let sub = entry.subdirectory {
                let subOffset = offset + tableSize + data.count
                data += serialized(sub, at: subOffset, bigEndian: bigEndian)
                if data.count % 2 == 1 { data.append(0) }
                (type, count, value) = (4, 1, u32(UInt32(subOffset)))
            }
            table += u16(Int(type)) + u32(count)
            if value.count <= 4 {
                table += value + [UInt8](repeating: 0, count: 4 - value.count)
            } else {
                table += u32(UInt32(offset + tableSize + data.count))
                data += value
                if data.count % 2 == 1 { data.append(0) }
            }
        }
        return table + u32(next) + data
    }

    /// A standalone TIFF-structured block (an EXIF block) with `entries` as its IFD0.
    static func block(_ entries: [Entry], bigEndian: Bool) -> [UInt8] {
        let header: [UInt8] = bigEndian ? [0x4D, 0x4D, 0, 42, 0, 0, 0, 8] : [0x49, 0x49, 42, 0, 8, 0, 0, 0]
        return header + serialized(entries, at: 8, bigEndian: bigEndian)
    }

    static func ascii(_ tag: UInt16, _ text: String, bigEndian: Bool) -> Entry {
        let bytes = Array(text.utf8) + [0]
        return Entry(tag: tag, type: 2, count: UInt32(bytes.count), value: bytes, bigEndian: bigEndian)
    }

    static func bytes(_ tag: UInt16, type: UInt16 = 7, _ data: [UInt8], bigEndian: Bool) -> Entry {
        Entry(tag: tag, type: type, count: UInt32(data.count), value: data, bigEndian: bigEndian)
    }
}

import ColorSpace
import Foundation
import ImageIO

/// Any folder of PNG and JPEG photos as a set of small square images: each
/// photo's centred square, shrunk by area averaging, plus optional random
/// square crops of it for training.
public enum ImageFolder {
    /// What a folder gave: the images, and the files it could not use.
    public struct Loaded: Sendable {
        /// Per photo, `perPhoto` images: its centred square first, then its random crops.
        public let images: ImageSet
        public let perPhoto: Int
        /// Files that could not be used, with the reason.
        public let failures: [(file: String, reason: String)]
        /// Photos left out because they have no colour (`skippingColourless`).
        public let colourless: [String]

        public var photos: Int { images.count / perPhoto }

        /// A seeded division by photo (so no photo is in two parts): training gets
        /// every crop of its photos, validation and test only the centred squares.
        public func split(percentages: (Int, Int, Int), seed: UInt64) -> Split {
            var order = Array(0..<photos)
            var random = SplitMix(seed: seed)
            order.shuffle(using: &random)
            let total = percentages.0 + percentages.1 + percentages.2
            let a = photos * percentages.0 / total, b = a + photos * percentages.1 / total
            let all = { (photos: ArraySlice<Int>) in photos.flatMap { p in (0..<perPhoto).map { p * perPhoto + $0 } } }
            let centres = { (photos: ArraySlice<Int>) in photos.map { $0 * perPhoto } }
            return Split(training: images.subset(all(order[0..<a])), validation: images.subset(centres(order[a..<b])),
                         test: images.subset(centres(order[b...])))
        }
    }

    /// Loads every PNG or JPEG below `folder` (sorted by name).
    /// - Parameters:
    ///   - folder: searched with its subfolders.
    ///   - side: the side of the square images, e.g. 32.
    ///   - randomCrops: extra crops per photo, each a random square of ½ to 1 of the short side.
    ///   - seed: places the random crops.
    ///   - options: the bounds on decoding each photo.
    ///   - skippingColourless: leave out photos whose every pixel is gray (R = G = B within
    ///     2 levels, `Image.hasColour`): a colorizer trained on them learns that those
    ///     scenes are gray.
    public static func load(_ folder: String, side: Int = 32, randomCrops: Int = 0, seed: UInt64 = 1,
                            options: DecodingOptions = .init(), skippingColourless: Bool = false) throws -> Loaded {
        guard let walker = FileManager.default.enumerator(atPath: folder) else {
            throw DatasetError.missingFile(folder)
        }
        var names: [String] = []
        while let name = walker.nextObject() as? String {
            if ImageFormat(path: name) != nil { names.append(name) }
        }
        var random = SplitMix(seed: seed)
        var pixels: [UInt8] = [], failures: [(String, String)] = [], colourless: [String] = []
        for name in names.sorted() {
            let path = folder + "/" + name
            do {
                let photo = try ImageFile.read(path, options: options)
                if skippingColourless && !photo.hasColour() {
                    colourless.append(path)
                    continue
                }
                let short = min(photo.width, photo.height)
                var crops = [((photo.width - short) / 2, (photo.height - short) / 2, short)]
                for _ in 0..<randomCrops {
                    let size = max(1, short / 2 + Int(random.next() % UInt64(short - short / 2 + 1)))  // a 1-pixel photo has only 1-pixel crops
                    crops.append((Int(random.next() % UInt64(photo.width - size + 1)), Int(random.next() % UInt64(photo.height - size + 1)), size))
                }
                for (x, y, size) in crops { pixels += square(photo, x: x, y: y, size: size, side: side) }
            } catch {
                failures.append((path, "\(error)"))
            }
        }
        guard !pixels.isEmpty else { throw DatasetError.empty(folder) }
        return Loaded(images: ImageSet(width: side, height: side, pixels: pixels), perPhoto: 1 + randomCrops, failures: failures,
                      colourless: colourless)
    }

    /// The square at (x, y) of `size` pixels, shrunk to `side`, as R, G, B planes.
    static func square(_ photo: Image<UInt8>, x: Int, y: Int, size: Int, side: Int) -> [UInt8] {
        var out: [UInt8] = []
        for channel in 0..<3 {
            var plane = [Float](repeating: 0, count: size * size)
            let source = photo.layout.hasColor ? channel : 0
            for row in 0..<size {
                for column in 0..<size {
                    plane[row * size + column] = Float(photo[x + column, y + row, source])
                }
            }
            let small = Resampler.areaDownscale(Plane(width: size, height: size, values: plane), width: side, height: side)
            out += small.values.map { UInt8(min(max($0.rounded(), 0), 255)) }
        }
        return out
    }
}

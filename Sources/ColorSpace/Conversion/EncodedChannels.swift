import ImageIO
import Threading

/// Images whose three samples hold L\*a\*b\* or YCbCr in `ColorEncoding`'s
/// integer encodings: what `chroma convert --to lab|ycbcr` writes and
/// `--from lab|ycbcr` reads back.
extension ColorEncoding {
    /// RGB pixels (any layout: alpha is dropped, gray counts as R = G = B) →
    /// three samples a pixel in this encoding, `bitDepth` (8 or 16) bits each.
    /// 16-bit L\*a\*b\* holds every 8-bit colour exactly enough to come back
    /// unchanged; 8-bit L\*a\*b\* does not (a\*, b\* steps of 1, and a\*, b\*
    /// beyond ±127 clipped).
    public func encode(_ pixels: Pixels, bitDepth: Int, threads: Int = Threads.available) -> Pixels {
        precondition(bitDepth == 8 || bitDepth == 16, "8 or 16 bits")
        switch (self, pixels, bitDepth) {
        case (.rgb, _, 8): return .eightBit(pixels.eightBit.rgb())
        case (.rgb, .eightBit(let image), _): return .sixteenBit(image.rgb().widened())
        case (.rgb, .sixteenBit(let image), _): return .sixteenBit(image.rgb())
        case (.lab, .eightBit(let image), 8): return .eightBit(LabConversion.lab8(from: image, threads: threads))
        case (.ycbcr, .eightBit(let image), 8): return .eightBit(JFIF.ycbcr(from: image, threads: threads))
        case (.lab, .eightBit(let image), _): return Self.quantised(LabConversion.planes(from: image, threads: threads), bitDepth)
        case (.lab, .sixteenBit(let image), _): return Self.quantised(LabConversion.planes(from: image, threads: threads), bitDepth)
        case (.ycbcr, _, _): return Self.quantised(Self.ycbcrPlanes(pixels), bitDepth)
        }
    }

    /// Samples in this encoding (three a pixel) → RGB at the same bit depth.
    public func decode(_ pixels: Pixels, threads: Int = Threads.available) -> Pixels {
        switch (self, pixels) {
        case (.rgb, _): return pixels
        case (.lab, .eightBit(let image)): return .eightBit(LabConversion.rgb(fromLab8: image.rgb(), threads: threads))
        case (.ycbcr, .eightBit(let image)): return .eightBit(JFIF.rgb(fromYCbCr: image.rgb(), threads: threads))
        case (_, .sixteenBit(let image)):
            let planes = dequantised(image.rgb())
            var out = [UInt16].uninitialized(image.pixelCount * 3)
            planes.luminance.values.withUnsafeBufferPointer { l in
                planes.chroma1.values.withUnsafeBufferPointer { c1 in
                    planes.chroma2.values.withUnsafeBufferPointer { c2 in
                        out.withUnsafeMutableBufferPointer { out in
                            let (l, c1, c2, out) = (l.baseAddress!, c1.baseAddress!, c2.baseAddress!, out.baseAddress!)
                            ColorKernels.split(image, threads: threads) { pixels in
                                let start = pixels.lowerBound
                                planes.space.rgbRow(luminance: l + start, chroma1: c1 + start, chroma2: c2 + start,
                                                    count: pixels.count, into: out + 3 * start)
                            }
                        }
                    }
                }
            }
            return .sixteenBit(Image(width: image.width, height: image.height, layout: .rgb, samples: out))
        }
    }

    /// Per channel, the sample that holds a value of this encoding's space at `bitDepth`:
    /// value × scale + offset, rounded and clipped.
    private func scaling(_ space: ChromaSpace, bitDepth: Int) -> [(scale: Float, offset: Float)] {
        switch (space, bitDepth) {
        case (.lab, 8): [(2.55, 0), (1, 128), (1, 128)]
        case (.lab, _): [(655.35, 0), (256, 32768), (256, 32768)]
        case (.ycbcr, 8): [(1, 0), (1, 0), (1, 0)]
        case (.ycbcr, _): [(257, 0), (256, 32768 - 128 * 256), (256, 32768 - 128 * 256)]
        }
    }

    private static func quantised(_ planes: ColorPlanes, _ bitDepth: Int) -> Pixels {
        let encoding: ColorEncoding = planes.space == .lab ? .lab : .ycbcr
        let scales = encoding.scaling(planes.space, bitDepth: bitDepth)
        let top = Float((1 << bitDepth) - 1)
        let channels = [planes.luminance.values, planes.chroma1.values, planes.chroma2.values]
        var samples = [UInt16].uninitialized(planes.width * planes.height * 3)
        for (c, values) in channels.enumerated() {
            let (scale, offset) = scales[c]
            for i in values.indices {
                let value = values[i] * scale + offset
                samples[3 * i + c] = UInt16(value > 0 ? (value < top ? value + 0.5 : top) : 0)  // NaN gives 0
            }
        }
        let image = Image(width: planes.width, height: planes.height, layout: .rgb, samples: samples)
        return bitDepth == 8 ? .eightBit(Image(width: image.width, height: image.height, layout: .rgb,
                                               samples: samples.map { UInt8($0) })) : .sixteenBit(image)
    }

    private func dequantised(_ image: Image<UInt16>) -> ColorPlanes {
        let space: ChromaSpace = self == .lab ? .lab : .ycbcr
        let scales = scaling(space, bitDepth: 16)
        let planes = (0..<3).map { c in
            let (scale, offset) = scales[c]
            var values = [Float].uninitialized(image.pixelCount)
            for i in values.indices { values[i] = (Float(image.samples[3 * i + c]) - offset) / scale }
            return Plane(width: image.width, height: image.height, values: values)
        }
        return ColorPlanes(space: space, luminance: planes[0], chroma1: planes[1], chroma2: planes[2])
    }

    /// Y, Cb, Cr in 0…255 units from 8- or 16-bit RGB (16-bit samples count as v / 257).
    private static func ycbcrPlanes(_ pixels: Pixels) -> ColorPlanes {
        switch pixels {
        case .eightBit(let image): return ChromaSpace.ycbcr.planes(from: image)
        case .sixteenBit(let image):
            let rgb = image.rgb()
            var y = [Float].uninitialized(rgb.pixelCount), cb = y, cr = y
            for i in 0..<rgb.pixelCount {
                let r = Float(rgb.samples[3 * i]) / 257, g = Float(rgb.samples[3 * i + 1]) / 257, b = Float(rgb.samples[3 * i + 2]) / 257
                y[i] = 0.299 * r + 0.587 * g + 0.114 * b
                cb[i] = -0.16873589 * r - 0.33126411 * g + 0.5 * b + 128
                cr[i] = 0.5 * r - 0.41868759 * g - 0.08131241 * b + 128
            }
            let plane = { Plane(width: rgb.width, height: rgb.height, values: $0) }
            return ColorPlanes(space: .ycbcr, luminance: plane(y), chroma1: plane(cb), chroma2: plane(cr))
        }
    }
}

extension Image {
    /// Three samples a pixel: alpha dropped, gray repeated.
    func rgb() -> Image {
        switch layout {
        case .rgb: return self
        case .rgba: return droppingAlpha()
        case .gray, .grayAlpha:
            let stride = layout.channels
            var out = [Sample](repeating: 0, count: pixelCount * 3)
            for i in 0..<pixelCount { let v = samples[i * stride]; out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v }
            return Image(width: width, height: height, layout: .rgb, samples: out)
        }
    }
}

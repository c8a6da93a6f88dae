import ImageIO
import Threading

/// sRGB ↔ CIE L\*a\*b\* (D65, 2° observer) on 8 pixels at a time.
///
/// Path: 8-bit code → linear light (table) → XYZ (matrix, divided by the
/// white) → f(t) = ∛t above ε → L\*a\*b\*, and back. CIE's exact ε = 216/24389
/// and κ = 24389/27 keep the two pieces of f continuous.
public enum LabConversion {
    typealias Vector = SIMD8<Float>
    static let lanes = Vector.scalarCount

    /// D65 reference white, Y = 1.
    public static let white: (x: Float, y: Float, z: Float) = (0.95047, 1.0, 1.08883)
    static let epsilon: Float = 216.0 / 24389.0
    static let kappa: Float = 24389.0 / 27.0

    // Linear sRGB → XYZ (IEC 61966-2-1 primaries, D65), rows divided by the white.
    static let toXYZ: [[Float]] = [
        [0.4124564 / 0.95047, 0.3575761 / 0.95047, 0.1804375 / 0.95047],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339 / 1.08883, 0.1191920 / 1.08883, 0.9503041 / 1.08883],
    ]
    // XYZ → linear sRGB, the inverse of the matrix above before the division.
    static let fromXYZ: [[Float]] = [
        [3.2404542, -1.5371385, -0.4985314],
        [-0.9692660, 1.8760108, 0.0415560],
        [0.0556434, -0.2040259, 1.0572252],
    ]

    // MARK: Whole images

    static func planes(from image: Image<UInt8>, threads: Int) -> ColorPlanes {
        let count = image.pixelCount
        var l = [Float].uninitialized(count), a = [Float].uninitialized(count), b = [Float].uninitialized(count)
        let layout = PixelAccess(image.layout)
        image.samples.withUnsafeBufferPointer { source in
            SRGB.linearOfCode.withUnsafeBufferPointer { table in
                l.withUnsafeMutableBufferPointer { l in
                    a.withUnsafeMutableBufferPointer { a in
                        b.withUnsafeMutableBufferPointer { b in
                            let pointers = Pointers(source: source.baseAddress!, table: table.baseAddress!,
                                                    l: l.baseAddress!, a: a.baseAddress!, b: b.baseAddress!)
                            Threads.split(image.height, threads: threads) { _, rows in
                                forward(pointers, layout, from: rows.lowerBound * image.width, to: rows.upperBound * image.width)
                            }
                        }
                    }
                }
            }
        }
        let plane = { Plane(width: image.width, height: image.height, values: $0) }
        return ColorPlanes(space: .lab, luminance: plane(l), chroma1: plane(a), chroma2: plane(b))
    }

    static func image(from planes: ColorPlanes, threads: Int) -> Image<UInt8> {
        let width = planes.width, height = planes.height
        var out = [UInt8].uninitialized(width * height * 3)
        planes.luminance.values.withUnsafeBufferPointer { l in
            planes.chroma1.values.withUnsafeBufferPointer { a in
                planes.chroma2.values.withUnsafeBufferPointer { b in
                    SRGB.codeAtBin.withUnsafeBufferPointer { codes in
                        SRGB.threshold.withUnsafeBufferPointer { thresholds in
                            out.withUnsafeMutableBufferPointer { out in
                                let pointers = InversePointers(l: l.baseAddress!, a: a.baseAddress!, b: b.baseAddress!,
                                                               codes: codes.baseAddress!, thresholds: thresholds.baseAddress!,
                                                               out: out.baseAddress!)
                                Threads.split(height, threads: threads) { _, rows in
                                    inverse(pointers, from: rows.lowerBound * width, to: rows.upperBound * width)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Image(width: width, height: height, layout: .rgb, samples: out)
    }

    // MARK: Kernels

    struct Pointers {
        let source: UnsafePointer<UInt8>
        let table: UnsafePointer<Float>
        let l: UnsafeMutablePointer<Float>
        let a: UnsafeMutablePointer<Float>
        let b: UnsafeMutablePointer<Float>
    }

    struct InversePointers {
        let l: UnsafePointer<Float>
        let a: UnsafePointer<Float>
        let b: UnsafePointer<Float>
        let codes: UnsafePointer<UInt8>
        let thresholds: UnsafePointer<Float>
        let out: UnsafeMutablePointer<UInt8>
    }

    /// Pixels per block: gathered into contiguous scratch rows so the
    /// arithmetic runs on whole vectors and the table look-ups on plain loops.
    static let block = 256

    static func forward(_ p: Pointers, _ layout: PixelAccess, from start: Int, to end: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * block) { scratch in
            let r = scratch.baseAddress!, g = r + block, b = g + block
            var i = start
            while i < end {
                let n = min(block, end - i)
                let source = p.source + i * layout.stride
                for k in 0..<n {
                    let at = k * layout.stride
                    r[k] = p.table[Int(source[at])]
                    g[k] = p.table[Int(source[at + layout.green])]
                    b[k] = p.table[Int(source[at + layout.blue])]
                }
                for k in n..<((n + lanes - 1) / lanes * lanes) { r[k] = 0; g[k] = 0; b[k] = 0 }
                var k = 0
                while k < n {
                    let (L, A, B) = lab(r: load(r + k), g: load(g + k), b: load(b + k))
                    if k + lanes <= n {
                        store(L, p.l + i + k); store(A, p.a + i + k); store(B, p.b + i + k)
                    } else {
                        for j in 0..<(n - k) { p.l[i + k + j] = L[j]; p.a[i + k + j] = A[j]; p.b[i + k + j] = B[j] }
                    }
                    k += lanes
                }
                i += n
            }
        }
    }

    static func inverse(_ p: InversePointers, from start: Int, to end: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * block) { scratch in
            let r = scratch.baseAddress!, g = r + block, b = g + block
            let l = b + block, a = l + block, bb = a + block
            var i = start
            while i < end {
                let n = min(block, end - i)
                let padded = (n + lanes - 1) / lanes * lanes
                if n < padded {
                    for k in 0..<padded { l[k] = k < n ? p.l[i + k] : 0; a[k] = k < n ? p.a[i + k] : 0; bb[k] = k < n ? p.b[i + k] : 0 }
                } else {
                    l.update(from: p.l + i, count: n); a.update(from: p.a + i, count: n); bb.update(from: p.b + i, count: n)
                }
                var k = 0
                while k < n {
                    let (R, G, B) = linearRGB(l: load(l + k), a: load(a + k), b: load(bb + k))
                    store(R, r + k); store(G, g + k); store(B, b + k)
                    k += lanes
                }
                let out = p.out + i * 3
                for k in 0..<n {
                    out[3 * k] = SRGB.code(ofLinear: r[k], codes: p.codes, thresholds: p.thresholds)
                    out[3 * k + 1] = SRGB.code(ofLinear: g[k], codes: p.codes, thresholds: p.thresholds)
                    out[3 * k + 2] = SRGB.code(ofLinear: b[k], codes: p.codes, thresholds: p.thresholds)
                }
                i += n
            }
        }
    }

    @inline(__always) static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always) static func store(_ vector: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: Vector.self)
    }

    // MARK: The arithmetic, for 8 pixels

    /// Linear sRGB (0…1) → L\* (0…100), a\*, b\*.
    @inline(__always)
    static func lab(r: Vector, g: Vector, b: Vector) -> (Vector, Vector, Vector) {
        let m = toXYZ
        let x = r * m[0][0] + g * m[0][1] + b * m[0][2]
        let y = r * m[1][0] + g * m[1][1] + b * m[1][2]
        let z = r * m[2][0] + g * m[2][1] + b * m[2][2]
        let fx = f(x), fy = f(y), fz = f(z)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    /// L\*a\*b\* → linear sRGB (unclipped).
    @inline(__always)
    static func linearRGB(l: Vector, a: Vector, b: Vector) -> (Vector, Vector, Vector) {
        let fy = (l + 16) * (1 / 116)
        let fx = fy + a * (1 / 500)
        let fz = fy - b * (1 / 200)
        let x = inverseF(fx) * white.x
        let y = (fy * fy * fy).replacing(with: l * (1 / kappa), where: l .<= kappa * epsilon)
        let z = inverseF(fz) * white.z
        let m = fromXYZ
        return (x * m[0][0] + y * m[0][1] + z * m[0][2],
                x * m[1][0] + y * m[1][1] + z * m[1][2],
                x * m[2][0] + y * m[2][1] + z * m[2][2])
    }

    /// CIE's f(t): ∛t above ε, a line of the same value and slope below.
    @inline(__always)
    static func f(_ t: Vector) -> Vector {
        cubeRoot(t).replacing(with: (kappa * t + 16) * (1 / 116), where: t .<= epsilon)
    }

    @inline(__always)
    static func inverseF(_ f: Vector) -> Vector {
        let cube = f * f * f
        return cube.replacing(with: (116 * f - 16) * (1 / kappa), where: cube .<= epsilon)
    }

    /// ∛t for t > 0 to float precision: a guess from the exponent bits, then two Halley steps.
    @inline(__always)
    static func cubeRoot(_ t: Vector) -> Vector {
        let x = t.replacing(with: epsilon, where: t .< epsilon)  // f() uses the line there anyway
        // A third of the bit pattern is a third of the exponent: ∛ to a few per
        // cent. Vectors have no integer division, so 1/3 is summed from shifts
        // (1/4 + 1/16 + … + 1/4096); the constant puts back what that omits.
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        var third = bits &>> 2
        third &+= bits &>> 4; third &+= bits &>> 6; third &+= bits &>> 8; third &+= bits &>> 10; third &+= bits &>> 12
        var y = unsafeBitCast(third &+ 709_921_077 &+ 88_000, to: Vector.self)
        for _ in 0..<2 {
            let y3 = y * y * y
            y = y * (y3 + 2 * x) / (2 * y3 + x)
        }
        return y
    }
}

/// Where R, G and B sit in a pixel of some layout (gray: all three are the one sample).
struct PixelAccess: Sendable {
    let stride: Int
    let green: Int
    let blue: Int

    init(_ layout: PixelLayout) {
        stride = layout.channels
        (green, blue) = layout.hasColor ? (1, 2) : (0, 0)
    }
}

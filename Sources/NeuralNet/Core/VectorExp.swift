/// e^x for eight floats at once: the softmax of a binned colorizer takes one
/// exponential per bin per pixel (144 per pixel for a 12 × 12 grid), and libm's
/// `expf` one value at a time was a tenth of a training step.
///
/// Cephes' single-precision method: x = n·ln 2 + r with |r| ≤ ½ ln 2, e^r from a
/// degree-7 polynomial, 2ⁿ put straight into the exponent bits. Relative error
/// within 3·10⁻⁷ of the exact value (tested) for x in −87…88; inputs below −87 give 0 (no subnormals),
/// inputs above 88 give e⁸⁸.
@inline(__always)
func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // Clamped by masks: `clamped(lowerBound:upperBound:)` compiles to calls of the
    // generic pointwiseMin and pointwiseMax, which were a third of this function's time.
    let input = x, x = x.replacing(with: -87, where: x .< -87).replacing(with: 88, where: x .> 88)
    // Adding 1.5·2²³ rounds x·log₂e to an integer held in the low mantissa bits,
    // which avoids Swift's float-to-integer vector conversion (not vectorised).
    let magic: Float = 12_582_912
    let shifted = x * 1.442_695_04 + magic
    let n = shifted - magic
    // ln 2 in two parts, so that n·ln 2 is exact enough to subtract.
    let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 0.166_666_655
    p = p * r + 0.500_000_01
    p = p * (r * r) + r + 1
    let exponent = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    let scale = unsafeBitCast(exponent, to: SIMD8<Float>.self)
    return (p * scale).replacing(with: 0, where: input .< -87)
}

/// `out[i] = e^(source[i] · scale + offset[i])` for `count` floats, eight at a time
/// (`out` may be `source`).
///
/// - `source`: count floats
/// - `offset`: count floats (a per-pixel shift, e.g. minus the largest logit)
/// - `out`: count floats, written
@inline(__always)
func vectorExp(_ source: UnsafePointer<Float>, offset: UnsafePointer<Float>, scale: Float = 1, count: Int,
               into out: UnsafeMutablePointer<Float>) {
    let rawSource = UnsafeRawPointer(source), rawOffset = UnsafeRawPointer(offset), rawOut = UnsafeMutableRawPointer(out)
    var i = 0
    while i + 8 <= count {
        let x = rawSource.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        let shift = rawOffset.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        rawOut.storeBytes(of: exp8(x * scale + shift), toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    guard i < count else { return }
    // The last few through the same function, so that every value gets the same rounding.
    var x = SIMD8<Float>(repeating: 0), shift = x
    for lane in 0..<(count - i) { x[lane] = source[i + lane]; shift[lane] = offset[i + lane] }
    let y = exp8(x * scale + shift)
    for lane in 0..<(count - i) { out[i + lane] = y[lane] }
}

/// `values[i] = e^(values[i] · scale + offset[i])` for `count` floats (`vectorExp` in place).
@inline(__always)
func expInPlace(_ values: UnsafeMutablePointer<Float>, offset: UnsafePointer<Float>, scale: Float = 1, count: Int) {
    vectorExp(values, offset: offset, scale: scale, count: count, into: values)
}

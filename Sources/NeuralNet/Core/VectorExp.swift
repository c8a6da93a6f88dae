import CNeuralNet

/// `out[i] = e^(source[i] · scale + offset[i])` for `count` floats (`out` may be `source`).
///
/// The softmax of a binned colorizer takes one exponential per bin per pixel (144
/// per pixel for a 12 × 12 grid), and libm's `expf` one value at a time was a
/// tenth of a training step. This is Cephes' single-precision method, vectorised
/// in CNeuralNet: x = n·ln 2 + r with |r| ≤ ½ ln 2, e^r from a degree-7
/// polynomial, 2ⁿ put straight into the exponent bits. Relative error within
/// 3·10⁻⁷ of the exact value (tested) for x in −87…88; inputs below −87 give 0
/// (no subnormals), inputs above 88 give e⁸⁸.
///
/// - `source`: count floats
/// - `offset`: count floats (a per-pixel shift, e.g. minus the largest logit)
/// - `out`: count floats, written
@inline(__always)
func vectorExp(_ source: UnsafePointer<Float>, offset: UnsafePointer<Float>, scale: Float = 1, count: Int,
               into out: UnsafeMutablePointer<Float>) {
    chroma_nn_exp(source, offset, scale, count, out)
}

/// `values[i] = e^(values[i] · scale + offset[i])` for `count` floats (`vectorExp` in place).
@inline(__always)
func expInPlace(_ values: UnsafeMutablePointer<Float>, offset: UnsafePointer<Float>, scale: Float = 1, count: Int) {
    vectorExp(values, offset: offset, scale: scale, count: count, into: values)
}

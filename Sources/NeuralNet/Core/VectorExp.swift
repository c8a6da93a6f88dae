import CNeuralNet

/// `values[i] = e^(values[i] · scale + offset[i])` for `count` floats, in place.
///
/// The softmax of a binned colorizer takes one exponential per bin per pixel (144
/// per pixel for a 12 × 12 grid), and libm's `expf` one value at a time was a
/// tenth of a training step. This is Cephes' single-precision method, vectorised
/// in CNeuralNet (whose cross-entropy and annealed mean inline the same function):
/// x = n·ln 2 + r with |r| ≤ ½ ln 2, e^r from a degree-7 polynomial, 2ⁿ put
/// straight into the exponent bits. Relative error within 3·10⁻⁷ of the exact
/// value (tested) for x in −87…88; inputs below −87 give 0 (no subnormals),
/// inputs above 88 give e⁸⁸.
///
/// - `values`: count floats, replaced
/// - `offset`: count floats (a per-pixel shift, e.g. minus the largest logit)
@inline(__always)
func expInPlace(_ values: UnsafeMutablePointer<Float>, offset: UnsafePointer<Float>, scale: Float = 1, count: Int) {
    chroma_nn_exp(values, offset, scale, count, values)
}

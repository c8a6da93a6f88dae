import CNeuralNet

/// Stride-1 "same" 3 × 3 convolution by Winograd's F(2 × 2, 3 × 3), for planes of
/// even height and width: each 2 × 2 block of outputs from its 4 × 4 input window,
/// with 16 multiply-adds per block and channel pair instead of 36.
///
/// For a group of n samples (T = n · H/2 · W/2 tiles), the CNeuralNet kernels
/// transform the inputs, V_ξ[Cin, T] = (Bᵀ d B)_ξ, and the weights once per pass,
/// U_ξ[Cout, Cin] = (G g Gᵀ)_ξ; then for each of the 16 positions ξ
///
///     M_ξ[Cout, T] = U_ξ · V_ξ            y = Aᵀ M A + bias   (per tile)
///
/// and backward, the adjoints of the same steps:
///
///     dM = A dY Aᵀ    dU_ξ += dM_ξ · V_ξᵀ    dV_ξ = U_ξᵀ · dM_ξ    dx = Σ B dV Bᵀ    dW += Gᵀ dU G
///
/// It pays where the products dominate the transforms, whose cost grows with
/// Cin + Cout where the products' does with Cin · Cout: `Convolution` takes it
/// for layers with Cin · Cout / (Cin + Cout) ≥ `minimumHarmonicChannels`.
struct WinogradConvolution: GroupedConvolution {
    let inChannels: Int
    let outChannels: Int
    let height: Int
    let width: Int

    /// Cin · Cout / (Cin + Cout), half the harmonic mean of the channel counts, from
    /// which a layer takes this path (measured: docs/results/performance.md).
    static let minimumHarmonicChannels = 20

    static func applies(inChannels: Int, outChannels: Int, height: Int, width: Int) -> Bool {
        height % 2 == 0 && width % 2 == 0 && height >= 4 && width >= 4
            && inChannels * outChannels >= minimumHarmonicChannels * (inChannels + outChannels)
    }

    init(_ geometry: PatchGeometry, outChannels: Int) {
        inChannels = geometry.channels
        self.outChannels = outChannels
        height = geometry.bigHeight
        width = geometry.bigWidth
    }

    var tilesPerSample: Int { height / 2 * (width / 2) }

    /// Samples per group: as many as keep V, M and dV within 1 MB (a core's second-level
    /// cache here), at least one. A constant, not the cache's size, so that the same seed
    /// trains the same model on any machine: the weight gradients' sums are split by group.
    var group: Int { max(1, min(32, (1 << 18) / (16 * tilesPerSample * (2 * inChannels + outChannels)))) }

    /// Floats from one of the 16 planes of U, V or M to the next: a cache line more than
    /// the plane, so that the planes' rows, which the transforms read and write side by
    /// side, do not all fall on one set of the first-level cache (as they would a multiple
    /// of 4 KB apart: 64 × 192 floats, say).
    static func planeStride(_ plane: Int) -> Int { plane + 16 }

    var tiles: Int { group * tilesPerSample }
    var vStride: Int { Self.planeStride(inChannels * tiles) }
    var mStride: Int { Self.planeStride(outChannels * tiles) }
    var uStride: Int { Self.planeStride(outChannels * inChannels) }
    /// Floats of the transformed weights U (or their gradients dU).
    var transformedWeights: Int { 16 * uStride }

    /// Scratch per thread: V and dV [16, Cin, T], M or dM [16, Cout, T], U and dU
    /// [16, Cout, Cin], the bias gradient, and the transforms' rows.
    var scratchPerThread: Int {
        16 * (2 * vStride + mStride) + 2 * transformedWeights + outChannels + 10 * (width / 2 + 1)
    }

    struct Scratch {
        let v: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>
        let u: UnsafeMutablePointer<Float>, du: UnsafeMutablePointer<Float>
        let biasGradient: UnsafeMutablePointer<Float>, rows: UnsafeMutablePointer<Float>
    }

    /// Predicting takes one sample at a time: OpenBLAS picks its kernel, and with it the
    /// order of a product's sums, by the matrices' sizes, so grouping samples would make a
    /// photo's prediction depend on how many threads share the batch (other last bits on
    /// one thread than on two).
    var predictingGroup: Int { 1 }

    /// A thread's scratch at `base`; `weights`, when given, is where `prepareWeights` put
    /// the transformed weights U for all threads (thread 0's region), instead of this thread's own.
    func scratch(_ base: UnsafeMutablePointer<Float>, weights shared: UnsafeMutablePointer<Float>?) -> Scratch {
        let v = base, dv = v + 16 * vStride, m = dv + 16 * vStride
        let u = m + 16 * mStride, du = u + transformedWeights, biasGradient = du + transformedWeights
        return Scratch(v: v, dv: dv, m: m, u: shared ?? u, du: du, biasGradient: biasGradient,
                       rows: biasGradient + outChannels)
    }

    /// U ← the weights transformed, once per pass for every thread, into thread 0's scratch at `scratch`.
    func prepareWeights(_ weights: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
        let target = self.scratch(scratch, weights: nil).u
        chroma_nn_winograd_weights(weights, outChannels, inChannels, uStride, target)
        return target
    }

    // x: n × [Cin, H, W] → y: n × [Cout, H, W]; s.u must hold the transformed weights.
    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, samples n: Int,
                 bias: UnsafePointer<Float>, scratch s: Scratch) {
        let tiles = n * tilesPerSample
        chroma_nn_winograd_input(x, n, inChannels * height * width, inChannels, height, width, tiles, vStride, s.rows, s.v)
        for xi in 0..<16 {
            BLAS.gemm(m: outChannels, n: tiles, k: inChannels, a: s.u + xi * uStride,
                      b: s.v + xi * vStride, c: s.m + xi * mStride)
        }
        chroma_nn_winograd_output(s.m, n, outChannels, height, width, tiles, mStride, bias, y)
    }

    // Gradients accumulate into s.du (transformed) and s.biasGradient; dx is written.
    func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, samples n: Int,
                  scratch s: Scratch) {
        let tiles = n * tilesPerSample
        chroma_nn_winograd_input(x, n, inChannels * height * width, inChannels, height, width, tiles, vStride, s.rows, s.v)
        chroma_nn_winograd_output_adjoint(dy, n, outChannels, height, width, tiles, mStride, s.m, s.biasGradient)
        for xi in 0..<16 {
            BLAS.gemm(transposeB: true, m: outChannels, n: inChannels, k: tiles,
                      a: s.m + xi * mStride, b: s.v + xi * vStride, beta: 1, c: s.du + xi * uStride)
        }
        guard let dx else { return }
        for xi in 0..<16 {
            BLAS.gemm(transposeA: true, m: inChannels, n: tiles, k: outChannels,
                      a: s.u + xi * uStride, b: s.m + xi * mStride, c: s.dv + xi * vStride)
        }
        chroma_nn_winograd_input_adjoint(s.dv, n, inChannels * height * width, inChannels, height, width, tiles,
                                         vStride, s.rows, dx)
    }

    func clearGradients(_ s: Scratch) {
        s.du.update(repeating: 0, count: transformedWeights)
        s.biasGradient.update(repeating: 0, count: outChannels)
    }

    /// Adds the weight gradients, in the layer's layout, and the bias gradients to `gradients`.
    func addGradients(from s: Scratch, to gradients: UnsafeMutablePointer<Float>) {
        chroma_nn_winograd_weights_adjoint(s.du, outChannels, inChannels, uStride, gradients)
        let bias = gradients + outChannels * inChannels * 9
        for o in 0..<outChannels { bias[o] += s.biasGradient[o] }
    }
}

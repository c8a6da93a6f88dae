import CNeuralNet

/// Stride-1 "same" convolution with an odd kernel, without im2col.
///
/// A group of n samples is copied, zero-padded by p = (k − 1)/2, into one wide
/// matrix per channel, Xp[Cin, n·Pp]. Neighbours share their padding: each row
/// is followed by p zeros, which are also the next row's left padding (row
/// pitch Wp = W + p), and each sample by p zero rows, which are also the next
/// sample's top padding (Pp = (H + p)·Wp per sample), after p rows and p zeros
/// ahead of the first. In the padded grid, output pixel q needs input pixel
/// q + ky·Wp + kx for each kernel offset, so the k horizontal offsets are
/// stacked as k shifted copies, Xs[(kx, c), q] = Xp[c, q + kx], and the
/// convolution is k matrix products with vertically shifted views of Xs:
///
///     Yw[Cout, n·Pp] = Σ_ky W_ky[Cout, k·Cin] · Xs[:, q + ky·Wp]
///
/// Yw holds the outputs at the padded grid's positions; those in the padding
/// are computed and thrown away: for a 3 × 3 kernel (H + 1)(W + 1)/HW − 1 more
/// arithmetic (6 % at 32 × 32, 27 % at 8 × 8; separate borders of p on every
/// side cost 13 % and 56 %) for a k-fold copy instead of im2col's k²-fold one.
struct ShiftedConvolution: GroupedConvolution {
    let geometry: PatchGeometry
    let inChannels: Int
    let outChannels: Int
    let kernel: Int

    init(_ geometry: PatchGeometry, outChannels: Int) {
        self.geometry = geometry
        inChannels = geometry.channels
        self.outChannels = outChannels
        kernel = geometry.kernel
    }

    var pad: Int { geometry.pad }
    var height: Int { geometry.bigHeight }
    var width: Int { geometry.bigWidth }
    /// The row pitch: a row and the p zeros it shares with the next.
    var paddedWidth: Int { width + pad }
    /// Floats of one padded sample plane: its rows and the p zero rows it shares with the next.
    var paddedPlane: Int { (height + pad) * paddedWidth }
    /// The largest shift: the padded matrix carries this many extra zeros at its end.
    var tail: Int { (kernel - 1) * paddedWidth + kernel - 1 }
    var taps: Int { kernel * kernel }

    /// Rows of the stacked matrix Xs: k · Cin.
    var stacked: Int { kernel * inChannels }

    /// Samples per group: as many as keep the wide matrices (Xs, dXs and Yw) within 512 KB, so
    /// that they stay in a core's second-level cache (1 MB here) while OpenBLAS packs and
    /// multiplies them. Groups of 4 MB trained the 9-layer CAE 25–35 % slower (the U-Net, whose
    /// products are larger, the same). A constant, not the cache's size, so that the same seed
    /// trains the same model on any machine: the weight gradients' sums are split by group.
    var group: Int { max(1, min(32, (1 << 17) / (paddedPlane * (2 * stacked + outChannels)))) }

    /// Scratch per thread: Xs and dXs [k·Cin, n·Pp + tail], Yw [Cout, n·Pp], the
    /// weights by kernel row [k, Cout, k·Cin], and their gradients with the bias's.
    var scratchPerThread: Int {
        let n = group
        return 2 * stacked * (n * paddedPlane + tail) + outChannels * n * paddedPlane
            + 2 * taps * outChannels * inChannels + outChannels
    }

    struct Scratch {
        let padded: UnsafeMutablePointer<Float>, paddedGradient: UnsafeMutablePointer<Float>
        let wide: UnsafeMutablePointer<Float>
        let weightsByTap: UnsafeMutablePointer<Float>, gradientsByTap: UnsafeMutablePointer<Float>
        let biasGradient: UnsafeMutablePointer<Float>
    }

    /// Predicting groups samples as training does.
    var predictingGroup: Int { group }

    /// A thread's scratch at `base`; `weights`, when given, is where `prepareWeights`
    /// put the weights by kernel row for all threads (thread 0's region), instead of this thread's own.
    func scratch(_ base: UnsafeMutablePointer<Float>, weights shared: UnsafeMutablePointer<Float>?) -> Scratch {
        let n = group, paddedCount = stacked * (n * paddedPlane + tail)
        let padded = base, paddedGradient = padded + paddedCount, wide = paddedGradient + paddedCount
        let weightsByTap = wide + outChannels * n * paddedPlane
        let gradientsByTap = weightsByTap + taps * outChannels * inChannels
        return Scratch(padded: padded, paddedGradient: paddedGradient, wide: wide, weightsByTap: shared ?? weightsByTap,
                       gradientsByTap: gradientsByTap, biasGradient: gradientsByTap + taps * outChannels * inChannels)
    }

    /// The weights by kernel row, once per pass for every thread: written into the
    /// weights region of the scratch at `scratch` (thread 0's), which it returns.
    func prepareWeights(_ weights: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
        let target = self.scratch(scratch, weights: nil).weightsByTap
        splitWeights(weights, into: target)
        return target
    }

    /// W[o, c, ky, kx] (the layer's layout) → W_ky[o, (kx, c)], at ((ky · Cout + o) · k + kx) · Cin + c.
    func splitWeights(_ weights: UnsafePointer<Float>, into byRow: UnsafeMutablePointer<Float>) {
        chroma_nn_weights_by_row(weights, outChannels, inChannels, kernel, byRow)
    }

    /// Xs ← the n samples at x, zero-padded, channel-major, in k copies shifted by 0…k − 1.
    func pad(_ x: UnsafePointer<Float>, samples n: Int, sampleCount: Int, into padded: UnsafeMutablePointer<Float>) {
        chroma_nn_shifted_pad(x, n, sampleCount, inChannels, height, width, pad, kernel, paddedWidth, paddedPlane,
                              n * paddedPlane + tail, padded)
    }

    // x: n × [Cin, H, W] → y: n × [Cout, H, W]; s.weightsByTap must hold prepareWeights' result.
    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, samples n: Int,
                 bias: UnsafePointer<Float>, scratch s: Scratch) {
        let pitch = n * paddedPlane + tail, wide = n * paddedPlane
        pad(x, samples: n, sampleCount: inChannels * height * width, into: s.padded)
        for ky in 0..<kernel {
            BLAS.gemm(m: outChannels, n: wide, k: stacked,
                      a: s.weightsByTap + ky * outChannels * stacked, b: s.padded + ky * paddedWidth, ldb: pitch,
                      beta: ky == 0 ? 0 : 1, c: s.wide)
        }
        chroma_nn_shifted_gather_outputs(s.wide, n, outChannels, height, width, paddedWidth, paddedPlane, bias, y)
    }

    // dYw ← dy at the valid positions, 0 elsewhere;  dW_ky += dYw · Xs[:, q + ky·Wp]ᵀ;  db += Σ dy;
    // dXs[:, q + ky·Wp] += W_kyᵀ · dYw;  dx ← Σ_kx dXs[(kx, c), q − kx] at the interior positions.
    // Gradients accumulate into s.gradientsByTap and s.biasGradient.
    func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, samples n: Int,
                  scratch s: Scratch) {
        let pitch = n * paddedPlane + tail, wide = n * paddedPlane, plane = height * width
        pad(x, samples: n, sampleCount: inChannels * plane, into: s.padded)
        s.wide.update(repeating: 0, count: outChannels * wide)
        chroma_nn_shifted_scatter_gradient(dy, n, outChannels, height, width, paddedWidth, paddedPlane, s.wide,
                                           s.biasGradient)
        for ky in 0..<kernel {
            BLAS.gemm(transposeB: true, m: outChannels, n: stacked, k: wide,
                      a: s.wide, lda: wide, b: s.padded + ky * paddedWidth, ldb: pitch,
                      beta: 1, c: s.gradientsByTap + ky * outChannels * stacked)
        }
        guard let dx else { return }
        s.paddedGradient.update(repeating: 0, count: stacked * pitch)
        for ky in 0..<kernel {
            BLAS.gemm(transposeA: true, m: stacked, n: wide, k: outChannels,
                      a: s.weightsByTap + ky * outChannels * stacked, lda: stacked,
                      b: s.wide, ldb: wide, beta: 1, c: s.paddedGradient + ky * paddedWidth, ldc: pitch)
        }
        chroma_nn_shifted_gather_input_gradient(s.paddedGradient, n, inChannels, kernel, height, width, pad, paddedWidth,
                                                paddedPlane, pitch, dx)
    }

    func clearGradients(_ s: Scratch) {
        s.gradientsByTap.update(repeating: 0, count: taps * outChannels * inChannels + outChannels)  // the bias's follow
    }

    /// Adds the by-row weight gradients, in the layer's layout, and the bias gradients to `gradients`.
    func addGradients(from s: Scratch, to gradients: UnsafeMutablePointer<Float>) {
        chroma_nn_add_gradients_by_row(s.gradientsByTap, outChannels, inChannels, kernel, gradients)
        let bias = gradients + outChannels * inChannels * taps
        for o in 0..<outChannels { bias[o] += s.biasGradient[o] }
    }
}

/// Stride-1 "same" convolution with an odd kernel, without im2col.
///
/// A group of n samples is copied, zero-padded by p = (k − 1)/2, into one wide
/// matrix per channel, Xp[Cin, n·Pp] (Pp = (H + 2p)(W + 2p) per sample). In the
/// padded grid, output pixel q needs input pixel q + s for each kernel offset
/// s = ky·Wp + kx, so the convolution is k² matrix products with shifted views:
///
///     Yw[Cout, n·Pp] = Σ_s W_s[Cout, Cin] · Xp[:, q + s]
///
/// Yw holds the outputs at the padded grid's positions; the border positions
/// are computed and thrown away (a few per cent more arithmetic, no k²-fold copy).
struct ShiftedConvolution {
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
    var paddedWidth: Int { width + 2 * pad }
    /// Floats of one padded sample plane.
    var paddedPlane: Int { (height + 2 * pad) * paddedWidth }
    /// The largest shift: the padded matrix carries this many extra zeros at its end.
    var tail: Int { (kernel - 1) * paddedWidth + kernel - 1 }
    var taps: Int { kernel * kernel }

    func shift(_ tap: Int) -> Int { (tap / kernel) * paddedWidth + tap % kernel }

    /// Samples per group: as many as keep the wide matrices near 4 MB.
    var group: Int { max(1, min(32, (1 << 20) / (paddedPlane * (2 * inChannels + outChannels)))) }

    /// Scratch per thread: Xp and dXp [Cin, n·Pp + tail], Yw [Cout, n·Pp], the
    /// weights by tap [k², Cout, Cin], and their gradients with the bias's.
    var scratchPerThread: Int {
        let n = group
        return 2 * inChannels * (n * paddedPlane + tail) + outChannels * n * paddedPlane
            + 2 * taps * outChannels * inChannels + outChannels
    }

    struct Scratch {
        let padded: UnsafeMutablePointer<Float>, paddedGradient: UnsafeMutablePointer<Float>
        let wide: UnsafeMutablePointer<Float>
        let weightsByTap: UnsafeMutablePointer<Float>, gradientsByTap: UnsafeMutablePointer<Float>
        let biasGradient: UnsafeMutablePointer<Float>
    }

    func scratch(_ base: UnsafeMutablePointer<Float>) -> Scratch {
        let n = group, paddedCount = inChannels * (n * paddedPlane + tail)
        let padded = base, paddedGradient = padded + paddedCount, wide = paddedGradient + paddedCount
        let weightsByTap = wide + outChannels * n * paddedPlane
        let gradientsByTap = weightsByTap + taps * outChannels * inChannels
        return Scratch(padded: padded, paddedGradient: paddedGradient, wide: wide, weightsByTap: weightsByTap,
                       gradientsByTap: gradientsByTap, biasGradient: gradientsByTap + taps * outChannels * inChannels)
    }

    /// W[o, c, tap] (the layer's layout) → W_tap[o, c].
    func splitWeights(_ weights: UnsafePointer<Float>, into byTap: UnsafeMutablePointer<Float>) {
        for o in 0..<outChannels {
            for c in 0..<inChannels {
                let source = weights + (o * inChannels + c) * taps
                for tap in 0..<taps { byTap[(tap * outChannels + o) * inChannels + c] = source[tap] }
            }
        }
    }

    /// Xp ← the n samples at x, zero-padded, channel-major.
    func pad(_ x: UnsafePointer<Float>, samples n: Int, sampleCount: Int, into padded: UnsafeMutablePointer<Float>) {
        let pitch = n * paddedPlane + tail
        padded.update(repeating: 0, count: inChannels * pitch)
        for j in 0..<n {
            for c in 0..<inChannels {
                let source = x + j * sampleCount + c * height * width
                let target = padded + c * pitch + j * paddedPlane + pad * paddedWidth + pad
                for y in 0..<height { (target + y * paddedWidth).update(from: source + y * width, count: width) }
            }
        }
    }

    // x: n × [Cin, H, W] → y: n × [Cout, H, W]
    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, samples n: Int,
                 weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, scratch s: Scratch) {
        let pitch = n * paddedPlane + tail, wide = n * paddedPlane
        pad(x, samples: n, sampleCount: inChannels * height * width, into: s.padded)
        splitWeights(weights, into: s.weightsByTap)
        for tap in 0..<taps {
            BLAS.gemm(m: outChannels, n: wide, k: inChannels,
                      a: s.weightsByTap + tap * outChannels * inChannels, b: s.padded + shift(tap), ldb: pitch,
                      beta: tap == 0 ? 0 : 1, c: s.wide)
        }
        let plane = height * width
        for j in 0..<n {
            for o in 0..<outChannels {
                let source = s.wide + o * wide + j * paddedPlane, target = y + (j * outChannels + o) * plane
                let value = bias[o]
                for row in 0..<height {
                    let from = source + row * paddedWidth, to = target + row * width
                    for i in 0..<width { to[i] = from[i] + value }
                }
            }
        }
    }

    // dYw ← dy at the valid positions, 0 elsewhere;  dW_tap += dYw · Xp[:, q + s]ᵀ;  db += Σ dy;
    // dXp[:, q + s] += W_tapᵀ · dYw;  dx ← the interior of dXp.
    // Gradients accumulate into s.gradientsByTap and s.biasGradient.
    func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, samples n: Int,
                  scratch s: Scratch) {
        let pitch = n * paddedPlane + tail, wide = n * paddedPlane, plane = height * width
        pad(x, samples: n, sampleCount: inChannels * plane, into: s.padded)
        s.wide.update(repeating: 0, count: outChannels * wide)
        for j in 0..<n {
            for o in 0..<outChannels {
                let source = dy + (j * outChannels + o) * plane, target = s.wide + o * wide + j * paddedPlane
                var sum: Float = 0
                for row in 0..<height {
                    let from = source + row * width, to = target + row * paddedWidth
                    for i in 0..<width { to[i] = from[i]; sum += from[i] }
                }
                s.biasGradient[o] += sum
            }
        }
        for tap in 0..<taps {
            BLAS.gemm(transposeB: true, m: outChannels, n: inChannels, k: wide,
                      a: s.wide, lda: wide, b: s.padded + shift(tap), ldb: pitch,
                      beta: 1, c: s.gradientsByTap + tap * outChannels * inChannels)
        }
        guard let dx else { return }
        s.paddedGradient.update(repeating: 0, count: inChannels * pitch)
        for tap in 0..<taps {
            BLAS.gemm(transposeA: true, m: inChannels, n: wide, k: outChannels,
                      a: s.weightsByTap + tap * outChannels * inChannels, lda: inChannels,
                      b: s.wide, ldb: wide, beta: 1, c: s.paddedGradient + shift(tap), ldc: pitch)
        }
        for j in 0..<n {
            for c in 0..<inChannels {
                let source = s.paddedGradient + c * pitch + j * paddedPlane + pad * paddedWidth + pad
                let target = dx + (j * inChannels + c) * plane
                for row in 0..<height { (target + row * width).update(from: source + row * paddedWidth, count: width) }
            }
        }
    }

    /// Adds the per-tap weight gradients, in the layer's layout, and the bias gradients to `gradients`.
    func addGradients(from s: Scratch, to gradients: UnsafeMutablePointer<Float>) {
        for o in 0..<outChannels {
            for c in 0..<inChannels {
                let target = gradients + (o * inChannels + c) * taps
                for tap in 0..<taps { target[tap] += s.gradientsByTap[(tap * outChannels + o) * inChannels + c] }
            }
        }
        let bias = gradients + outChannels * inChannels * taps
        for o in 0..<outChannels { bias[o] += s.biasGradient[o] }
    }
}

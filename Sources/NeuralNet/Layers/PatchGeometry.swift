/// How kernel patches tile a grid: the "big" grid is the one a convolution
/// reads (or a transposed convolution writes), the "small" grid holds one
/// position per patch. Patch (sy, sx), offset (ky, kx) touches big-grid pixel
/// (sy·stride + ky − pad, sx·stride + kx − pad); pixels off the grid read as 0.
struct PatchGeometry: Sendable {
    let channels: Int
    let bigHeight: Int, bigWidth: Int
    let smallHeight: Int, smallWidth: Int
    let kernel: Int, stride: Int, pad: Int

    /// Rows of the patch matrix: channels × kernel × kernel.
    var rows: Int { channels * kernel * kernel }
    /// Columns of the patch matrix: one per small-grid position.
    var positions: Int { smallHeight * smallWidth }

    /// The valid range of small-grid coordinates for kernel offset `k` along an axis of `big` pixels.
    @inline(__always)
    private func validRange(offset k: Int, big: Int, small: Int) -> Range<Int> {
        // s·stride + k − pad ∈ [0, big)  ⇔  s ∈ [ceil((pad − k)/stride), ceil((big + pad − k)/stride))
        let low = max(0, ceilDiv(pad - k, stride)), high = min(small, ceilDiv(big + pad - k, stride))
        return low..<max(low, high)
    }

    @inline(__always)
    private func ceilDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -((-a) / b) }

    /// col[rows × positions] ← patches of big[channels × bigHeight × bigWidth];
    /// rows of col are `pitch` floats apart (several samples can share one matrix).
    func im2col(_ big: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, pitch: Int? = nil) {
        let P = pitch ?? positions
        for c in 0..<channels {
            let plane = big + c * bigHeight * bigWidth
            for ky in 0..<kernel {
                let ys = validRange(offset: ky, big: bigHeight, small: smallHeight)
                for kx in 0..<kernel {
                    let row = col + ((c * kernel + ky) * kernel + kx) * P
                    let xs = validRange(offset: kx, big: bigWidth, small: smallWidth)
                    for sy in 0..<smallHeight {
                        let out = row + sy * smallWidth
                        guard ys.contains(sy), !xs.isEmpty else {
                            out.update(repeating: 0, count: smallWidth)
                            continue
                        }
                        if xs.lowerBound > 0 { out.update(repeating: 0, count: xs.lowerBound) }
                        if xs.upperBound < smallWidth { (out + xs.upperBound).update(repeating: 0, count: smallWidth - xs.upperBound) }
                        let source = plane + (sy * stride + ky - pad) * bigWidth + kx - pad
                        if stride == 1 {
                            (out + xs.lowerBound).update(from: source + xs.lowerBound, count: xs.count)
                        } else {
                            for sx in xs { out[sx] = source[sx * stride] }
                        }
                    }
                }
            }
        }
    }

    /// big[channels × bigHeight × bigWidth] += patches in col[rows × positions] (the adjoint of
    /// im2col); rows of col are `pitch` floats apart.
    func col2im(_ col: UnsafePointer<Float>, _ big: UnsafeMutablePointer<Float>, pitch: Int? = nil) {
        let P = pitch ?? positions
        for c in 0..<channels {
            let plane = big + c * bigHeight * bigWidth
            for ky in 0..<kernel {
                let ys = validRange(offset: ky, big: bigHeight, small: smallHeight)
                for kx in 0..<kernel {
                    let row = col + ((c * kernel + ky) * kernel + kx) * P
                    let xs = validRange(offset: kx, big: bigWidth, small: smallWidth)
                    let (low, high) = (xs.lowerBound, xs.upperBound)
                    for sy in ys {
                        let source = row + sy * smallWidth
                        let target = plane + (sy * stride + ky - pad) * bigWidth + kx - pad
                        if stride == 1 {
                            var sx = low
                            while sx < high { target[sx] += source[sx]; sx += 1 }
                        } else {
                            var sx = low
                            while sx < high { target[sx * stride] += source[sx]; sx += 1 }
                        }
                    }
                }
            }
        }
    }
}

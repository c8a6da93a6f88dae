// CNeuralNet: the network's loops that are passes over memory, not matrix
// products: the bins' softmax cross-entropy, annealed mean and their
// exponential, the ×2 bilinear upsampling and its adjoint, batch norm's sums
// and input gradient, the shifted convolution's padded copy, gathers, gradient
// scatter and weights' layout, max-pooling, nearest-neighbour upsampling, ReLU;
// Winograd's transforms of 3 × 3 convolutions (winograd_kernels.c); and the
// model file's CRC-32 (zlib's).
//
// Why C: as in CColor, each kernel is a plain loop the compiler turns into
// vector code, compiled three times on x86-64 Linux (baseline, x86-64-v3 with
// AVX2, x86-64-v4 with AVX-512; the upsampling without the last, whose copy
// measured slower), the widest copy the CPU runs chosen at load time. Swift
// built for the baseline has 128-bit vectors only, and its checked arithmetic
// kept several of these loops from vectorising at all.
//
// Every copy gives the same floats: no fused multiply-adds, and sums are taken
// in the same order whatever the vector width (across pixels, never within
// one pixel's sum). The loops do exactly the arithmetic, in the order, that
// NeuralNet's Swift code did before them, so training is bit for bit what it
// was. NeuralNet calls these functions; it owns the threading and the layers.
//
// Layouts: a plane is height × width floats, row after row; a sample's logits
// are `bins` planes one after another.
#ifndef CHROMA_CNEURALNET_H
#define CHROMA_CNEURALNET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// out[i] = e^(source[i] * scale + offset[i]) for count floats (out may be source).
/// Cephes' single-precision method: relative error within 3e-7 for inputs in
/// -87...88; below -87 gives 0, above 88 gives e^88, NaN stays NaN.
void chroma_nn_exp(const float *source, const float *offset, float scale, long count, float *out);

/// One sample's softmax cross-entropy over `bins` logit planes against
/// targets encoded bilinearly on a side × side grid of bin centres
/// (lower + i * step on each axis, upper the last), summed over its `plane` pixels.
///
/// - z:        bins * plane logits
/// - first, second: plane target values each (clamped to lower...upper)
/// - gradient: bins * plane, written with (softmax - encoded target) / pixels; may be NULL
/// - pixels:   the number of pixels the loss is averaged over (the whole batch's)
/// - scratch:  3 * plane floats, plus bins * plane when gradient is NULL
/// Returns the sum over the sample's pixels of -sum_k q_k log softmax(z)_k, in double.
double chroma_nn_bins_cross_entropy(const float *z, const float *first, const float *second,
                                    long bins, long side, float lower, float upper, float step, long plane,
                                    float pixels, float *gradient, float *scratch);

/// One sample's annealed mean: for each pixel, softmax((z - bias) / temperature)
/// over the bins weighting the bin centres (lower + i * step, lower + j * step)
/// of bin i * side + j.
///
/// - z:       bins * plane logits
/// - bias:    bins values
/// - first, second: plane values each, written
/// - scratch: 3 * plane floats
void chroma_nn_annealed_mean(const float *z, long bins, long side, const float *bias, float temperature,
                             float lower, float step, long plane, float *first, float *second, float *scratch);

/// One plane of height × width upsampled ×2 in both directions, bilinearly with
/// pixel centres aligned (new pixels take 3/4 of the nearer and 1/4 of the
/// farther neighbour; edges repeat).
///
/// - x:    height * width
/// - rows: scratch, height * 2 * width floats
/// - y:    2 * height * 2 * width, written
void chroma_nn_upsample_bilinear(const float *x, long width, long height, float *rows, float *y);

/// The mean of planes and their mirror images: out[r, x] = ½ (a[r, x] + mirrored[r, width − 1 − x])
/// for `rows` rows of `width` values (the network's outputs for an image and for its mirror image).
void chroma_nn_mirror_mean(const float *a, const float *mirrored, long rows, long width, float *out);

/// The adjoint of chroma_nn_upsample_bilinear: each of dy's values flows back to
/// the four inputs it was made from, with the weights it was made with.
///
/// - dy:  2 * height * 2 * width
/// - row: scratch, 2 * width floats
/// - dx:  height * width, written (not accumulated)
void chroma_nn_upsample_bilinear_backward(const float *dy, long width, long height, float *row, float *dx);

/// The shifted convolution's padded input: n samples of `channels` planes
/// height × width (x, sample after sample, `sample_count` floats apart) written
/// into `padded` as k = `kernel` stacked copies of [channels, pitch], copy kx
/// shifted left by kx. In copy 0, sample j's row y starts at
/// j · padded_plane + pad · padded_width + pad + y · padded_width; every other
/// position of the pitch is zero.
void chroma_nn_shifted_pad(const float *x, long samples, long sample_count, long channels, long height, long width,
                           long pad, long kernel, long padded_width, long padded_plane, long pitch, float *padded);

/// The shifted convolution's weights by kernel row: by_row[ky][o][kx][c] = weights[o][c][ky][kx]
/// (the layer's layout), for out_channels o, in_channels c and a kernel × kernel kernel.
void chroma_nn_weights_by_row(const float *weights, long out_channels, long in_channels, long kernel, float *by_row);

/// The way back, accumulated: gradients[o][c][ky][kx] += by_row[ky][o][kx][c].
void chroma_nn_add_gradients_by_row(const float *by_row, long out_channels, long in_channels, long kernel,
                                    float *gradients);

/// The shifted convolution's outputs: y[j, o] (planes height × width) from the
/// wide product's padded-grid positions (wide, [channels, n · padded_plane]),
/// plus bias[o].
void chroma_nn_shifted_gather_outputs(const float *wide, long samples, long channels, long height, long width,
                                      long padded_width, long padded_plane, const float *bias, float *y);

/// The shifted convolution's input gradient: dx[j, c] (planes height × width)
/// as the sum over kx = 0 ..< kernel, in that order, of the stacked gradient's
/// copy kx at the interior positions shifted back by kx.
void chroma_nn_shifted_gather_input_gradient(const float *padded_gradient, long samples, long channels, long kernel,
                                             long height, long width, long pad, long padded_width,
                                             long padded_plane, long pitch, float *dx);

/// 2 × 2 max-pooling with stride 2 of one plane (in_width wide): y[oy, ox] is
/// the largest of its window (the first of equals, in row order), winners[oy,
/// ox] that input's index within the plane, as a float.
void chroma_nn_max_pool(const float *x, long in_width, long out_height, long out_width, float *y, float *winners);

/// The shifted convolution's output gradient for n samples of `channels`
/// planes height × width (dy, [n, channels, height, width]) written into the
/// padded grid's layout (wide, [channels, n · padded_plane]: row pitch
/// padded_width, sample pitch padded_plane; the padding positions are left as
/// they are), and each channel's sum of dy, added to bias_gradient[c] once per
/// sample in the order sample by sample, row by row. Eight channels run side by
/// side, each sum one chain in that order.
void chroma_nn_shifted_scatter_gradient(const float *dy, long samples, long channels, long height, long width,
                                        long padded_width, long padded_plane, float *wide, float *bias_gradient);

/// Batch norm's statistics for channels first ..< last of a batch stored
/// [samples, channels, plane]: sum[c] and squares[c] are the sums of x and x²
/// over the channel's samples × plane values, in double, added sample by sample
/// and pixel by pixel. Eight channels run side by side: each sum stays one
/// chain in that order (the same doubles as one channel at a time), but eight
/// independent chains keep the adder busy where one waits on its own latency.
void chroma_nn_batch_norm_statistics(const float *x, long samples, long channels, long first, long last, long plane,
                                     double *sum, double *squares);

/// Batch norm backward's sums for channels first ..< last: sum_dy[c] = Σ dy and
/// sum_dy_xhat[c] = Σ dy · (x − mean[c]) · inverse_std[c], in float, in the
/// order of chroma_nn_batch_norm_statistics.
void chroma_nn_batch_norm_gradient_sums(const float *x, const float *dy, long samples, long channels, long first,
                                        long last, long plane, const float *mean, const float *inverse_std,
                                        float *sum_dy, float *sum_dy_xhat);

/// Batch norm's input gradient (training statistics) for one plane of `count` values:
/// dx = scale · (dy − sum_dy / n − x̂ · sum_dy_xhat / n), x̂ = (x − mean) · inverse_std.
void chroma_nn_batch_norm_input_gradient(const float *x, const float *dy, long count, float mean, float inverse_std,
                                         float scale, float sum_dy, float sum_dy_xhat, float n, float *dx);

/// Batch norm's normalising step for one plane of `count` values: y = x · scale + shift.
void chroma_nn_scale_shift(const float *x, long count, float scale, float shift, float *y);

/// One Adam step (Kingma & Ba 2015, decay decoupled as in AdamW) over `count` parameters, in
/// place: m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;
/// p ← p − (lr (m / correction1) / (√(v / correction2) + ε) + decay · p), where
/// correction1 = 1 − β1ᵗ, correction2 = 1 − β2ᵗ and decay = lr · weight decay.
void chroma_nn_adam(float *p, const float *g, float *m, float *v, long count, float learning_rate, float beta1,
                    float beta2, float epsilon, float decay, float correction1, float correction2);

/// Max-pooling's backward for one plane of in_count inputs: dx is zero except at
/// each window's winner (winners, as chroma_nn_max_pool writes them), which gets
/// that window's dy; `count` windows.
void chroma_nn_max_pool_backward(const float *dy, const float *winners, long count, long in_count, float *dx);

/// One plane of height × width upsampled ×2 by repeating each pixel as a 2 × 2 block.
///
/// - x: height * width
/// - y: 2 * height * 2 * width, written
void chroma_nn_upsample_nearest(const float *x, long width, long height, float *y);

/// The adjoint of chroma_nn_upsample_nearest: each input gets the sum of its 2 × 2
/// block of dy, added top row then bottom row, left to right.
///
/// - dy: 2 * height * 2 * width
/// - dx: height * width, written (not accumulated)
void chroma_nn_upsample_nearest_backward(const float *dy, long width, long height, float *dx);

/// ReLU: y[i] = max(x[i], 0) for count floats (y may be x); NaN stays NaN.
void chroma_nn_relu(const float *x, long count, float *y);

/// ReLU's backward: dx[i] = x[i] > 0 ? dy[i] : 0 for count floats.
void chroma_nn_relu_backward(const float *x, const float *dy, long count, float *dx);

/// The CRC-32 (IEEE 802.3, zlib's and PNG's) of `count` bytes: a model file's seal.
uint32_t chroma_nn_crc32(const uint8_t *bytes, size_t count);

// MARK: Winograd's F(2 × 2, 3 × 3) (winograd_kernels.c)
//
// A stride-1 "same" 3 × 3 convolution of planes with even height H and width W,
// as 16 matrix products M_ξ[Cout, T] = U_ξ[Cout, Cin] · V_ξ[Cin, T] over T tiles of
// 2 × 2 outputs (tile t = sample · (H/2 · W/2) + ty · W/2 + tx). U, V and M are 16
// planes each (plane ξ = 4i + j of a transformed 4 × 4 tile), `plane_stride` floats
// apart. `rows` is scratch of 10 · (W/2 + 1) floats. Every `_adjoint` is the
// transpose of its forward step.

/// U[ξ][o][c] ← G w[o][c] Gᵀ for weights w [Cout, Cin, 3, 3].
void chroma_nn_winograd_weights(const float *weights, long out_channels, long in_channels, long plane_stride, float *u);
/// gradients[o][c] (the layer's [Cout, Cin, 3, 3] layout) += Gᵀ dU[·][o][c] G.
void chroma_nn_winograd_weights_adjoint(const float *du, long out_channels, long in_channels, long plane_stride,
                                        float *gradients);
/// V[ξ][c][t] ← Bᵀ d B for each tile's 4 × 4 window d of `samples` inputs [Cin, H, W],
/// `sample_count` floats apart; V's planes hold `tiles` columns (at least samples · H/2 · W/2).
void chroma_nn_winograd_input(const float *x, long samples, long sample_count, long channels, long height, long width,
                              long tiles, long plane_stride, float *rows, float *v);
/// dx ← the sum over tiles of B dV Bᵀ on each window, inside the plane (written, not added).
void chroma_nn_winograd_input_adjoint(const float *dv, long samples, long sample_count, long channels, long height,
                                      long width, long tiles, long plane_stride, float *rows, float *dx);
/// y[j][o] ← Aᵀ M A + bias[o] for every tile: `samples` outputs [Cout, H, W], one after another.
void chroma_nn_winograd_output(const float *m, long samples, long channels, long height, long width, long tiles,
                               long plane_stride, const float *bias, float *y);
/// dM ← A dY Aᵀ for every tile of `samples` output gradients [Cout, H, W]; bias_gradient[o] += Σ dY[o].
void chroma_nn_winograd_output_adjoint(const float *dy, long samples, long channels, long height, long width,
                                       long tiles, long plane_stride, float *dm, float *bias_gradient);

#ifdef __cplusplus
}
#endif

#endif

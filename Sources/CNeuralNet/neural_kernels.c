// The kernels declared in CNeuralNet.h: plain loops over contiguous floats
// whose bodies are always-inlined functions, so that the compiler vectorises
// them, in each of the copies below.
#include "CNeuralNet.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
// Three copies of each kernel; the loader picks the widest the CPU runs.
#define VECTORIZED __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
// Two, for a kernel whose AVX-512 copy measured slower than its AVX2 one (Zen 4).
#define VECTORIZED_AVX2 __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define VECTORIZED
#define VECTORIZED_AVX2
#endif
#define INLINE static inline __attribute__((always_inline))

// No fused multiply-adds: they round differently from a multiply then an add,
// and every copy must give the floats the others (and the Swift code before
// them) give, so that the same seed trains the same model on any x86-64 CPU.
#pragma STDC FP_CONTRACT OFF

// MARK: The exponential

INLINE float exp_one(float input) {
    float x = input < -87.0f ? -87.0f : input;
    x = x > 88.0f ? 88.0f : x;
    // Adding 1.5 * 2^23 rounds x * log2(e) to an integer held in the low mantissa bits.
    const float magic = 12582912.0f;
    float shifted = x * 1.44269504f + magic;
    float n = shifted - magic;
    // ln 2 in two parts, so that n * ln 2 is exact enough to subtract.
    float r = x - n * 0.693359375f + n * 2.1219444e-4f;
    float p = 1.98756915e-4f;
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.16657959e-2f;
    p = p * r + 0.166666655f;
    p = p * r + 0.50000001f;
    p = p * (r * r) + r + 1.0f;
    uint32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    // 2^n straight into the exponent bits (n is -126...127 after the clamp).
    uint32_t exponent = (bits - 0x4B400000u + 127u) << 23;
    float scale;
    memcpy(&scale, &exponent, sizeof scale);
    float result = p * scale;
    return input < -87.0f ? 0.0f : result;
}

VECTORIZED
void chroma_nn_exp(const float *source, const float *offset, float scale, long count, float *out) {
    // Each output reads only its own inputs, so out may be source: without this
    // the compiler's overlap check sent in-place calls down its scalar loop.
#pragma clang loop vectorize(assume_safety)
    for (long i = 0; i < count; i++) out[i] = exp_one(source[i] * scale + offset[i]);
}

// MARK: Softmax cross-entropy over bins

/// A value's first bin index on one axis of the grid, and the next bin's weight:
/// BinGrid's encoding (its `locate`, which `frequencies` uses); BinGridTests
/// checks the cross-entropy against the encoding as documented.
INLINE long locate(float value, long side, float lower, float upper, float step, float *weight) {
    float clamped = value >= lower ? value : lower;
    clamped = upper < clamped ? upper : clamped;
    float position = (clamped - lower) / step;
    long index = (long)position;
    if (index > side - 2) index = side - 2;
    *weight = position - (float)index;
    return index;
}

/// The four bins a target pair is encoded on, and their weights.
INLINE void corners(float first, float second, long side, float lower, float upper, float step,
                    long bin[4], float weight[4]) {
    float wi, wj;
    long i = locate(first, side, lower, upper, step, &wi), j = locate(second, side, lower, upper, step, &wj);
    long k = i * side + j;
    bin[0] = k;            weight[0] = (1 - wi) * (1 - wj);
    bin[1] = k + 1;        weight[1] = (1 - wi) * wj;
    bin[2] = k + side;     weight[2] = wi * (1 - wj);
    bin[3] = k + side + 1; weight[3] = wi * wj;
}

VECTORIZED
double chroma_nn_bins_cross_entropy(const float *z, const float *first, const float *second,
                                    long bins, long side, float lower, float upper, float step, long plane,
                                    float pixels, float *gradient, float *scratch) {
    float *largest = scratch, *sum = scratch + plane, *shift = scratch + 2 * plane;
    float *e = gradient ? gradient : scratch + 3 * plane;
    // The pixel loops are innermost, over contiguous memory; each pixel's max and
    // sum run over the bins in order, whatever the vector width.
    memcpy(largest, z, (size_t)plane * sizeof *z);
    for (long k = 1; k < bins; k++) {
        const float *zk = z + k * plane;
        for (long p = 0; p < plane; p++) largest[p] = zk[p] >= largest[p] ? zk[p] : largest[p];
    }
    for (long p = 0; p < plane; p++) { sum[p] = 0; shift[p] = -largest[p]; }
    for (long k = 0; k < bins; k++) {
        const float *zk = z + k * plane;
        float *ek = e + k * plane;
        for (long p = 0; p < plane; p++) {
            ek[p] = exp_one(zk[p] * 1.0f + shift[p]);
            sum[p] += ek[p];
        }
    }
    // -sum_k q_k log softmax(z)_k = log sum_k exp z_k - sum_k q_k z_k (the weights q sum to 1)
    double total = 0;
    for (long p = 0; p < plane; p++) {
        long bin[4];
        float weight[4];
        corners(first[p], second[p], side, lower, upper, step, bin, weight);
        float loss = logf(sum[p]) + largest[p];
        for (int c = 0; c < 4; c++) loss -= weight[c] * z[bin[c] * plane + p];
        total += (double)loss;
    }
    if (!gradient) return total;
    for (long p = 0; p < plane; p++) sum[p] = 1 / (sum[p] * pixels);
    for (long k = 0; k < bins; k++) {
        float *ek = e + k * plane;
        for (long p = 0; p < plane; p++) ek[p] *= sum[p];
    }
    for (long p = 0; p < plane; p++) {
        long bin[4];
        float weight[4];
        corners(first[p], second[p], side, lower, upper, step, bin, weight);
        for (int c = 0; c < 4; c++) e[bin[c] * plane + p] -= weight[c] / pixels;
    }
    return total;
}

VECTORIZED
void chroma_nn_annealed_mean(const float *z, long bins, long side, const float *bias, float temperature,
                             float lower, float step, long plane, float *first, float *second, float *scratch) {
    float *largest = scratch, *sum = scratch + plane, *shift = scratch + 2 * plane;
    float scale = 1 / temperature;
    for (long p = 0; p < plane; p++) { largest[p] = z[p] - bias[0]; sum[p] = 0; first[p] = 0; second[p] = 0; }
    for (long k = 1; k < bins; k++) {
        const float *zk = z + k * plane;
        for (long p = 0; p < plane; p++) {
            float v = zk[p] - bias[k];
            largest[p] = v >= largest[p] ? v : largest[p];
        }
    }
    for (long k = 0; k < bins; k++) {
        const float *zk = z + k * plane;
        float i = (float)(k / side), j = (float)(k % side);
        for (long p = 0; p < plane; p++) shift[p] = -(bias[k] + largest[p]) / temperature;
        for (long p = 0; p < plane; p++) {
            float weight = exp_one(zk[p] * scale + shift[p]);
            sum[p] += weight;
            first[p] += weight * i;
            second[p] += weight * j;
        }
    }
    for (long p = 0; p < plane; p++) {
        first[p] = lower + step * first[p] / sum[p];
        second[p] = lower + step * second[p] / sum[p];
    }
}

// MARK: ×2 bilinear upsampling

/// One row of w values widened to 2w: output 2i is 1/4 x[i-1] + 3/4 x[i],
/// output 2i + 1 is 3/4 x[i] + 1/4 x[i+1]; edges repeat.
INLINE void widen(const float *x, long w, float *out) {
    out[0] = 0.25f * x[0] + 0.75f * x[0];
    out[2 * w - 1] = 0.75f * x[w - 1] + 0.25f * x[w - 1];
    for (long i = 1; i < w; i++) out[2 * i] = 0.25f * x[i - 1] + 0.75f * x[i];
    for (long i = 0; i < w - 1; i++) out[2 * i + 1] = 0.75f * x[i] + 0.25f * x[i + 1];
}

/// The adjoint of widen over n = 2w values r[0 ... n-1] taken `stride` apart:
/// each input's four contributions (two when an edge repeats one) summed in the
/// order a loop over the outputs adds them.
INLINE float narrowed(const float *r, long stride, long left, long centre, long right) {
    return 0.0f + 0.25f * r[left * stride] + 0.75f * r[centre * stride] + 0.75f * r[(centre + 1) * stride]
        + 0.25f * r[right * stride];
}

// AVX2 only: the widened rows' interleaved stores made the AVX-512 copy 1.4x
// slower (a 16 x 16 plane: 0.50 us against 0.35 on Zen 4).
VECTORIZED_AVX2
void chroma_nn_upsample_bilinear(const float *x, long w, long h, float *rows, float *y) {
    long W = 2 * w;
    for (long iy = 0; iy < h; iy++) widen(x + iy * w, w, rows + iy * W);
    for (long oy = 0; oy < 2 * h; oy++) {
        long i = oy / 2, a, b;
        float t;
        if (oy % 2 == 0) { a = i > 0 ? i - 1 : 0; b = i; t = 0.25f; }
        else { a = i; b = i + 1 < h ? i + 1 : h - 1; t = 0.75f; }
        const float *ra = rows + a * W, *rb = rows + b * W;
        float *out = y + oy * W;
        for (long ox = 0; ox < W; ox++) out[ox] = t * ra[ox] + (1 - t) * rb[ox];
    }
}

VECTORIZED
void chroma_nn_upsample_bilinear_backward(const float *dy, long w, long h, float *row, float *dx) {
    long W = 2 * w;
    for (long iy = 0; iy < h; iy++) {
        // Input row iy gathers output rows 2iy - 1 ... 2iy + 2 (clamped at the edges), ...
        long left = iy > 0 ? 2 * iy - 1 : 0, right = iy < h - 1 ? 2 * iy + 2 : 2 * iy + 1;
        for (long ox = 0; ox < W; ox++) row[ox] = narrowed(dy + ox, W, left, 2 * iy, right);
        // ... then input column ix gathers columns 2ix - 1 ... 2ix + 2 the same way.
        float *out = dx + iy * w;
        out[0] = narrowed(row, 1, 0, 0, w > 1 ? 2 : 1);
        for (long ix = 1; ix < w - 1; ix++) out[ix] = narrowed(row, 1, 2 * ix - 1, 2 * ix, 2 * ix + 2);
        if (w > 1) out[w - 1] = narrowed(row, 1, 2 * w - 3, 2 * w - 2, 2 * w - 1);
    }
}

// Sums that must keep their order (one chain per channel) run eight channels
// side by side: eight independent chains keep the adder busy where one waits
// on its own latency.
enum { side_by_side = 8 };

// MARK: The shifted convolution

VECTORIZED
void chroma_nn_shifted_pad(const float *x, long samples, long sample_count, long channels, long height, long width,
                           long pad, long kernel, long padded_width, long padded_plane, long pitch, float *padded) {
    for (long c = 0; c < channels; c++) {
        float *target = padded + c * pitch;
        long cursor = 0;  // everything before it is written
        for (long j = 0; j < samples; j++) {
            const float *source = x + j * sample_count + c * height * width;
            for (long y = 0; y < height; y++) {
                long start = j * padded_plane + pad * padded_width + pad + y * padded_width;
                memset(target + cursor, 0, (size_t)(start - cursor) * sizeof *target);
                memcpy(target + start, source + y * width, (size_t)width * sizeof *target);
                cursor = start + width;
            }
        }
        memset(target + cursor, 0, (size_t)(pitch - cursor) * sizeof *target);
    }
    for (long kx = 1; kx < kernel; kx++) {
        for (long c = 0; c < channels; c++) {
            float *row = padded + (kx * channels + c) * pitch;
            memcpy(row, padded + c * pitch + kx, (size_t)(pitch - kx) * sizeof *row);
            memset(row + pitch - kx, 0, (size_t)kx * sizeof *row);
        }
    }
}

void chroma_nn_weights_by_row(const float *weights, long out_channels, long in_channels, long kernel, float *by_row) {
    const long taps = kernel * kernel;
    for (long ky = 0; ky < kernel; ky++)
        for (long o = 0; o < out_channels; o++)
            for (long kx = 0; kx < kernel; kx++) {
                const float *source = weights + o * in_channels * taps + ky * kernel + kx;
                float *target = by_row + ((ky * out_channels + o) * kernel + kx) * in_channels;
                for (long c = 0; c < in_channels; c++) target[c] = source[c * taps];
            }
}

void chroma_nn_add_gradients_by_row(const float *by_row, long out_channels, long in_channels, long kernel,
                                    float *gradients) {
    const long taps = kernel * kernel;
    for (long ky = 0; ky < kernel; ky++)
        for (long o = 0; o < out_channels; o++)
            for (long kx = 0; kx < kernel; kx++) {
                const float *source = by_row + ((ky * out_channels + o) * kernel + kx) * in_channels;
                float *target = gradients + o * in_channels * taps + ky * kernel + kx;
                for (long c = 0; c < in_channels; c++) target[c * taps] += source[c];
            }
}

VECTORIZED
void chroma_nn_shifted_gather_outputs(const float *wide, long samples, long channels, long height, long width,
                                      long padded_width, long padded_plane, const float *bias, float *y) {
    long wide_count = samples * padded_plane, plane = height * width;
    for (long j = 0; j < samples; j++) {
        for (long o = 0; o < channels; o++) {
            const float *source = wide + o * wide_count + j * padded_plane;
            float *target = y + (j * channels + o) * plane, value = bias[o];
            for (long row = 0; row < height; row++) {
                const float *from = source + row * padded_width;
                float *to = target + row * width;
                for (long i = 0; i < width; i++) to[i] = from[i] + value;
            }
        }
    }
}

VECTORIZED
void chroma_nn_shifted_gather_input_gradient(const float *padded_gradient, long samples, long channels, long kernel,
                                             long height, long width, long pad, long padded_width,
                                             long padded_plane, long pitch, float *dx) {
    long plane = height * width;
    for (long j = 0; j < samples; j++) {
        for (long c = 0; c < channels; c++) {
            float *target = dx + (j * channels + c) * plane;
            long interior = j * padded_plane + pad * padded_width + pad;
            for (long row = 0; row < height; row++) {
                float *to = target + row * width;
                const float *first = padded_gradient + c * pitch + interior + row * padded_width;
                for (long i = 0; i < width; i++) to[i] = first[i];
                for (long kx = 1; kx < kernel; kx++) {
                    const float *from = padded_gradient + (kx * channels + c) * pitch + interior + row * padded_width - kx;
                    for (long i = 0; i < width; i++) to[i] += from[i];
                }
            }
        }
    }
}

VECTORIZED
void chroma_nn_shifted_scatter_gradient(const float *dy, long samples, long channels, long height, long width,
                                        long padded_width, long padded_plane, float *wide, float *bias_gradient) {
    long plane = height * width, wide_count = samples * padded_plane;
    for (long j = 0; j < samples; j++) {
        long o = 0;
        for (; o + side_by_side <= channels; o += side_by_side) {
            float sum[side_by_side] = {0};
            for (long row = 0; row < height; row++) {
                for (int k = 0; k < side_by_side; k++) {
                    const float *from = dy + (j * channels + o + k) * plane + row * width;
                    float *to = wide + (o + k) * wide_count + j * padded_plane + row * padded_width;
                    for (long i = 0; i < width; i++) to[i] = from[i];
                }
                for (long i = 0; i < width; i++) {
                    for (int k = 0; k < side_by_side; k++) sum[k] += dy[(j * channels + o + k) * plane + row * width + i];
                }
            }
            for (int k = 0; k < side_by_side; k++) bias_gradient[o + k] += sum[k];
        }
        for (; o < channels; o++) {
            float sum = 0;
            for (long row = 0; row < height; row++) {
                const float *from = dy + (j * channels + o) * plane + row * width;
                float *to = wide + o * wide_count + j * padded_plane + row * padded_width;
                for (long i = 0; i < width; i++) { to[i] = from[i]; sum += from[i]; }
            }
            bias_gradient[o] += sum;
        }
    }
}

// MARK: Batch norm

VECTORIZED
void chroma_nn_batch_norm_statistics(const float *x, long samples, long channels, long first, long last, long plane,
                                     double *sum, double *squares) {
    long c = first;
    for (; c + side_by_side <= last; c += side_by_side) {
        double s[side_by_side] = {0}, q[side_by_side] = {0};
        for (long b = 0; b < samples; b++) {
            const float *base = x + (b * channels + c) * plane;
            for (long i = 0; i < plane; i++) {
                for (int j = 0; j < side_by_side; j++) {
                    double v = (double)base[j * plane + i];
                    s[j] += v;
                    q[j] += v * v;
                }
            }
        }
        for (int j = 0; j < side_by_side; j++) { sum[c + j] = s[j]; squares[c + j] = q[j]; }
    }
    for (; c < last; c++) {
        double s = 0, q = 0;
        for (long b = 0; b < samples; b++) {
            const float *values = x + (b * channels + c) * plane;
            for (long i = 0; i < plane; i++) { double v = (double)values[i]; s += v; q += v * v; }
        }
        sum[c] = s;
        squares[c] = q;
    }
}

VECTORIZED
void chroma_nn_batch_norm_gradient_sums(const float *x, const float *dy, long samples, long channels, long first,
                                        long last, long plane, const float *mean, const float *inverse_std,
                                        float *sum_dy, float *sum_dy_xhat) {
    long c = first;
    for (; c + side_by_side <= last; c += side_by_side) {
        float s[side_by_side] = {0}, t[side_by_side] = {0}, m[side_by_side], inv[side_by_side];
        for (int j = 0; j < side_by_side; j++) { m[j] = mean[c + j]; inv[j] = inverse_std[c + j]; }
        for (long b = 0; b < samples; b++) {
            const float *xs = x + (b * channels + c) * plane, *dys = dy + (b * channels + c) * plane;
            for (long i = 0; i < plane; i++) {
                for (int j = 0; j < side_by_side; j++) {
                    float g = dys[j * plane + i];
                    s[j] += g;
                    t[j] += g * (xs[j * plane + i] - m[j]) * inv[j];
                }
            }
        }
        for (int j = 0; j < side_by_side; j++) { sum_dy[c + j] = s[j]; sum_dy_xhat[c + j] = t[j]; }
    }
    for (; c < last; c++) {
        float s = 0, t = 0;
        for (long b = 0; b < samples; b++) {
            const float *xs = x + (b * channels + c) * plane, *dys = dy + (b * channels + c) * plane;
            for (long i = 0; i < plane; i++) { s += dys[i]; t += dys[i] * (xs[i] - mean[c]) * inverse_std[c]; }
        }
        sum_dy[c] = s;
        sum_dy_xhat[c] = t;
    }
}

VECTORIZED
void chroma_nn_batch_norm_input_gradient(const float *x, const float *dy, long count, float mean, float inverse_std,
                                         float scale, float sum_dy, float sum_dy_xhat, float n, float *dx) {
    for (long i = 0; i < count; i++) {
        float xhat = (x[i] - mean) * inverse_std;
        dx[i] = scale * (dy[i] - sum_dy / n - xhat * sum_dy_xhat / n);
    }
}

/// Batch norm's normalising step for one plane: y = x · scale + shift.
VECTORIZED
void chroma_nn_scale_shift(const float *x, long count, float scale, float shift, float *y) {
    for (long i = 0; i < count; i++) y[i] = x[i] * scale + shift;
}

// MARK: Max-pooling

VECTORIZED
void chroma_nn_max_pool(const float *x, long in_width, long out_height, long out_width, float *y, float *winners) {
    for (long oy = 0; oy < out_height; oy++) {
        for (long ox = 0; ox < out_width; ox++) {
            long first = 2 * oy * in_width + 2 * ox, best = first;
            float value = x[first];
            if (x[first + 1] > value) { best = first + 1; value = x[best]; }
            if (x[first + in_width] > value) { best = first + in_width; value = x[best]; }
            if (x[first + in_width + 1] > value) { best = first + in_width + 1; value = x[best]; }
            y[oy * out_width + ox] = value;
            winners[oy * out_width + ox] = (float)best;
        }
    }
}

/// Max-pooling's backward for one plane: dx = 0 except dx[winner] = 0 + dy (each input
/// wins at most one window, so this is the Swift loop's `+=` into a zeroed plane).
VECTORIZED
void chroma_nn_max_pool_backward(const float *dy, const float *winners, long count, long in_count, float *dx) {
    for (long i = 0; i < in_count; i++) dx[i] = 0;
    for (long i = 0; i < count; i++) dx[(long)winners[i]] += dy[i];
}

// MARK: Nearest-neighbour ×2 upsampling

VECTORIZED
void chroma_nn_upsample_nearest(const float *x, long width, long height, float *y) {
    long w2 = 2 * width;
    for (long r = 0; r < height; r++) {
        const float *row = x + r * width;
        float *top = y + 2 * r * w2, *bottom = top + w2;
        for (long i = 0; i < width; i++) { top[2 * i] = row[i]; top[2 * i + 1] = row[i]; }
        for (long i = 0; i < w2; i++) bottom[i] = top[i];
    }
}

VECTORIZED
void chroma_nn_upsample_nearest_backward(const float *dy, long width, long height, float *dx) {
    long w2 = 2 * width;
    for (long r = 0; r < height; r++) {
        const float *top = dy + 2 * r * w2, *bottom = top + w2;
        float *row = dx + r * width;
        // The order of the Swift loop that added dy row by row into a zeroed plane.
        for (long i = 0; i < width; i++) row[i] = (((0.0f + top[2 * i]) + top[2 * i + 1]) + bottom[2 * i]) + bottom[2 * i + 1];
    }
}

// MARK: Activations

/// ReLU: y = 0 >= x ? 0 : x, Swift's max(x, 0) (NaN stays NaN, −0 becomes 0).
VECTORIZED
void chroma_nn_relu(const float *x, long count, float *y) {
    for (long i = 0; i < count; i++) y[i] = 0.0f >= x[i] ? 0.0f : x[i];
}

VECTORIZED
void chroma_nn_relu_backward(const float *x, const float *dy, long count, float *dx) {
    for (long i = 0; i < count; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
}

// MARK: Adam

VECTORIZED
void chroma_nn_adam(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long count,
                    float learning_rate, float beta1, float beta2, float epsilon, float decay,
                    float correction1, float correction2) {
    for (long i = 0; i < count; i++) {
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        // The square root as an instruction (no errno to set: v is never negative), which vectorises.
        float update = learning_rate * (m[i] / correction1) / (__builtin_elementwise_sqrt(v[i] / correction2) + epsilon);
        p[i] -= update + decay * p[i];
    }
}

// MARK: - Mirror averaging

VECTORIZED
void chroma_nn_mirror_mean(const float *a, const float *mirrored, long rows, long width, float *out) {
    for (long r = 0; r < rows; r++) {
        const float *row = a + r * width, *flipped = mirrored + r * width;
        float *target = out + r * width;
        for (long x = 0; x < width; x++) target[x] = 0.5f * (row[x] + flipped[width - 1 - x]);
    }
}

// Winograd's F(2 × 2, 3 × 3) for a stride-1 "same" 3 × 3 convolution (Lavin &
// Gray 2016), the transforms declared in CNeuralNet.h; NeuralNet's
// WinogradConvolution does the 16 matrix products between them.
//
// Each 2 × 2 block of outputs (a tile) is computed from the 4 × 4 input window
// around it (one pixel of zero padding on every side of the plane):
//
//     Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A
//
//          | 1  0 -1  0 |        |  1    0    0  |
//     Bᵀ = | 0  1  1  0 |    G = | 1/2  1/2  1/2 |    Aᵀ = | 1  1  1  0 |
//          | 0 -1  1  0 |        | 1/2 -1/2  1/2 |         | 0  1 -1 -1 |
//          | 0  1  0 -1 |        |  0    0    1  |
//
// so the sum over input channels becomes, for each of the 16 positions ξ of a
// transformed tile, one matrix product M_ξ[Cout, tiles] = U_ξ[Cout, Cin] ·
// V_ξ[Cin, tiles]: 16 multiply-adds per tile and channel pair instead of 36.
// The backward passes are the adjoints of the same three linear steps, so
// they give the gradients of exactly what the forward pass computed.
//
// Layouts: V and M are 16 planes, plane ξ = 4i + j holding [channels, tiles],
// `plane_stride` floats apart (a little more than a plane, so that the 16 planes'
// rows do not fall on one set of the first-level cache, as they would a multiple
// of 4 KB apart);
// tile t = sample · (H/2 · W/2) + ty · W/2 + tx, for planes of even height H and
// width W. The input windows overlap by 2, so the transforms work on a plane's
// rows split into their even and odd columns: tile tx's window is padded
// columns 2tx … 2tx + 3, that is even[tx], odd[tx], even[tx + 1], odd[tx + 1],
// and every step is a loop over tx the compiler vectorises.
#include "CNeuralNet.h"

#include <string.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define VECTORIZED __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VECTORIZED
#endif

// As in neural_kernels.c: every copy gives the same floats.
#pragma STDC FP_CONTRACT OFF

// MARK: Weights

void chroma_nn_winograd_weights(const float *weights, long out_channels, long in_channels, long plane_stride, float *u) {
    const long pairs = out_channels * in_channels;
    for (long k = 0; k < pairs; k++) {
        const float *g = weights + k * 9;
        float t[4][3];  // G g: rows of the transformed kernel, still 3 wide
        for (long b = 0; b < 3; b++) {
            t[0][b] = g[b];
            t[1][b] = (g[b] + g[3 + b] + g[6 + b]) * 0.5f;
            t[2][b] = (g[b] - g[3 + b] + g[6 + b]) * 0.5f;
            t[3][b] = g[6 + b];
        }
        for (long i = 0; i < 4; i++) {  // (G g) Gᵀ
            u[(4 * i + 0) * plane_stride + k] = t[i][0];
            u[(4 * i + 1) * plane_stride + k] = (t[i][0] + t[i][1] + t[i][2]) * 0.5f;
            u[(4 * i + 2) * plane_stride + k] = (t[i][0] - t[i][1] + t[i][2]) * 0.5f;
            u[(4 * i + 3) * plane_stride + k] = t[i][2];
        }
    }
}

void chroma_nn_winograd_weights_adjoint(const float *du, long out_channels, long in_channels, long plane_stride,
                                        float *gradients) {
    const long pairs = out_channels * in_channels;
    for (long k = 0; k < pairs; k++) {
        float t[4][3];  // dU G: the adjoint of (G g) Gᵀ along the columns
        for (long i = 0; i < 4; i++) {
            const float d0 = du[(4 * i) * plane_stride + k], d1 = du[(4 * i + 1) * plane_stride + k];
            const float d2 = du[(4 * i + 2) * plane_stride + k], d3 = du[(4 * i + 3) * plane_stride + k];
            t[i][0] = d0 + (d1 + d2) * 0.5f;
            t[i][1] = (d1 - d2) * 0.5f;
            t[i][2] = (d1 + d2) * 0.5f + d3;
        }
        float *g = gradients + k * 9;
        for (long b = 0; b < 3; b++) {  // Gᵀ (dU G), added to the gradient
            g[b] += t[0][b] + (t[1][b] + t[2][b]) * 0.5f;
            g[3 + b] += (t[1][b] - t[2][b]) * 0.5f;
            g[6 + b] += (t[1][b] + t[2][b]) * 0.5f + t[3][b];
        }
    }
}

// MARK: Input

// Row `y` of a plane split into even[k] = column 2k − 1 and odd[k] = column 2k,
// k = 0 … W/2 (the padding columns −1 and W are zeros); a row outside the plane is zeros.
static inline void split_row(const float *plane, long height, long width, long y, float *even, float *odd) {
    const long half = width / 2;
    if (y < 0 || y >= height) {
        memset(even, 0, (size_t)(half + 1) * sizeof *even);
        memset(odd, 0, (size_t)(half + 1) * sizeof *odd);
        return;
    }
    const float *row = plane + y * width;
    even[0] = 0;
    for (long k = 1; k <= half; k++) even[k] = row[2 * k - 1];
    for (long k = 0; k < half; k++) odd[k] = row[2 * k];
    odd[half] = 0;
}

VECTORIZED
void chroma_nn_winograd_input(const float *x, long samples, long sample_count, long channels, long height, long width,
                              long tiles, long plane_stride, float *rows, float *v) {
    const long half = width / 2, span = half + 1, per_sample = height / 2 * half;
    float *even[4], *odd[4];
    for (long r = 0; r < 4; r++) { even[r] = rows + 2 * r * span; odd[r] = even[r] + span; }
    float *t_even = rows + 8 * span, *t_odd = t_even + span;
    for (long j = 0; j < samples; j++)
        for (long c = 0; c < channels; c++) {
            const float *plane = x + j * sample_count + c * height * width;
            for (long ty = 0; ty < height / 2; ty++) {
                // Windows overlap by two rows: the last tile row's bottom two are this one's top two.
                if (ty == 0) {
                    split_row(plane, height, width, -1, even[0], odd[0]);
                    split_row(plane, height, width, 0, even[1], odd[1]);
                } else {
                    float *e0 = even[0], *o0 = odd[0], *e1 = even[1], *o1 = odd[1];
                    even[0] = even[2]; odd[0] = odd[2]; even[1] = even[3]; odd[1] = odd[3];
                    even[2] = e0; odd[2] = o0; even[3] = e1; odd[3] = o1;
                }
                split_row(plane, height, width, 2 * ty + 1, even[2], odd[2]);
                split_row(plane, height, width, 2 * ty + 2, even[3], odd[3]);
                float *out = v + c * tiles + j * per_sample + ty * half;
                for (long i = 0; i < 4; i++) {
                    // t = the Bᵀ row i of the window's four rows
                    const float *a_e = even[i == 0 ? 0 : 1], *a_o = odd[i == 0 ? 0 : 1];
                    const float *b_e = even[i == 3 ? 3 : 2], *b_o = odd[i == 3 ? 3 : 2];
                    if (i == 1) {
                        for (long k = 0; k < span; k++) { t_even[k] = a_e[k] + b_e[k]; t_odd[k] = a_o[k] + b_o[k]; }
                    } else if (i == 2) {
                        for (long k = 0; k < span; k++) { t_even[k] = b_e[k] - a_e[k]; t_odd[k] = b_o[k] - a_o[k]; }
                    } else {
                        for (long k = 0; k < span; k++) { t_even[k] = a_e[k] - b_e[k]; t_odd[k] = a_o[k] - b_o[k]; }
                    }
                    float *v0 = out + (4 * i) * plane_stride, *v1 = v0 + plane_stride;
                    float *v2 = v1 + plane_stride, *v3 = v2 + plane_stride;
                    for (long tx = 0; tx < half; tx++) {  // the Bᵀ columns: window t[2tx … 2tx + 3]
                        v0[tx] = t_even[tx] - t_even[tx + 1];
                        v1[tx] = t_odd[tx] + t_even[tx + 1];
                        v2[tx] = t_even[tx + 1] - t_odd[tx];
                        v3[tx] = t_odd[tx] - t_odd[tx + 1];
                    }
                }
            }
        }
}

VECTORIZED
void chroma_nn_winograd_input_adjoint(const float *dv, long samples, long sample_count, long channels, long height,
                                      long width, long tiles, long plane_stride, float *rows, float *dx) {
    const long half = width / 2, span = half + 1, per_sample = height / 2 * half;
    // A rolling window of four padded rows' gradients (even and odd columns): tile row ty
    // touches padded rows 2ty … 2ty + 3, and rows 2ty, 2ty + 1 are final after it.
    float *even[4], *odd[4];
    float *t_even = rows + 8 * span, *t_odd = t_even + span;
    for (long j = 0; j < samples; j++)
        for (long c = 0; c < channels; c++) {
            for (long r = 0; r < 4; r++) { even[r] = rows + 2 * r * span; odd[r] = even[r] + span; }
            memset(rows, 0, (size_t)(8 * span) * sizeof *rows);
            float *plane = dx + j * sample_count + c * height * width;
            for (long ty = 0; ty < height / 2; ty++) {
                const float *in = dv + c * tiles + j * per_sample + ty * half;
                for (long i = 0; i < 4; i++) {
                    const float *d0 = in + (4 * i) * plane_stride, *d1 = d0 + plane_stride;
                    const float *d2 = d1 + plane_stride, *d3 = d2 + plane_stride;
                    // The adjoint of the Bᵀ columns: t's gradient over the window's columns.
                    t_even[0] = 0;
                    t_odd[half] = 0;
                    for (long tx = 0; tx < half; tx++) t_odd[tx] = d1[tx] - d2[tx] + d3[tx];
                    for (long tx = 0; tx < half; tx++) t_even[tx + 1] = d1[tx] + d2[tx] - d0[tx];
                    for (long tx = 0; tx < half; tx++) t_even[tx] += d0[tx];
                    for (long tx = 0; tx < half; tx++) t_odd[tx + 1] -= d3[tx];
                    // The adjoint of Bᵀ row i: into the window's rows.
                    if (i == 0) {
                        for (long k = 0; k < span; k++) {
                            even[0][k] += t_even[k]; odd[0][k] += t_odd[k];
                            even[2][k] -= t_even[k]; odd[2][k] -= t_odd[k];
                        }
                    } else if (i == 1) {
                        for (long k = 0; k < span; k++) {
                            even[1][k] += t_even[k]; odd[1][k] += t_odd[k];
                            even[2][k] += t_even[k]; odd[2][k] += t_odd[k];
                        }
                    } else if (i == 2) {
                        for (long k = 0; k < span; k++) {
                            even[1][k] -= t_even[k]; odd[1][k] -= t_odd[k];
                            even[2][k] += t_even[k]; odd[2][k] += t_odd[k];
                        }
                    } else {
                        for (long k = 0; k < span; k++) {
                            even[1][k] += t_even[k]; odd[1][k] += t_odd[k];
                            even[3][k] -= t_even[k]; odd[3][k] -= t_odd[k];
                        }
                    }
                }
                // Padded rows 2ty and 2ty + 1 (plane rows 2ty − 1 and 2ty) are final.
                for (long r = 0; r < 2; r++) {
                    const long y = 2 * ty - 1 + r;
                    if (y < 0) continue;
                    float *row = plane + y * width;
                    for (long k = 0; k < half; k++) { row[2 * k] = odd[r][k]; row[2 * k + 1] = even[r][k + 1]; }
                }
                float *e0 = even[0], *o0 = odd[0], *e1 = even[1], *o1 = odd[1];
                even[0] = even[2]; odd[0] = odd[2]; even[1] = even[3]; odd[1] = odd[3];
                even[2] = e0; odd[2] = o0; even[3] = e1; odd[3] = o1;
                memset(even[2], 0, (size_t)span * sizeof *rows); memset(odd[2], 0, (size_t)span * sizeof *rows);
                memset(even[3], 0, (size_t)span * sizeof *rows); memset(odd[3], 0, (size_t)span * sizeof *rows);
            }
            // The last tile row left padded rows H and H + 1: plane row H − 1, then the padding.
            float *row = plane + (height - 1) * width;
            for (long k = 0; k < half; k++) { row[2 * k] = odd[0][k]; row[2 * k + 1] = even[0][k + 1]; }
        }
}

// MARK: Output

VECTORIZED
void chroma_nn_winograd_output(const float *m, long samples, long channels, long height, long width, long tiles,
                               long plane_stride, const float *bias, float *y) {
    const long half = width / 2, per_sample = height / 2 * half;
    for (long j = 0; j < samples; j++)
        for (long o = 0; o < channels; o++) {
            float *plane = y + (j * channels + o) * height * width;
            const float b = bias[o];
            for (long ty = 0; ty < height / 2; ty++) {
                const float *in = m + o * tiles + j * per_sample + ty * half;
                float *top = plane + 2 * ty * width, *bottom = top + width;
                for (long tx = 0; tx < half; tx++) {
                    float s[2][4];  // Aᵀ M: the tile's two output rows, still 4 wide
                    for (long jj = 0; jj < 4; jj++) {
                        const float m0 = in[jj * plane_stride + tx], m1 = in[(4 + jj) * plane_stride + tx];
                        const float m2 = in[(8 + jj) * plane_stride + tx], m3 = in[(12 + jj) * plane_stride + tx];
                        s[0][jj] = m0 + m1 + m2;
                        s[1][jj] = m1 - m2 - m3;
                    }
                    top[2 * tx] = s[0][0] + s[0][1] + s[0][2] + b;
                    top[2 * tx + 1] = s[0][1] - s[0][2] - s[0][3] + b;
                    bottom[2 * tx] = s[1][0] + s[1][1] + s[1][2] + b;
                    bottom[2 * tx + 1] = s[1][1] - s[1][2] - s[1][3] + b;
                }
            }
        }
}

VECTORIZED
void chroma_nn_winograd_output_adjoint(const float *dy, long samples, long channels, long height, long width,
                                       long tiles, long plane_stride, float *dm, float *bias_gradient) {
    const long half = width / 2, per_sample = height / 2 * half;
    for (long j = 0; j < samples; j++)
        for (long o = 0; o < channels; o++) {
            const float *plane = dy + (j * channels + o) * height * width;
            float sum = 0;
            for (long i = 0; i < height * width; i++) sum += plane[i];
            bias_gradient[o] += sum;
            for (long ty = 0; ty < height / 2; ty++) {
                float *out = dm + o * tiles + j * per_sample + ty * half;
                const float *top = plane + 2 * ty * width, *bottom = top + width;
                for (long tx = 0; tx < half; tx++) {
                    // dY A: each output row's gradient over the window's 4 columns
                    const float e0 = top[2 * tx], d0 = top[2 * tx + 1], e1 = bottom[2 * tx], d1 = bottom[2 * tx + 1];
                    const float r0[4] = {e0, e0 + d0, e0 - d0, -d0}, r1[4] = {e1, e1 + d1, e1 - d1, -d1};
                    for (long jj = 0; jj < 4; jj++) {  // A (dY A)
                        out[jj * plane_stride + tx] = r0[jj];
                        out[(4 + jj) * plane_stride + tx] = r0[jj] + r1[jj];
                        out[(8 + jj) * plane_stride + tx] = r0[jj] - r1[jj];
                        out[(12 + jj) * plane_stride + tx] = -r1[jj];
                    }
                }
            }
        }
}

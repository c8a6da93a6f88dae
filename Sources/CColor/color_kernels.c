// The kernels declared in CColor.h. Each public function is a plain loop over
// pixels whose body is an always-inlined function; the layout dispatch gives
// the compiler constant strides for the common layouts (RGB, RGBA), which is
// what lets it vectorise the loads.
#include "CColor.h"

#include <string.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
// Two copies of each kernel, the AVX2 one chosen at load time where the CPU has it.
#define VECTORIZED __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define VECTORIZED
#endif
#define INLINE static inline __attribute__((always_inline))

// No fused multiply-adds: they round differently from a multiply then an add,
// and the two copies must give the same floats (training data must not depend
// on which CPU converted it).
#pragma STDC FP_CONTRACT OFF

// MARK: CIE L*a*b*, D65 white, 2° observer, sRGB primaries (IEC 61966-2-1)

static const float white_x = 0.95047f, white_z = 1.08883f;
// CIE's exact epsilon and kappa, which keep the two pieces of f continuous.
static const float epsilon = 216.0f / 24389.0f;
static const float kappa = 24389.0f / 27.0f;

// Linear sRGB -> XYZ, rows divided by the white.
#define X_R (0.4124564f / 0.95047f)
#define X_G (0.3575761f / 0.95047f)
#define X_B (0.1804375f / 0.95047f)
#define Y_R 0.2126729f
#define Y_G 0.7151522f
#define Y_B 0.0721750f
#define Z_R (0.0193339f / 1.08883f)
#define Z_G (0.1191920f / 1.08883f)
#define Z_B (0.9503041f / 1.08883f)

/// The cube root of t >= epsilon to float precision: a third of the bit
/// pattern is a third of the exponent (a guess good to a few per cent), then
/// two Halley steps.
INLINE float cube_root(float t) {
    int32_t bits;
    memcpy(&bits, &t, sizeof bits);
    bits = bits / 3 + 709921077;
    float y;
    memcpy(&y, &bits, sizeof y);
    for (int step = 0; step < 2; step++) {
        float y3 = y * y * y;
        y = y * (y3 + 2 * t) / (2 * y3 + t);
    }
    return y;
}

/// CIE's f(t): the cube root above epsilon, a line of the same value and slope below.
INLINE float lab_f(float t) {
    float root = cube_root(t > epsilon ? t : epsilon);
    return t > epsilon ? root : (kappa * t + 16) * (1.0f / 116);
}

INLINE float lab_inverse_f(float f) {
    float cube = f * f * f;
    return cube > epsilon ? cube : (116 * f - 16) * (1.0f / kappa);
}

INLINE void lab_of_linear(float r, float g, float b, float *l, float *a, float *bb) {
    float fx = lab_f(X_R * r + X_G * g + X_B * b);
    float fy = lab_f(Y_R * r + Y_G * g + Y_B * b);
    float fz = lab_f(Z_R * r + Z_G * g + Z_B * b);
    *l = 116 * fy - 16;
    *a = 500 * (fx - fy);
    *bb = 200 * (fy - fz);
}

INLINE void linear_of_lab(float l, float a, float b, float *red, float *green, float *blue) {
    float fy = (l + 16) * (1.0f / 116);
    float fx = fy + a * (1.0f / 500);
    float fz = fy - b * (1.0f / 200);
    float x = lab_inverse_f(fx) * white_x;
    float y = l > kappa * epsilon ? fy * fy * fy : l * (1.0f / kappa);
    float z = lab_inverse_f(fz) * white_z;
    *red = 3.2404542f * x - 1.5371385f * y - 0.4985314f * z;
    *green = -0.9692660f * x + 1.8760108f * y + 0.0415560f * z;
    *blue = 0.0556434f * x - 0.2040259f * y + 1.0572252f * z;
}

// Pixels per block in the inverse conversions. Their arithmetic runs as one
// vector loop over a block into scratch arrays, and the sRGB table look-ups as
// a second loop: mixed into one loop, the look-ups stop the vectorisation of
// everything else (twice as slow).
#define BLOCK 256

/// Linear light, clipped to 0...1 (NaN gives 0), and its bin in the code table.
INLINE float clipped_linear(float v, int32_t *bin) {
    float clipped = v > 0 ? (v < 1 ? v : 1) : 0;
    int index = (int)(clipped * 4096);
    *bin = index < 4095 ? index : 4095;
    return clipped;
}

/// The 8-bit codes whose sRGB encodings are nearest to `n` clipped linear
/// values per channel: each bin's code, or the next one if the value reaches
/// its threshold. Written as interleaved RGB.
INLINE void srgb_codes(const float *red, const float *green, const float *blue, const int32_t bins[3][BLOCK],
                       chroma_srgb_tables tables, uint8_t *out, long n) {
    for (long i = 0; i < n; i++) {
        const int r = tables.code_at_bin[bins[0][i]], g = tables.code_at_bin[bins[1][i]], b = tables.code_at_bin[bins[2][i]];
        out[3 * i] = (uint8_t)(r + (red[i] >= tables.threshold[r + 1]));
        out[3 * i + 1] = (uint8_t)(g + (green[i] >= tables.threshold[g + 1]));
        out[3 * i + 2] = (uint8_t)(b + (blue[i] >= tables.threshold[b + 1]));
    }
}

INLINE uint8_t rounded_byte(float v) {
    float clipped = v > 0 ? (v < 255 ? v : 255) : 0;  // NaN gives 0
    return (uint8_t)(int)(clipped + 0.5f);
}

// Each macro below defines a kernel body for one sample type and one layout;
// DISPATCH calls it with constant strides for RGB and RGBA.
#define DISPATCH(layout, body, ...)                                            \
    do {                                                                       \
        if ((layout).stride == 3 && (layout).green == 1) {                     \
            body(3, 1, 2, __VA_ARGS__)                                         \
        } else if ((layout).stride == 4 && (layout).green == 1) {              \
            body(4, 1, 2, __VA_ARGS__)                                         \
        } else {                                                               \
            body((layout).stride, (layout).green, (layout).blue, __VA_ARGS__)  \
        }                                                                      \
    } while (0)

#define LAB_PLANES(stride, green, blue, source, tables, l, a, b, count)                   \
    for (long i = 0; i < (count); i++) {                                                   \
        const float red = (tables).linear[(source)[i * (stride)]];                         \
        const float grn = (tables).linear[(source)[i * (stride) + (green)]];               \
        const float blu = (tables).linear[(source)[i * (stride) + (blue)]];                \
        lab_of_linear(red, grn, blu, &(l)[i], &(a)[i], &(b)[i]);                           \
    }

VECTORIZED void chroma_lab_planes_u8(const uint8_t *restrict source, chroma_layout layout, chroma_srgb_tables tables,
                                     float *restrict l, float *restrict a, float *restrict b, long count) {
    DISPATCH(layout, LAB_PLANES, source, tables, l, a, b, count);
}

VECTORIZED void chroma_lab_planes_u16(const uint16_t *restrict source, chroma_layout layout, chroma_srgb_tables tables,
                                      float *restrict l, float *restrict a, float *restrict b, long count) {
    DISPATCH(layout, LAB_PLANES, source, tables, l, a, b, count);
}

#define LAB_LIGHTNESS(stride, green, blue, source, tables, l, count)                                   \
    for (long i = 0; i < (count); i++) {                                                                \
        const float y = Y_R * (tables).linear[(source)[i * (stride)]]                                   \
            + Y_G * (tables).linear[(source)[i * (stride) + (green)]]                                   \
            + Y_B * (tables).linear[(source)[i * (stride) + (blue)]];                                   \
        (l)[i] = 116 * lab_f(y) - 16;                                                                   \
    }

// A gray pixel's L* depends on its one sample alone: a look-up in the table
// this kernel filled (SRGB.swift), so the same floats as computing it.
#define GRAY_LIGHTNESS(source, layout, tables, l, count)                                         \
    if ((layout).green == 0 && (layout).blue == 0 && (tables).gray_lightness) {                   \
        for (long i = 0; i < (count); i++) (l)[i] = (tables).gray_lightness[(source)[i * (layout).stride]]; \
        return;                                                                                   \
    }

VECTORIZED void chroma_lab_lightness_u8(const uint8_t *restrict source, chroma_layout layout, chroma_srgb_tables tables,
                                        float *restrict l, long count) {
    GRAY_LIGHTNESS(source, layout, tables, l, count)
    DISPATCH(layout, LAB_LIGHTNESS, source, tables, l, count);
}

VECTORIZED void chroma_lab_lightness_u16(const uint16_t *restrict source, chroma_layout layout,
                                         chroma_srgb_tables tables, float *restrict l, long count) {
    GRAY_LIGHTNESS(source, layout, tables, l, count)
    DISPATCH(layout, LAB_LIGHTNESS, source, tables, l, count);
}

VECTORIZED void chroma_lab_to_rgb_u8(const float *restrict l, const float *restrict a, const float *restrict b,
                                     chroma_srgb_tables tables, uint8_t *restrict out, long count) {
    float red[BLOCK], green[BLOCK], blue[BLOCK];
    int32_t bins[3][BLOCK];
    for (long start = 0; start < count; start += BLOCK) {
        const long n = count - start < BLOCK ? count - start : BLOCK;
        for (long i = 0; i < n; i++) {
            float r, g, bl;
            linear_of_lab(l[start + i], a[start + i], b[start + i], &r, &g, &bl);
            red[i] = clipped_linear(r, &bins[0][i]);
            green[i] = clipped_linear(g, &bins[1][i]);
            blue[i] = clipped_linear(bl, &bins[2][i]);
        }
        srgb_codes(red, green, blue, bins, tables, out + 3 * start, n);
    }
}

VECTORIZED void chroma_lab_to_linear(const float *restrict l, const float *restrict a, const float *restrict b,
                                     float *restrict red, float *restrict green, float *restrict blue, long count) {
    for (long i = 0; i < count; i++) linear_of_lab(l[i], a[i], b[i], &red[i], &green[i], &blue[i]);
}

#define LAB8_FROM_RGB(stride, green, blue, source, tables, out, count)                     \
    for (long i = 0; i < (count); i++) {                                                    \
        float l, a, b;                                                                      \
        lab_of_linear((tables).linear[(source)[i * (stride)]],                              \
                      (tables).linear[(source)[i * (stride) + (green)]],                    \
                      (tables).linear[(source)[i * (stride) + (blue)]], &l, &a, &b);        \
        (out)[3 * i] = rounded_byte(l * (255.0f / 100));                                    \
        (out)[3 * i + 1] = rounded_byte(a + 128);                                           \
        (out)[3 * i + 2] = rounded_byte(b + 128);                                           \
    }

VECTORIZED void chroma_lab8_from_rgb_u8(const uint8_t *restrict source, chroma_layout layout,
                                        chroma_srgb_tables tables, uint8_t *restrict out, long count) {
    DISPATCH(layout, LAB8_FROM_RGB, source, tables, out, count);
}

VECTORIZED void chroma_lab8_to_rgb_u8(const uint8_t *restrict source, chroma_srgb_tables tables,
                                      uint8_t *restrict out, long count) {
    float red[BLOCK], green[BLOCK], blue[BLOCK];
    int32_t bins[3][BLOCK];
    for (long start = 0; start < count; start += BLOCK) {
        const long n = count - start < BLOCK ? count - start : BLOCK;
        const uint8_t *lab = source + 3 * start;
        uint8_t l8[BLOCK], a8[BLOCK], b8[BLOCK];  // apart first: the byte shuffles vectorise on their own
        for (long i = 0; i < n; i++) {
            l8[i] = lab[3 * i];
            a8[i] = lab[3 * i + 1];
            b8[i] = lab[3 * i + 2];
        }
        for (long i = 0; i < n; i++) {
            float r, g, b;
            linear_of_lab(l8[i] * (100.0f / 255), (float)a8[i] - 128, (float)b8[i] - 128, &r, &g, &b);
            red[i] = clipped_linear(r, &bins[0][i]);
            green[i] = clipped_linear(g, &bins[1][i]);
            blue[i] = clipped_linear(b, &bins[2][i]);
        }
        srgb_codes(red, green, blue, bins, tables, out + 3 * start, n);
    }
}

// MARK: YCbCr, JFIF (full-range BT.601)

#define YCBCR_PLANES(stride, green, blue, source, y, cb, cr, count)                       \
    for (long i = 0; i < (count); i++) {                                                   \
        const float r = (source)[i * (stride)], g = (source)[i * (stride) + (green)];      \
        const float bl = (source)[i * (stride) + (blue)];                                  \
        (y)[i] = 0.299f * r + 0.587f * g + 0.114f * bl;                                    \
        (cb)[i] = -0.16873589f * r - 0.33126411f * g + 0.5f * bl + 128;                    \
        (cr)[i] = 0.5f * r - 0.41868759f * g - 0.08131241f * bl + 128;                     \
    }

VECTORIZED void chroma_ycbcr_planes_u8(const uint8_t *restrict source, chroma_layout layout,
                                       float *restrict y, float *restrict cb, float *restrict cr, long count) {
    DISPATCH(layout, YCBCR_PLANES, source, y, cb, cr, count);
}

#define LUMA(stride, green, blue, source, y, scale, count)                                      \
    for (long i = 0; i < (count); i++) {                                                         \
        (y)[i] = (0.299f * (source)[i * (stride)] + 0.587f * (source)[i * (stride) + (green)]    \
                  + 0.114f * (source)[i * (stride) + (blue)]) * (scale);                         \
    }

VECTORIZED void chroma_luma_u8(const uint8_t *restrict source, chroma_layout layout, float *restrict y, long count) {
    DISPATCH(layout, LUMA, source, y, 1.0f, count);
}

VECTORIZED void chroma_luma_u16(const uint16_t *restrict source, chroma_layout layout, float *restrict y, long count) {
    DISPATCH(layout, LUMA, source, y, 1.0f / 257, count);
}

VECTORIZED void chroma_ycbcr_to_rgb_u8(const float *restrict y, const float *restrict cb, const float *restrict cr,
                                       uint8_t *restrict out, long count) {
    for (long i = 0; i < count; i++) {
        const float u = cb[i] - 128, v = cr[i] - 128;
        out[3 * i] = rounded_byte(y[i] + 1.402f * v);
        out[3 * i + 1] = rounded_byte(y[i] - 0.34413629f * u - 0.71413629f * v);
        out[3 * i + 2] = rounded_byte(y[i] + 1.772f * u);
    }
}

// libjpeg's fixed point: coefficients times 2^16, rounded.
#define FIX(x) ((int32_t)((x) * 65536 + 0.5))
#define ONE_HALF ((int32_t)1 << 15)
#define CHROMA_OFFSET (((int32_t)128 << 16) + ONE_HALF - 1)

#define JFIF_FROM_RGB(stride, green, blue, source, out, count)                                               \
    for (long i = 0; i < (count); i++) {                                                                      \
        const int32_t r = (source)[i * (stride)], g = (source)[i * (stride) + (green)];                       \
        const int32_t b = (source)[i * (stride) + (blue)];                                                    \
        (out)[3 * i] = (uint8_t)((FIX(0.29900) * r + FIX(0.58700) * g + FIX(0.11400) * b + ONE_HALF) >> 16); \
        (out)[3 * i + 1] = (uint8_t)((FIX(0.5) * b - FIX(0.16874) * r - FIX(0.33126) * g + CHROMA_OFFSET) >> 16); \
        (out)[3 * i + 2] = (uint8_t)((FIX(0.5) * r - FIX(0.41869) * g - FIX(0.08131) * b + CHROMA_OFFSET) >> 16); \
    }

VECTORIZED void chroma_jfif_from_rgb_u8(const uint8_t *restrict source, chroma_layout layout,
                                        uint8_t *restrict out, long count) {
    DISPATCH(layout, JFIF_FROM_RGB, source, out, count);
}

#define JFIF_LUMA(stride, green, blue, source, out, count)                                                   \
    for (long i = 0; i < (count); i++) {                                                                      \
        const int32_t r = (source)[i * (stride)], g = (source)[i * (stride) + (green)];                       \
        const int32_t b = (source)[i * (stride) + (blue)];                                                    \
        (out)[i] = (uint8_t)((FIX(0.29900) * r + FIX(0.58700) * g + FIX(0.11400) * b + ONE_HALF) >> 16);      \
    }

VECTORIZED void chroma_jfif_luma_u8(const uint8_t *restrict source, chroma_layout layout,
                                    uint8_t *restrict out, long count) {
    DISPATCH(layout, JFIF_LUMA, source, out, count);
}

INLINE uint8_t clipped_byte(int32_t v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

VECTORIZED void chroma_jfif_to_rgb_u8(const uint8_t *restrict source, uint8_t *restrict out, long count) {
    for (long i = 0; i < count; i++) {
        const int32_t y = source[3 * i], u = (int32_t)source[3 * i + 1] - 128, v = (int32_t)source[3 * i + 2] - 128;
        out[3 * i] = clipped_byte(y + ((FIX(1.40200) * v + ONE_HALF) >> 16));
        out[3 * i + 1] = clipped_byte(y + ((ONE_HALF - FIX(0.34414) * u - FIX(0.71414) * v) >> 16));
        out[3 * i + 2] = clipped_byte(y + ((FIX(1.77200) * u + ONE_HALF) >> 16));
    }
}

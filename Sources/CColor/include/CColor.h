// CColor: the per-pixel arithmetic of chroma's colour conversions.
//
// Why C: each kernel is a plain loop that the compiler turns into vector code,
// and on x86-64 Linux it is compiled twice (baseline and x86-64-v3: AVX2, FMA)
// with the faster copy chosen at load time. Swift has no per-function target,
// so Swift code built for the baseline can use 128-bit vectors only and no
// gathers: for these loops that is 2-6x slower. ColorSpace calls these
// functions; it owns the tables, the threading and the public API.
//
// Every function converts `count` pixels. Input pixels are described by a
// `chroma_layout`: samples per pixel and where green and blue sit (gray: all
// three at offset 0; alpha is skipped).
//
// Units: L* 0...100, a*, b* unbounded (about -128...128), Y, Cb, Cr 0...255 with
// Cb, Cr centred on 128; linear light 0...1.
#ifndef CHROMA_CCOLOR_H
#define CHROMA_CCOLOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Samples per pixel, and the offsets of green and blue within a pixel.
typedef struct {
    long stride;
    long green;
    long blue;
} chroma_layout;

/// The sRGB transfer curve as tables, built by ColorSpace's `SRGB`:
/// `linear[code]` is the linear light of an input code (256 or 65536 entries);
/// `code_at_bin[i]` (4096 entries) the 8-bit code at the lower edge of bin i of
/// linear light; `threshold[c]` (257) the least linear light that encodes to c;
/// `gray_lightness[code]` (as many entries as `linear`, or NULL) the L* that
/// chroma_lab_lightness_* computes for a gray pixel (R = G = B = code).
typedef struct {
    const float *linear;
    const int32_t *code_at_bin;
    const float *threshold;
    const float *gray_lightness;
} chroma_srgb_tables;

// MARK: CIE L*a*b* (D65)

/// 8-bit sRGB -> L*, a*, b* planes.
void chroma_lab_planes_u8(const uint8_t *source, chroma_layout layout, chroma_srgb_tables tables,
                          float *l, float *a, float *b, long count);
/// 16-bit sRGB (tables.linear has 65536 entries) -> L*, a*, b* planes.
void chroma_lab_planes_u16(const uint16_t *source, chroma_layout layout, chroma_srgb_tables tables,
                           float *l, float *a, float *b, long count);
/// L* alone, for 8-bit or 16-bit input.
void chroma_lab_lightness_u8(const uint8_t *source, chroma_layout layout, chroma_srgb_tables tables,
                             float *l, long count);
void chroma_lab_lightness_u16(const uint16_t *source, chroma_layout layout, chroma_srgb_tables tables,
                              float *l, long count);
/// L*, a*, b* planes -> 8-bit sRGB, 3 bytes a pixel, each channel the exact
/// rounding of its encoded value, clipped to 0...255.
void chroma_lab_to_rgb_u8(const float *l, const float *a, const float *b, chroma_srgb_tables tables,
                          uint8_t *out, long count);
/// L*, a*, b* planes -> linear-light R, G, B planes (unclipped).
void chroma_lab_to_linear(const float *l, const float *a, const float *b,
                          float *red, float *green, float *blue, long count);
/// 8-bit sRGB -> 8-bit Lab, 3 bytes a pixel: round(L* x 255/100), round(a*) + 128,
/// round(b*) + 128, each clipped to 0...255 (ImageMagick's and OpenCV's encoding).
void chroma_lab8_from_rgb_u8(const uint8_t *source, chroma_layout layout, chroma_srgb_tables tables,
                             uint8_t *out, long count);
/// The inverse of chroma_lab8_from_rgb_u8, exactly rounded, clipped to 0...255.
void chroma_lab8_to_rgb_u8(const uint8_t *source, chroma_srgb_tables tables, uint8_t *out, long count);

// MARK: YCbCr (JFIF, full-range BT.601)

/// 8-bit RGB -> Y, Cb, Cr planes in float.
void chroma_ycbcr_planes_u8(const uint8_t *source, chroma_layout layout,
                            float *y, float *cb, float *cr, long count);
/// Y alone in float, for 8-bit or 16-bit input (16-bit scaled by 1/257).
void chroma_luma_u8(const uint8_t *source, chroma_layout layout, float *y, long count);
void chroma_luma_u16(const uint16_t *source, chroma_layout layout, float *y, long count);
/// Y, Cb, Cr planes -> 8-bit RGB, rounded to nearest, clipped.
void chroma_ycbcr_to_rgb_u8(const float *y, const float *cb, const float *cr, uint8_t *out, long count);
/// 8-bit RGB -> 8-bit Y, Cb, Cr, 3 bytes a pixel: libjpeg's jccolor.c exactly
/// (16-bit fixed point).
void chroma_jfif_from_rgb_u8(const uint8_t *source, chroma_layout layout, uint8_t *out, long count);
/// 8-bit Y alone, as chroma_jfif_from_rgb_u8 computes it.
void chroma_jfif_luma_u8(const uint8_t *source, chroma_layout layout, uint8_t *out, long count);
/// 8-bit Y, Cb, Cr -> 8-bit RGB: libjpeg's jdcolor.c exactly.
void chroma_jfif_to_rgb_u8(const uint8_t *source, uint8_t *out, long count);

#ifdef __cplusplus
}
#endif

#endif

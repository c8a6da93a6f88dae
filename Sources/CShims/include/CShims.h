// CShims: the few things Swift cannot do itself.
//
// libpng and libjpeg report fatal errors by calling an error handler that must
// not return; the only way back is longjmp, and Swift cannot setjmp. Every
// codec function here sets its own jump point, calls the library, and turns a
// fatal error into a status code plus a message. Neither library is ever
// allowed to print or to call exit().
//
// Files: O_TMPFILE is a macro Swift's Glibc module does not import.
#ifndef CHROMA_CSHIMS_H
#define CHROMA_CSHIMS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of every shim call.
typedef enum {
    CHROMA_OK = 0,
    CHROMA_ERR_NOT_IMAGE = 1,    ///< the data is not of the expected format
    CHROMA_ERR_TRUNCATED = 2,    ///< the data ends before the image does
    CHROMA_ERR_CORRUPT = 3,      ///< the data is damaged
    CHROMA_ERR_UNSUPPORTED = 4,  ///< a valid variant this build cannot decode
    CHROMA_ERR_LIMIT = 5,        ///< a resource bound was exceeded
    CHROMA_ERR_NO_MEMORY = 6,    ///< an allocation failed
    CHROMA_ERR_USAGE = 7         ///< the caller passed arguments the library refused
} chroma_status;

/// Which resource bound a CHROMA_ERR_LIMIT refers to.
typedef enum {
    CHROMA_LIMIT_NONE = 0,
    CHROMA_LIMIT_JPEG_SCANS = 1,    ///< more progressive scans than allowed
    CHROMA_LIMIT_PNG_CHUNK = 2,     ///< an ancillary chunk larger than allowed in memory
    CHROMA_LIMIT_PNG_EXCESS = 3     ///< image data going on past the pixels the header promises
} chroma_limit;

/// A malloc'ed output buffer; release it with chroma_buffer_free.
typedef struct {
    uint8_t *data;
    size_t size;
} chroma_buffer;

void chroma_buffer_free(chroma_buffer *buffer);

// MARK: - PNG

typedef struct chroma_png_reader chroma_png_reader;

typedef struct {
    uint32_t width;
    uint32_t height;
    int channels;            ///< 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA, after expansion
    int bit_depth;           ///< 8 or 16: the depth of the samples read_pixels writes
    int source_bit_depth;    ///< 1, 2, 4, 8 or 16, as stored in the file
    int source_color_type;   ///< PNG colour type as stored (0, 2, 3, 4, 6)
    int interlaced;          ///< 1 for Adam7
    const uint8_t *exif;     ///< eXIf chunk, or NULL; valid until the reader is destroyed
    uint32_t exif_size;
} chroma_png_header;

/// Creates a reader over `size` bytes at `data`, which must outlive the reader.
/// `max_chunk_bytes` bounds the memory one ancillary chunk may take;
/// `max_excess_bytes` bounds the compressed image data (IDAT) left over once
/// the last row is decoded, which libpng would otherwise inflate to the end: a
/// few bytes in any honest file, gigabytes in a decompression bomb.
chroma_png_reader *chroma_png_reader_create(const uint8_t *data, size_t size, size_t max_chunk_bytes,
                                            size_t max_excess_bytes);
/// Reads up to the first image data; palettes, low bit depths and tRNS are
/// expanded, so samples are 8-bit (or 16-bit when `want_16_bit` and the file has them).
chroma_status chroma_png_read_header(chroma_png_reader *reader, int want_16_bit, chroma_png_header *header);
/// Decodes all rows into `pixels` (16-bit samples in native byte order).
chroma_status chroma_png_read_pixels(chroma_png_reader *reader, uint8_t *pixels, size_t row_bytes);
const char *chroma_png_reader_message(const chroma_png_reader *reader);
/// The bound behind the last CHROMA_ERR_LIMIT.
chroma_limit chroma_png_reader_limit(const chroma_png_reader *reader);
void chroma_png_reader_destroy(chroma_png_reader *reader);

/// Encodes gray (1), gray+alpha (2), RGB (3) or RGBA (4) samples of 8 or 16
/// bits (16-bit in native byte order) at zlib `compression_level` 0…9.
chroma_status chroma_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                                int channels, int bit_depth, int compression_level,
                                chroma_buffer *out, char *message, size_t message_size);

// MARK: - JPEG

typedef struct chroma_jpeg_reader chroma_jpeg_reader;

typedef struct {
    uint32_t width;
    uint32_t height;
    int channels;            ///< 1 (gray) or 3 (RGB): what read_pixels writes
    int source_components;   ///< components in the file (1, 3 or 4)
    int source_color_space;  ///< libjpeg's J_COLOR_SPACE of the file
    int progressive;
    int arithmetic;
    const uint8_t *exif;     ///< APP1 Exif payload (after "Exif\0\0"), or NULL
    uint32_t exif_size;
} chroma_jpeg_header;

/// Creates a reader over `size` bytes at `data`, which must outlive the reader.
/// A progressive file with more than `max_scans` scans is refused.
chroma_jpeg_reader *chroma_jpeg_reader_create(const uint8_t *data, size_t size, int max_scans);
chroma_status chroma_jpeg_read_header(chroma_jpeg_reader *reader, chroma_jpeg_header *header);
/// Decodes all rows into `pixels`; CMYK and YCCK files are converted to RGB.
/// A file that ends early is reported as CHROMA_ERR_TRUNCATED.
chroma_status chroma_jpeg_read_pixels(chroma_jpeg_reader *reader, uint8_t *pixels, size_t row_bytes);
/// Decodes the next `rows` rows (fewer at the image's end) into `pixels`, one
/// `row_bytes` apart, and says in `done` how many: read_pixels a band at a time,
/// for work that starts on the first rows while the rest are being decoded.
/// After a failure every call returns the same status.
chroma_status chroma_jpeg_read_rows(chroma_jpeg_reader *reader, uint8_t *pixels, size_t row_bytes, uint32_t rows,
                                    uint32_t *done);
/// After read_header: decode a YCbCr (or gray) JPEG's luminance alone, the Y
/// the file stores, as one channel. Returns 1 if it will, 0 for other colour spaces.
int chroma_jpeg_reader_luminance_only(chroma_jpeg_reader *reader);
/// Warnings libjpeg raised about recoverable damage so far.
int chroma_jpeg_reader_warnings(const chroma_jpeg_reader *reader);
const char *chroma_jpeg_reader_message(const chroma_jpeg_reader *reader);
/// The bound behind the last CHROMA_ERR_LIMIT.
chroma_limit chroma_jpeg_reader_limit(const chroma_jpeg_reader *reader);
void chroma_jpeg_reader_destroy(chroma_jpeg_reader *reader);

/// Chroma subsampling for encoding.
typedef enum {
    CHROMA_SUBSAMPLE_444 = 0,
    CHROMA_SUBSAMPLE_422 = 1,
    CHROMA_SUBSAMPLE_420 = 2
} chroma_subsampling;

/// Encodes 8-bit gray (1) or RGB (3) samples at `quality` 1…100.
chroma_status chroma_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                                 int channels, int quality, chroma_subsampling subsampling,
                                 int progressive, chroma_buffer *out,
                                 char *message, size_t message_size);

/// An encoder fed a band of rows at a time (chroma_jpeg_encode's settings).
typedef struct chroma_jpeg_writer chroma_jpeg_writer;
/// NULL only when out of memory; a writer that cannot start (bad size or
/// channels) fails its first write with its reason in its message.
chroma_jpeg_writer *chroma_jpeg_writer_create(uint32_t width, uint32_t height, int channels, int quality,
                                              chroma_subsampling subsampling, int progressive);
/// Encodes the next `rows` rows at `pixels`, one `row_bytes` apart.
chroma_status chroma_jpeg_write_rows(chroma_jpeg_writer *writer, const uint8_t *pixels, size_t row_bytes, uint32_t rows);
/// After the last row: the file, in `out` (the caller frees it).
chroma_status chroma_jpeg_writer_finish(chroma_jpeg_writer *writer, chroma_buffer *out);
const char *chroma_jpeg_writer_message(const chroma_jpeg_writer *writer);
void chroma_jpeg_writer_destroy(chroma_jpeg_writer *writer);

// MARK: - JPEG coefficients (colorizing without touching luminance)

/// A JPEG's quantised DCT coefficients, as `chroma_jpeg_read_coefficients` found them.
typedef struct {
    uint32_t width;
    uint32_t height;
    int components;         ///< 1 (gray) or 3 (YCbCr)
    uint32_t chroma_width;  ///< the chroma planes the output takes: the file's own Cb and Cr
    uint32_t chroma_height; ///< sizes, or half the image's each way for a gray file (4:2:0)
} chroma_jpeg_coefficients;

/// After read_header: reads the coefficients of a gray or YCbCr JPEG whose
/// luminance is at full resolution. CHROMA_ERR_UNSUPPORTED (message says why)
/// for other colour spaces and layouts; decode those through pixels instead.
chroma_status chroma_jpeg_read_coefficients(chroma_jpeg_reader *reader, chroma_jpeg_coefficients *info);
/// The luminance (0…255) area-averaged onto a `grid_width` × `grid_height`
/// grid (no larger than the image): cell (i, j) is the mean of the pixels in
/// [i·w/gw, (i+1)·w/gw) × [j·h/gh, (j+1)·h/gh), partly covered pixels weighted
/// by their coverage; computed from the coefficients without an inverse DCT.
/// With `threads` above 1 the grid's lower half is computed on a thread of its own
/// (the same floats: each cell is summed by one thread, in the same order).
chroma_status chroma_jpeg_luminance_means(chroma_jpeg_reader *reader, uint32_t grid_width, uint32_t grid_height, int threads,
                                          float *means);
/// Encodes a JPEG whose luminance coefficients are the file's, unchanged, and
/// whose Cb and Cr are `cb` and `cr`: planes of `grid_width` × `grid_height`
/// floats (JFIF units, 0…255) spanning the whole image, stretched bilinearly
/// (pixel centres aligned) to the chroma components' resolution block by block,
/// then forward-DCT'ed and quantised with the file's chroma tables, or for a
/// gray file with the standard chroma table at `quality` (4:2:0). The reader's
/// markers are not copied (metadata is the caller's). With `threads` above 1, Cb
/// is made on a thread of its own while the calling thread makes Cr.
chroma_status chroma_jpeg_write_with_chroma(chroma_jpeg_reader *reader, const float *cb, const float *cr, uint32_t grid_width,
                                            uint32_t grid_height, int quality, int progressive, int threads, chroma_buffer *out,
                                            char *message, size_t message_size);

// MARK: - TIFF

typedef struct chroma_tiff_reader chroma_tiff_reader;

typedef struct {
    uint32_t width;
    uint32_t height;
    int channels;           ///< what read_pixels writes: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
    int bit_depth;          ///< 8 or 16: the depth of the samples read_pixels writes
    int source_bit_depth;   ///< bits per sample as stored
    int source_samples;     ///< samples per pixel as stored
    int photometric;        ///< TIFF photometric interpretation
    int compression;        ///< TIFF compression scheme
    int tiled;              ///< 1 for tiles, 0 for strips
    int alpha;              ///< 0 none, 1 associated (premultiplied; undone), 2 unassociated
    int orientation;        ///< TIFF Orientation (1…8, as EXIF's); 1 when already applied
    int direct;             ///< 1: samples as stored; 0: through libtiff's 8-bit RGBA reader
} chroma_tiff_header;

/// Creates a reader over `size` bytes at `data`, which must outlive the reader;
/// libtiff may allocate at most `max_alloc` bytes at once (0: its own default).
chroma_tiff_reader *chroma_tiff_reader_create(const uint8_t *data, size_t size, size_t max_alloc);
/// Reads the first image's directory. Gray and RGB of 8 or 16 bits (with
/// alpha, in strips or tiles, either planar configuration) are read as
/// stored; with `keep_encoding`, so are CIELab (a*, b* offset to unsigned:
/// a* + 128 at 8 bits, a* x 256 + 32768 at 16) and full-range YCbCr without
/// subsampling; everything else libtiff can convert comes as 8-bit RGB.
chroma_status chroma_tiff_read_header(chroma_tiff_reader *reader, chroma_tiff_header *header, int keep_encoding);
/// Decodes the first image into `pixels` (16-bit samples in native byte order).
chroma_status chroma_tiff_read_pixels(chroma_tiff_reader *reader, uint8_t *pixels, size_t row_bytes);
const char *chroma_tiff_reader_message(const chroma_tiff_reader *reader);
void chroma_tiff_reader_destroy(chroma_tiff_reader *reader);

/// What three colour samples hold.
enum {
    CHROMA_ENCODING_RGB = 0,
    CHROMA_ENCODING_LAB = 1,   ///< written as CIELab (photometric 8), a* and b* signed, D65 white point
    CHROMA_ENCODING_YCBCR = 2  ///< written as YCbCr (photometric 6), no subsampling, full range
};

/// Encodes gray (1), gray+alpha (2), RGB (3) or RGBA (4) samples of 8 or 16
/// bits (native byte order) in strips, with `compression` (a TIFF scheme:
/// 1 none, 5 LZW, 8 Deflate, 32773 PackBits); orientation top-left. Three
/// colour samples hold what `encoding` says (Lab as chroma_tiff_read_header
/// returns it).
chroma_status chroma_tiff_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int bit_depth,
                                 int compression, int encoding, chroma_buffer *out, char *message, size_t message_size);

// MARK: - zlib

/// Inflates the zlib stream `data` into `out` (malloc'ed), refusing with
/// CHROMA_ERR_LIMIT once the result would pass `max_out` bytes (the memory is
/// never allocated); CHROMA_ERR_CORRUPT or CHROMA_ERR_TRUNCATED for bad data.
chroma_status chroma_inflate(const uint8_t *data, size_t size, size_t max_out, chroma_buffer *out);
/// Compresses `data` as a zlib stream at the highest level.
chroma_status chroma_deflate(const uint8_t *data, size_t size, chroma_buffer *out);
/// CRC-32 (IEEE 802.3), as PNG chunks use it.
uint32_t chroma_crc32(const uint8_t *data, size_t size);

// MARK: - Memory

/// Serves allocations of up to 1 GiB from the heap and keeps freed memory
/// there (glibc's mmap and trim thresholds), so that buffers freed by one
/// photo are reused by the next instead of being unmapped and zeroed again.
void chroma_reuse_large_buffers(void);

// MARK: - Files

/// Opens an unnamed file in `directory` for writing (Linux O_TMPFILE): if the
/// process dies before the file is linked, the kernel reclaims it and nothing
/// is left behind. Returns a descriptor, or -1 with errno set (EOPNOTSUPP,
/// EISDIR or EINVAL where the file system cannot do it).
int chroma_open_unnamed(const char *directory, unsigned mode);
/// Gives the unnamed file behind `fd` the name `path`; fails with EEXIST
/// rather than replace a file. Returns 0 or -1 with errno set.
int chroma_link_unnamed(int fd, const char *path);

#ifdef __cplusplus
}
#endif

#endif

// libjpeg(-turbo) behind setjmp: see CShims.h for why this file exists.
#include "CShims.h"

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr base;  // first, so a j_common_ptr's err can be cast back
    jmp_buf jump;
    chroma_status failure;
    int warnings;
    char message[JMSG_LENGTH_MAX + 64];
} shim_error_manager;

struct chroma_jpeg_reader {
    struct jpeg_decompress_struct cinfo;
    shim_error_manager error;
    struct jpeg_progress_mgr progress;
    int max_scans;
    chroma_limit limit;
    int converts_cmyk;
    int started, finished;  ///< jpeg_start_decompress and jpeg_finish_decompress called
    uint8_t *cmyk_row;
    jvirt_barray_ptr *coefficients;  ///< after chroma_jpeg_read_coefficients
};

static chroma_status status_for_code(int code) {
    switch (code) {
    case JERR_NO_SOI:
        return CHROMA_ERR_NOT_IMAGE;
    case JERR_INPUT_EMPTY:
    case JERR_INPUT_EOF:
    case JWRN_JPEG_EOF:
        return CHROMA_ERR_TRUNCATED;
    case JERR_BAD_PRECISION:
    case JERR_SOF_UNSUPPORTED:
    case JERR_ARITH_NOTIMPL:
    case JERR_NOT_COMPILED:
    case JERR_NOTIMPL:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_CCIR601_NOTIMPL:
    case JERR_FRACT_SAMPLE_NOTIMPL:
        return CHROMA_ERR_UNSUPPORTED;
    case JERR_IMAGE_TOO_BIG:    // libjpeg's fixed 65500-pixel side, not a bound of chroma's
    case JERR_WIDTH_OVERFLOW:
        return CHROMA_ERR_UNSUPPORTED;
    case JERR_OUT_OF_MEMORY:
        return CHROMA_ERR_NO_MEMORY;
    default:
        return CHROMA_ERR_CORRUPT;
    }
}

static void on_jpeg_error(j_common_ptr cinfo) {
    shim_error_manager *error = (shim_error_manager *)cinfo->err;
    if (error->failure == CHROMA_OK) {
        (*cinfo->err->format_message)(cinfo, error->message);
        error->failure = status_for_code(cinfo->err->msg_code);
    }
    longjmp(error->jump, 1);
}

// libjpeg reports recoverable damage here (level -1) and chatters about
// markers (level >= 0). Nothing is printed. A file that ends early is
// recoverable to libjpeg, which pads it with gray; chroma refuses it instead,
// because a half-gray photo is not a result anyone wants.
static void on_jpeg_message(j_common_ptr cinfo, int level) {
    shim_error_manager *error = (shim_error_manager *)cinfo->err;
    if (level >= 0) return;
    error->warnings++;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
        (*cinfo->err->format_message)(cinfo, error->message);
        error->failure = CHROMA_ERR_TRUNCATED;
        longjmp(error->jump, 1);
    }
}

static void on_jpeg_output(j_common_ptr cinfo) { (void)cinfo; }

static void install_error_manager(shim_error_manager *error) {
    jpeg_std_error(&error->base);
    error->base.error_exit = on_jpeg_error;
    error->base.emit_message = on_jpeg_message;
    error->base.output_message = on_jpeg_output;
    error->failure = CHROMA_OK;
    error->warnings = 0;
    error->message[0] = 0;
}

// A compressor writing into memory. Each function that uses one sets its own
// jump point (setjmp must be in the frame that longjmp returns to), then calls
// compressor_fail when it lands there.
typedef struct {
    struct jpeg_compress_struct cinfo;
    shim_error_manager error;
    unsigned char *buffer;
    unsigned long size;
} shim_compressor;

static void compressor_start(shim_compressor *compressor) {
    install_error_manager(&compressor->error);
    compressor->cinfo.err = &compressor->error.base;
    compressor->buffer = NULL;
    compressor->size = 0;
    jpeg_create_compress(&compressor->cinfo);
    jpeg_mem_dest(&compressor->cinfo, &compressor->buffer, &compressor->size);
}

static chroma_status compressor_fail(shim_compressor *compressor, char *message, size_t message_size) {
    snprintf(message, message_size, "%s", compressor->error.message);
    jpeg_destroy_compress(&compressor->cinfo);
    free(compressor->buffer);
    return compressor->error.failure == CHROMA_ERR_NO_MEMORY ? CHROMA_ERR_NO_MEMORY : CHROMA_ERR_USAGE;
}

static chroma_status compressor_finish(shim_compressor *compressor, chroma_buffer *out) {
    jpeg_finish_compress(&compressor->cinfo);
    jpeg_destroy_compress(&compressor->cinfo);
    out->data = compressor->buffer;
    out->size = compressor->size;
    return CHROMA_OK;
}

// A progressive file can hold thousands of tiny scans, each of which makes
// libjpeg pass over the whole coefficient buffer: a "scan bomb".
static void on_jpeg_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    chroma_jpeg_reader *reader = (chroma_jpeg_reader *)dinfo->client_data;
    if (dinfo->input_scan_number > reader->max_scans) {
        snprintf(reader->error.message, sizeof reader->error.message,
                 "more than %d progressive scans", reader->max_scans);
        reader->error.failure = CHROMA_ERR_LIMIT;
        reader->limit = CHROMA_LIMIT_JPEG_SCANS;
        longjmp(reader->error.jump, 1);
    }
}

chroma_jpeg_reader *chroma_jpeg_reader_create(const uint8_t *data, size_t size, int max_scans) {
    chroma_jpeg_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) return NULL;
    reader->max_scans = max_scans;
    install_error_manager(&reader->error);
    reader->cinfo.err = &reader->error.base;
    if (setjmp(reader->error.jump)) {
        jpeg_destroy_decompress(&reader->cinfo);
        free(reader);
        return NULL;
    }
    jpeg_create_decompress(&reader->cinfo);
    reader->cinfo.client_data = reader;
    reader->progress.progress_monitor = on_jpeg_progress;
    reader->cinfo.progress = &reader->progress;
    // jpeg_mem_src refuses an empty buffer with a fatal error; keep that for read_header.
    static const uint8_t nothing[1] = {0};
    jpeg_mem_src(&reader->cinfo, size ? data : nothing, (unsigned long)size);
    jpeg_save_markers(&reader->cinfo, JPEG_APP0 + 1, 0xFFFF);
    return reader;
}

chroma_status chroma_jpeg_read_header(chroma_jpeg_reader *reader, chroma_jpeg_header *header) {
    j_decompress_ptr cinfo = &reader->cinfo;
    if (setjmp(reader->error.jump)) return reader->error.failure;
    if (cinfo->src->bytes_in_buffer == 0) {
        snprintf(reader->error.message, sizeof reader->error.message, "empty file");
        return reader->error.failure = CHROMA_ERR_TRUNCATED;
    }
    jpeg_read_header(cinfo, TRUE);

    header->width = cinfo->image_width;
    header->height = cinfo->image_height;
    header->source_components = cinfo->num_components;
    header->source_color_space = cinfo->jpeg_color_space;
    header->progressive = cinfo->progressive_mode;
    header->arithmetic = cinfo->arith_code;
    header->exif = NULL;
    header->exif_size = 0;
    for (jpeg_saved_marker_ptr marker = cinfo->marker_list; marker != NULL; marker = marker->next) {
        if (marker->marker == JPEG_APP0 + 1 && marker->data_length > 6 &&
            memcmp(marker->data, "Exif\0\0", 6) == 0) {
            header->exif = marker->data + 6;
            header->exif_size = marker->data_length - 6;
            break;
        }
    }

    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo->out_color_space = JCS_GRAYSCALE;
        header->channels = 1;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo->out_color_space = JCS_CMYK;  // libjpeg turns YCCK into CMYK; RGB is ours to do
        reader->converts_cmyk = 1;
        header->channels = 3;
        break;
    default:
        cinfo->out_color_space = JCS_RGB;
        header->channels = 3;
        break;
    }
    return CHROMA_OK;
}

int chroma_jpeg_reader_luminance_only(chroma_jpeg_reader *reader) {
    j_decompress_ptr cinfo = &reader->cinfo;
    if (cinfo->jpeg_color_space != JCS_YCbCr && cinfo->jpeg_color_space != JCS_GRAYSCALE) return 0;
    // libjpeg then skips the chroma components' inverse DCT, upsampling and colour conversion.
    cinfo->out_color_space = JCS_GRAYSCALE;
    return 1;
}

chroma_status chroma_jpeg_read_pixels(chroma_jpeg_reader *reader, uint8_t *pixels, size_t row_bytes) {
    uint32_t done = 0;
    return chroma_jpeg_read_rows(reader, pixels, row_bytes, UINT32_MAX, &done);
}

chroma_status chroma_jpeg_read_rows(chroma_jpeg_reader *reader, uint8_t *pixels, size_t row_bytes, uint32_t rows,
                                    uint32_t *done) {
    j_decompress_ptr cinfo = &reader->cinfo;
    *done = 0;
    if (reader->error.failure != CHROMA_OK) return reader->error.failure;  // a reader that failed stays failed
    if (setjmp(reader->error.jump)) return reader->error.failure;
    if (!reader->started) {
        jpeg_start_decompress(cinfo);
        reader->started = 1;
        if (reader->converts_cmyk) {
            reader->cmyk_row = malloc((size_t)cinfo->output_width * 4);
            if (reader->cmyk_row == NULL) {
                snprintf(reader->error.message, sizeof reader->error.message, "out of memory");
                return reader->error.failure = CHROMA_ERR_NO_MEMORY;
            }
        }
    }
    // Adobe writes CMYK inverted (0 = full ink); so do most files that carry its marker.
    const int inverted = cinfo->saw_Adobe_marker;
    while (*done < rows && cinfo->output_scanline < cinfo->output_height) {
        uint8_t *out = pixels + (size_t)*done * row_bytes;
        if (!reader->converts_cmyk) {
            JSAMPROW row = out;
            jpeg_read_scanlines(cinfo, &row, 1);
            ++*done;
            continue;
        }
        JSAMPROW row = reader->cmyk_row;
        jpeg_read_scanlines(cinfo, &row, 1);
        for (JDIMENSION x = 0; x < cinfo->output_width; x++) {
            const uint8_t *cmyk = reader->cmyk_row + 4 * x;
            unsigned k = inverted ? cmyk[3] : 255u - cmyk[3];
            for (int c = 0; c < 3; c++) {
                unsigned ink = inverted ? cmyk[c] : 255u - cmyk[c];
                out[3 * x + c] = (uint8_t)((ink * k + 127) / 255);
            }
        }
        ++*done;
    }
    if (cinfo->output_scanline == cinfo->output_height && !reader->finished) {
        jpeg_finish_decompress(cinfo);
        reader->finished = 1;
    }
    return CHROMA_OK;
}

chroma_limit chroma_jpeg_reader_limit(const chroma_jpeg_reader *reader) { return reader->limit; }

int chroma_jpeg_reader_warnings(const chroma_jpeg_reader *reader) { return reader->error.warnings; }

const char *chroma_jpeg_reader_message(const chroma_jpeg_reader *reader) { return reader->error.message; }

void chroma_jpeg_reader_destroy(chroma_jpeg_reader *reader) {
    if (reader == NULL) return;
    jpeg_destroy_decompress(&reader->cinfo);
    free(reader->cmyk_row);
    free(reader);
}

// MARK: - Encoding

chroma_status chroma_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                                 int channels, int quality, chroma_subsampling subsampling,
                                 int progressive, chroma_buffer *out,
                                 char *message, size_t message_size) {
    out->data = NULL;
    out->size = 0;
    chroma_jpeg_writer *writer = chroma_jpeg_writer_create(width, height, channels, quality, subsampling, progressive);
    if (writer == NULL) {
        snprintf(message, message_size, "out of memory");
        return CHROMA_ERR_NO_MEMORY;
    }
    chroma_status status = chroma_jpeg_write_rows(writer, pixels, (size_t)width * (channels > 0 ? channels : 1), height);
    if (status == CHROMA_OK) status = chroma_jpeg_writer_finish(writer, out);
    if (status != CHROMA_OK) snprintf(message, message_size, "%s", chroma_jpeg_writer_message(writer));
    chroma_jpeg_writer_destroy(writer);
    return status;
}

struct chroma_jpeg_writer {
    shim_compressor compressor;
    int created;  ///< jpeg_create_compress called: destroy must undo it
};

// Usage errors (a bad size or channel count, a call out of order) and libjpeg's
// refusals both end the writer: every later call returns the same status.
static chroma_status writer_fail(chroma_jpeg_writer *writer) {
    chroma_status failure = writer->compressor.error.failure;
    return writer->compressor.error.failure = failure == CHROMA_ERR_NO_MEMORY ? CHROMA_ERR_NO_MEMORY : CHROMA_ERR_USAGE;
}

chroma_jpeg_writer *chroma_jpeg_writer_create(uint32_t width, uint32_t height, int channels, int quality,
                                              chroma_subsampling subsampling, int progressive) {
    chroma_jpeg_writer *writer = calloc(1, sizeof *writer);
    if (writer == NULL) return NULL;
    shim_compressor *compressor = &writer->compressor;
    if ((channels != 1 && channels != 3) || width == 0 || height == 0) {
        install_error_manager(&compressor->error);
        snprintf(compressor->error.message, sizeof compressor->error.message,
                 "JPEG cannot hold %d channels at %ux%u", channels, width, height);
        compressor->error.failure = CHROMA_ERR_USAGE;
        return writer;
    }
    j_compress_ptr cinfo = &compressor->cinfo;
    if (setjmp(compressor->error.jump)) {
        writer_fail(writer);
        return writer;
    }
    compressor_start(compressor);
    writer->created = 1;
    cinfo->image_width = width;
    cinfo->image_height = height;
    cinfo->input_components = channels;
    cinfo->in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(cinfo);
    jpeg_set_quality(cinfo, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
    if (channels == 3) {
        static const int horizontal[3] = {1, 2, 2}, vertical[3] = {1, 1, 2};
        cinfo->comp_info[0].h_samp_factor = horizontal[subsampling];
        cinfo->comp_info[0].v_samp_factor = vertical[subsampling];
        for (int c = 1; c < 3; c++) cinfo->comp_info[c].h_samp_factor = cinfo->comp_info[c].v_samp_factor = 1;
    }
    if (progressive) jpeg_simple_progression(cinfo);
    jpeg_start_compress(cinfo, TRUE);
    return writer;
}

chroma_status chroma_jpeg_write_rows(chroma_jpeg_writer *writer, const uint8_t *pixels, size_t row_bytes, uint32_t rows) {
    shim_compressor *compressor = &writer->compressor;
    j_compress_ptr cinfo = &compressor->cinfo;
    if (compressor->error.failure != CHROMA_OK) return compressor->error.failure;
    if (setjmp(compressor->error.jump)) return writer_fail(writer);
    if (rows > cinfo->image_height - cinfo->next_scanline) {
        snprintf(compressor->error.message, sizeof compressor->error.message, "%u rows past the image's %u",
                 rows - (cinfo->image_height - cinfo->next_scanline), cinfo->image_height);
        return compressor->error.failure = CHROMA_ERR_USAGE;
    }
    for (uint32_t y = 0; y < rows; y++) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)y * row_bytes);
        jpeg_write_scanlines(cinfo, &row, 1);
    }
    return CHROMA_OK;
}

chroma_status chroma_jpeg_writer_finish(chroma_jpeg_writer *writer, chroma_buffer *out) {
    shim_compressor *compressor = &writer->compressor;
    out->data = NULL;
    out->size = 0;
    if (compressor->error.failure != CHROMA_OK) return compressor->error.failure;
    if (setjmp(compressor->error.jump)) return writer_fail(writer);
    if (compressor->cinfo.next_scanline < compressor->cinfo.image_height) {
        snprintf(compressor->error.message, sizeof compressor->error.message, "finished after %u of %u rows",
                 compressor->cinfo.next_scanline, compressor->cinfo.image_height);
        return compressor->error.failure = CHROMA_ERR_USAGE;
    }
    jpeg_finish_compress(&compressor->cinfo);
    out->data = compressor->buffer;  // the caller's now
    out->size = compressor->size;
    compressor->buffer = NULL;
    compressor->error.failure = CHROMA_ERR_USAGE;  // finished: nothing more to write
    snprintf(compressor->error.message, sizeof compressor->error.message, "already finished");
    return CHROMA_OK;
}

const char *chroma_jpeg_writer_message(const chroma_jpeg_writer *writer) { return writer->compressor.error.message; }

void chroma_jpeg_writer_destroy(chroma_jpeg_writer *writer) {
    if (writer == NULL) return;
    if (writer->created) jpeg_destroy_compress(&writer->compressor.cinfo);
    free(writer->compressor.buffer);
    free(writer);
}

// MARK: - Coefficients

chroma_status chroma_jpeg_read_coefficients(chroma_jpeg_reader *reader, chroma_jpeg_coefficients *info) {
    j_decompress_ptr cinfo = &reader->cinfo;
    if (setjmp(reader->error.jump)) return reader->error.failure;
    const char *unsupported = NULL;
    if (cinfo->jpeg_color_space == JCS_GRAYSCALE) {
        if (cinfo->num_components != 1) unsupported = "a gray JPEG with several components";
    } else if (cinfo->jpeg_color_space != JCS_YCbCr || cinfo->num_components != 3) {
        unsupported = "not a YCbCr or gray JPEG";
    } else if (cinfo->comp_info[0].h_samp_factor != cinfo->max_h_samp_factor ||
               cinfo->comp_info[0].v_samp_factor != cinfo->max_v_samp_factor) {
        unsupported = "luminance below full resolution";
    }
    if (unsupported != NULL) {
        snprintf(reader->error.message, sizeof reader->error.message, "%s", unsupported);
        return reader->error.failure = CHROMA_ERR_UNSUPPORTED;
    }
    reader->coefficients = jpeg_read_coefficients(cinfo);
    // A component's quantisation table is latched when a scan first holds it: a file
    // whose scans never hold one (not truncated: its end marker came first) has none.
    for (int c = 0; c < cinfo->num_components; c++) {
        if (cinfo->comp_info[c].quant_table == NULL) {
            snprintf(reader->error.message, sizeof reader->error.message, "no scan holds component %d", c + 1);
            return reader->error.failure = CHROMA_ERR_CORRUPT;
        }
    }
    info->width = cinfo->image_width;
    info->height = cinfo->image_height;
    info->components = cinfo->num_components;
    if (cinfo->num_components == 3) {
        info->chroma_width = cinfo->comp_info[1].downsampled_width;
        info->chroma_height = cinfo->comp_info[1].downsampled_height;
        if (cinfo->comp_info[2].downsampled_width != info->chroma_width ||
            cinfo->comp_info[2].downsampled_height != info->chroma_height) {
            snprintf(reader->error.message, sizeof reader->error.message, "Cb and Cr of different sizes");
            return reader->error.failure = CHROMA_ERR_UNSUPPORTED;
        }
    } else {
        info->chroma_width = (cinfo->image_width + 1) / 2;
        info->chroma_height = (cinfo->image_height + 1) / 2;
    }
    return CHROMA_OK;
}

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
// Two copies of the coefficient loops, the AVX2 one chosen at load time where the CPU has it (as CColor's kernels).
#define VECTORIZED __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define VECTORIZED
#endif
// No fused multiply-adds: the two copies must give the same coefficients, so that a
// photo colorizes to the same bytes on any CPU.
#pragma STDC FP_CONTRACT OFF

// The JPEG standard's chroma quantisation table (ITU T.81, Annex K.2), natural order.
static const unsigned int standard_chroma_table[DCTSIZE2] = {
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

// F(u,v) = ¼ C(u) C(v) Σx Σy s(x,y) cos((2x+1)uπ/16) cos((2y+1)vπ/16), C(0) = 1/√2, else 1:
// the DCT the standard defines, as a product M · S · Mᵀ with M[u][x] = ½ C(u) cos((2x+1)uπ/16).
static void forward_dct_matrix(float m[DCTSIZE][DCTSIZE]) {
    for (int u = 0; u < DCTSIZE; u++)
        for (int x = 0; x < DCTSIZE; x++)
            m[u][x] = (float)(0.5 * (u == 0 ? 0.70710678118654752 : 1.0) * cos((2 * x + 1) * u * 3.14159265358979324 / 16));
}

// One axis of a bilinear stretch from `grid` samples to `n` (pixel centres
// aligned: sample i sits at (i + ½)·grid/n − ½ on the grid, clamped to it, as
// Resampler's bilinear does), projected per block on the DCT's basis: for block
// b, the grid samples first[b] … first[b] + span[b] − 1 that reach its 8
// samples, and for each of them p[u] = Σx w(x) · M[u][x], w(x) the grid
// sample's weight at x. Samples past n repeat the last one, as an encoder pads.
typedef struct {
    uint32_t blocks, width;  // width: the most grid samples any block reaches
    uint32_t *first, *span;
    float *p;                // blocks × width × DCTSIZE
} stretch_axis;

static int stretch_axis_make(stretch_axis *axis, uint32_t n, uint32_t grid, uint32_t blocks, const float m[DCTSIZE][DCTSIZE]) {
    axis->blocks = blocks;
    axis->first = calloc(blocks, sizeof(uint32_t));
    axis->span = calloc(blocks, sizeof(uint32_t));
    axis->p = NULL;
    if (axis->first == NULL || axis->span == NULL) return 0;
    uint32_t lower[DCTSIZE];
    float weight[DCTSIZE];
    axis->width = 1;
    for (int pass = 0; pass < 2; pass++) {  // the first pass finds the width, the second fills p
        if (pass == 1) {
            axis->p = calloc((size_t)blocks * axis->width * DCTSIZE, sizeof(float));
            if (axis->p == NULL) return 0;
        }
        for (uint32_t b = 0; b < blocks; b++) {
            uint32_t lo = UINT32_MAX, hi = 0;
            for (int x = 0; x < DCTSIZE; x++) {
                uint32_t i = b * DCTSIZE + x < n ? b * DCTSIZE + x : n - 1;
                double position = (i + 0.5) * ((double)grid / n) - 0.5;
                if (position < 0) position = 0;
                if (position > grid - 1) position = grid - 1;
                lower[x] = (uint32_t)position;
                weight[x] = (float)(position - lower[x]);
                if (lower[x] < lo) lo = lower[x];
                uint32_t top = weight[x] > 0 ? lower[x] + 1 : lower[x];
                if (top > hi) hi = top;
            }
            axis->first[b] = lo;
            axis->span[b] = hi - lo + 1;
            if (pass == 0) {
                if (axis->span[b] > axis->width) axis->width = axis->span[b];
                continue;
            }
            float *p = axis->p + (size_t)b * axis->width * DCTSIZE;
            for (int x = 0; x < DCTSIZE; x++)
                for (int u = 0; u < DCTSIZE; u++) {
                    p[(lower[x] - lo) * DCTSIZE + u] += (1 - weight[x]) * m[u][x];
                    if (weight[x] > 0) p[(lower[x] + 1 - lo) * DCTSIZE + u] += weight[x] * m[u][x];
                }
        }
    }
    return 1;
}

static void stretch_axis_free(stretch_axis *axis) {
    free(axis->first);
    free(axis->span);
    free(axis->p);
}

// A grid plane (JFIF units) stretched bilinearly to `width` × `height` samples,
// into a component's blocks, transformed and quantised with `table`. Stretching
// and the DCT are both linear and separable, so a block's coefficients are
// F = Pyᵀ · (G − 128) · Px over the few grid samples that reach it (Px, Py from
// stretch_axis): about 150 multiply-adds a block instead of 1,000 for
// interpolating 64 samples and transforming them, and no full-size plane.
// Blocks past the plane (MCU padding) are filled the same way.
VECTORIZED static int quantise_stretched(j_common_ptr owner, jvirt_barray_ptr array, jpeg_component_info *component,
                              const JQUANT_TBL *table, const float *grid, uint32_t grid_width, uint32_t grid_height,
                              JDIMENSION width, JDIMENSION height) {
    float m[DCTSIZE][DCTSIZE];
    forward_dct_matrix(m);
    float reciprocal[DCTSIZE2];
    for (int k = 0; k < DCTSIZE2; k++) reciprocal[k] = 1.0f / table->quantval[k];
    JDIMENSION rows = (height + DCTSIZE - 1) / DCTSIZE, columns = (width + DCTSIZE - 1) / DCTSIZE;
    JDIMENSION padded_rows = (rows + component->v_samp_factor - 1) / component->v_samp_factor * component->v_samp_factor;
    JDIMENSION padded_columns = (columns + component->h_samp_factor - 1) / component->h_samp_factor * component->h_samp_factor;
    stretch_axis across = {0}, down = {0};
    int ok = stretch_axis_make(&across, width, grid_width, padded_columns, m) &&
             stretch_axis_make(&down, height, grid_height, padded_rows, m);
    float *h = ok ? malloc(sizeof(float) * down.width * DCTSIZE) : NULL;
    ok = ok && h != NULL;
    for (JDIMENSION row = 0; ok && row < padded_rows; row++) {
        JBLOCKARRAY blocks = (*owner->mem->access_virt_barray)(owner, array, row, 1, TRUE);
        const uint32_t j0 = down.first[row], rows_reached = down.span[row];
        const float *py = down.p + (size_t)row * down.width * DCTSIZE;
        for (JDIMENSION column = 0; column < padded_columns; column++) {
            const uint32_t i0 = across.first[column], columns_reached = across.span[column];
            const float *px = across.p + (size_t)column * across.width * DCTSIZE;
            for (uint32_t j = 0; j < rows_reached; j++) {  // H = (G − 128) · Px, one row per grid row reached
                float *hj = h + j * DCTSIZE;
                for (int u = 0; u < DCTSIZE; u++) hj[u] = 0;
                const float *g = grid + (size_t)(j0 + j) * grid_width + i0;
                for (uint32_t i = 0; i < columns_reached; i++)
                    for (int u = 0; u < DCTSIZE; u++) hj[u] += (g[i] - 128.0f) * px[i * DCTSIZE + u];
            }
            JCOEFPTR block = blocks[0][column];
            for (int v = 0; v < DCTSIZE; v++) {  // F = Pyᵀ · H, quantised
                float f[DCTSIZE] = {0};
                for (uint32_t j = 0; j < rows_reached; j++)
                    for (int u = 0; u < DCTSIZE; u++) f[u] += py[j * DCTSIZE + v] * h[j * DCTSIZE + u];
                for (int u = 0; u < DCTSIZE; u++) {  // rounded half away from zero, as libjpeg quantises
                    float q = f[u] * reciprocal[v * DCTSIZE + u];
                    block[v * DCTSIZE + u] = (JCOEF)(int)(q + (q < 0 ? -0.5f : 0.5f));
                }
            }
        }
    }
    stretch_axis_free(&across);
    stretch_axis_free(&down);
    free(h);
    return ok;
}

// One axis of the area means: for each block along it, the grid cells its pixels
// fall in and, per cell, the projection of the cell's weights on the block's
// basis functions: v[u] = Σx w(x) · M[u][x], w(x) = the pixel's coverage / cell size.
// A block that lies wholly inside one cell (most blocks: a 12 MP photo's cells are
// about 6 blocks wide) has the same weight at every pixel, whose projection is the
// DC term alone: v[0] = 8 · w · M[0][0], v[u ≥ 1] = 0 exactly (the cosines sum to
// zero; summed in float they left rounding noise). `uniform` marks it, so the
// means use only the block's first row or column of coefficients there.
typedef struct {
    uint32_t cell;
    int uniform;
    float v[DCTSIZE];
} axis_projection;

static axis_projection *axis_projections(uint32_t n, uint32_t grid, const float m[DCTSIZE][DCTSIZE], uint32_t *first) {
    const uint32_t blocks = (n + DCTSIZE - 1) / DCTSIZE;
    const double scale = (double)n / grid;  // ≥ 1: the grid is no larger than the image
    axis_projection *all = malloc(sizeof *all * ((size_t)blocks * (DCTSIZE + 2)));
    if (all == NULL) return NULL;
    uint32_t count = 0;
    for (uint32_t b = 0; b < blocks; b++) {
        first[b] = count;
        uint32_t lo = b * DCTSIZE, hi = lo + DCTSIZE < n ? lo + DCTSIZE : n;
        uint32_t cell = (uint32_t)(lo / scale), last = (uint32_t)((hi - 1) / scale);
        if (last >= grid) last = grid - 1;
        for (; cell <= last + 1 && cell < grid; cell++) {
            axis_projection p = {cell, 0, {0}};
            int touched = 0, whole = 0;
            for (uint32_t j = lo; j < hi; j++) {
                double from = cell * scale, to = (cell + 1) * scale;
                double overlap = (j + 1 < to ? j + 1 : to) - (j > from ? j : from);
                if (overlap <= 0) continue;
                touched = 1;
                whole += overlap == 1;
                for (int u = 0; u < DCTSIZE; u++) p.v[u] += (float)(overlap / scale) * m[u][j - lo];
            }
            if (whole == DCTSIZE) {
                p.uniform = 1;
                p.v[0] = (float)(DCTSIZE / scale) * m[0][0];
                for (int u = 1; u < DCTSIZE; u++) p.v[u] = 0;
            }
            if (touched) all[count++] = p;
        }
    }
    first[blocks] = count;
    return all;
}

// The part of the area means one thread computes: the grid rows [first_cell, end_cell).
// Each cell is summed by one thread only, block row by block row and block by block in
// order, so the floats do not depend on how many threads shared the grid.
typedef struct {
    j_decompress_ptr cinfo;
    jvirt_barray_ptr luminance;
    const float *step;
    const axis_projection *rows, *columns;
    const uint32_t *row_first, *column_first;
    uint32_t grid_width, first_cell, end_cell;
    float *means;
} means_part;

VECTORIZED static void luminance_means_part(const means_part *part) {
    jpeg_component_info *luma = &part->cinfo->comp_info[0];
    const axis_projection *rows = part->rows, *columns = part->columns;
    const uint32_t *row_first = part->row_first, *column_first = part->column_first;
    const float *step = part->step;
    for (JDIMENSION by = 0; by < luma->height_in_blocks; by++) {
        if (row_first[by + 1] == row_first[by] || rows[row_first[by + 1] - 1].cell < part->first_cell) continue;
        if (rows[row_first[by]].cell >= part->end_cell) break;
        // A whole in-memory array (libjpeg-turbo keeps every one in memory) is only read here.
        JBLOCKARRAY blocks = (*part->cinfo->mem->access_virt_barray)((j_common_ptr)part->cinfo, part->luminance, by, 1, FALSE);
        for (uint32_t r = row_first[by]; r < row_first[by + 1]; r++) {
            const axis_projection *row = &rows[r];
            if (row->cell < part->first_cell || row->cell >= part->end_cell) continue;
            float *out = part->means + (size_t)row->cell * part->grid_width;
            for (JDIMENSION bx = 0; bx < luma->width_in_blocks; bx++) {
                const JCOEF *f = blocks[0][bx];
                float t[DCTSIZE] = {0};  // t[u] = Σv row.v[v] · F[v][u]
                if (row->uniform) {
                    for (int u = 0; u < DCTSIZE; u++) t[u] = row->v[0] * f[u] * step[u];
                } else {
                    for (int v = 0; v < DCTSIZE; v++)
                        for (int u = 0; u < DCTSIZE; u++) t[u] += row->v[v] * f[v * DCTSIZE + u] * step[v * DCTSIZE + u];
                }
                for (uint32_t c = column_first[bx]; c < column_first[bx + 1]; c++) {
                    if (columns[c].uniform) {
                        out[columns[c].cell] += t[0] * columns[c].v[0];
                        continue;
                    }
                    float sum = 0;
                    for (int u = 0; u < DCTSIZE; u++) sum += t[u] * columns[c].v[u];
                    out[columns[c].cell] += sum;
                }
            }
        }
    }
}

static void *luminance_means_thread(void *part) {
    luminance_means_part(part);
    return NULL;
}

chroma_status chroma_jpeg_luminance_means(chroma_jpeg_reader *reader, uint32_t grid_width, uint32_t grid_height, int threads,
                                          float *means) {
    j_decompress_ptr cinfo = &reader->cinfo;
    jpeg_component_info *luma = &cinfo->comp_info[0];
    float m[DCTSIZE][DCTSIZE];
    forward_dct_matrix(m);  // the inverse DCT's basis is the same matrix: f = Mᵀ F M
    float step[DCTSIZE2];
    for (int k = 0; k < DCTSIZE2; k++) step[k] = luma->quant_table->quantval[k];
    uint32_t *column_first = malloc(sizeof(uint32_t) * (luma->width_in_blocks + 2));
    uint32_t *row_first = malloc(sizeof(uint32_t) * (luma->height_in_blocks + 2));
    axis_projection *columns = column_first ? axis_projections(cinfo->image_width, grid_width, m, column_first) : NULL;
    axis_projection *rows = row_first ? axis_projections(cinfo->image_height, grid_height, m, row_first) : NULL;
    for (size_t i = 0; i < (size_t)grid_width * grid_height; i++) means[i] = 128.0f;  // the level shift; weights sum to 1
    const chroma_status status = columns != NULL && rows != NULL ? CHROMA_OK : CHROMA_ERR_NO_MEMORY;
    if (status == CHROMA_OK) {
        means_part upper = {cinfo, reader->coefficients[0], step, rows, columns, row_first, column_first,
                            grid_width, 0, grid_height, means};
        means_part lower = upper;
        pthread_t thread;
        // Two threads: the lower half of the grid on one of its own (run here after the upper if none can start).
        int split = threads > 1 && grid_height > 1;
        if (split) {
            upper.end_cell = lower.first_cell = grid_height / 2;
            split = pthread_create(&thread, NULL, luminance_means_thread, &lower) == 0;
        }
        luminance_means_part(&upper);
        if (split) pthread_join(thread, NULL);
        else if (upper.end_cell < grid_height) luminance_means_part(&lower);
    }
    free(columns);
    free(rows);
    free(column_first);
    free(row_first);
    return status;
}

// One chroma component's blocks (quantise_stretched's arguments), for a thread.
typedef struct {
    j_common_ptr owner;
    jvirt_barray_ptr array;
    jpeg_component_info *component;
    const JQUANT_TBL *table;
    const float *grid;
    uint32_t grid_width, grid_height;
    JDIMENSION width, height;
    int ok;
} chroma_quantise_job;

static void *quantise_thread(void *argument) {
    chroma_quantise_job *job = argument;
    job->ok = quantise_stretched(job->owner, job->array, job->component, job->table, job->grid, job->grid_width,
                                 job->grid_height, job->width, job->height);
    return NULL;
}

chroma_status chroma_jpeg_write_with_chroma(chroma_jpeg_reader *reader, const float *cb, const float *cr, uint32_t grid_width,
                                            uint32_t grid_height, int quality, int progressive, int threads, chroma_buffer *out,
                                            char *message, size_t message_size) {
    out->data = NULL;
    out->size = 0;
    j_decompress_ptr source = &reader->cinfo;
    shim_compressor compressor;
    j_compress_ptr cinfo = &compressor.cinfo;
    if (setjmp(compressor.error.jump)) return compressor_fail(&compressor, message, message_size);
    compressor_start(&compressor);
    jpeg_copy_critical_parameters(source, cinfo);
    const int gray = source->num_components == 1;
    jvirt_barray_ptr arrays[3];
    JDIMENSION chroma_width, chroma_height;
    if (gray) {
        // Three components now, 4:2:0; luminance keeps its table and slot, chroma gets the standard table in another.
        const int luma_slot = source->comp_info[0].quant_tbl_no, chroma_slot = luma_slot == 1 ? 0 : 1;
        jpeg_set_colorspace(cinfo, JCS_YCbCr);
        cinfo->comp_info[0].quant_tbl_no = luma_slot;
        cinfo->comp_info[1].quant_tbl_no = cinfo->comp_info[2].quant_tbl_no = chroma_slot;
        jpeg_add_quant_table(cinfo, chroma_slot, standard_chroma_table,
                             jpeg_quality_scaling(quality < 1 ? 1 : quality > 100 ? 100 : quality), TRUE);
        chroma_width = (source->image_width + 1) / 2;
        chroma_height = (source->image_height + 1) / 2;
        // The luminance's blocks move to arrays sized for the new MCUs (2 × 2 blocks). Its
        // array is not zeroed first: every block the encoder reads is copied in below (it makes
        // its own dummy blocks past the image's), and the padding row is defined there.
        for (int c = 0; c < 3; c++) {
            JDIMENSION w = c == 0 ? (source->image_width + 7) / 8 : (chroma_width + 7) / 8;
            JDIMENSION h = c == 0 ? (source->image_height + 7) / 8 : (chroma_height + 7) / 8;
            int hs = cinfo->comp_info[c].h_samp_factor, vs = cinfo->comp_info[c].v_samp_factor;
            arrays[c] = (*cinfo->mem->request_virt_barray)((j_common_ptr)cinfo, JPOOL_IMAGE, c != 0,
                                                         (w + hs - 1) / hs * hs, (h + vs - 1) / vs * vs, (JDIMENSION)vs);
        }
    } else {
        for (int c = 0; c < 3; c++) arrays[c] = reader->coefficients[c];
        chroma_width = source->comp_info[1].downsampled_width;
        chroma_height = source->comp_info[1].downsampled_height;
    }
    if (progressive) jpeg_simple_progression(cinfo);
    jpeg_write_coefficients(cinfo, arrays);  // nothing is encoded before jpeg_finish_compress
    if (gray) {
        jpeg_component_info *luma = &source->comp_info[0];
        for (JDIMENSION row = 0; row < luma->height_in_blocks; row++) {
            JBLOCKARRAY from = (*source->mem->access_virt_barray)((j_common_ptr)source, reader->coefficients[0], row, 1, FALSE);
            JBLOCKARRAY to = (*cinfo->mem->access_virt_barray)((j_common_ptr)cinfo, arrays[0], row, 1, TRUE);
            memcpy(to[0], from[0], sizeof(JBLOCK) * luma->width_in_blocks);
        }
        // An odd number of block rows leaves the last MCU row's second one: never encoded (the
        // encoder makes dummy blocks there), but read with the rest, so it must be defined.
        const int vs = cinfo->comp_info[0].v_samp_factor;
        for (JDIMENSION row = luma->height_in_blocks; row % vs != 0; row++) {
            JBLOCKARRAY to = (*cinfo->mem->access_virt_barray)((j_common_ptr)cinfo, arrays[0], row, 1, TRUE);
            memset(to[0], 0, sizeof(JBLOCK) * luma->width_in_blocks);
        }
    }
    // Cb and Cr are independent (each its own array, only written by its own thread): with two
    // threads Cb is made on one of its own while this one makes Cr.
    chroma_quantise_job jobs[2];
    for (int c = 1; c < 3; c++) {
        // Arrays are reached through the memory manager that made them: for a colour file, the reader's (changed in place).
        jobs[c - 1] = (chroma_quantise_job){gray ? (j_common_ptr)cinfo : (j_common_ptr)source, arrays[c], &cinfo->comp_info[c],
                                            cinfo->quant_tbl_ptrs[cinfo->comp_info[c].quant_tbl_no], c == 1 ? cb : cr,
                                            grid_width, grid_height, chroma_width, chroma_height, 0};
    }
    pthread_t thread;
    const int split = threads > 1 && pthread_create(&thread, NULL, quantise_thread, &jobs[0]) == 0;
    if (!split) quantise_thread(&jobs[0]);
    quantise_thread(&jobs[1]);
    if (split) pthread_join(thread, NULL);
    if (!jobs[0].ok || !jobs[1].ok) {
        snprintf(compressor.error.message, sizeof compressor.error.message, "out of memory");
        compressor.error.failure = CHROMA_ERR_NO_MEMORY;
        longjmp(compressor.error.jump, 1);
    }
    return compressor_finish(&compressor, out);
}

// libjpeg(-turbo) behind setjmp: see CShims.h for why this file exists.
#include "CShims.h"

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
    uint8_t *cmyk_row;
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
    j_decompress_ptr cinfo = &reader->cinfo;
    if (setjmp(reader->error.jump)) return reader->error.failure;
    jpeg_start_decompress(cinfo);
    if (reader->converts_cmyk) {
        reader->cmyk_row = malloc((size_t)cinfo->output_width * 4);
        if (reader->cmyk_row == NULL) {
            snprintf(reader->error.message, sizeof reader->error.message, "out of memory");
            return reader->error.failure = CHROMA_ERR_NO_MEMORY;
        }
    }
    // Adobe writes CMYK inverted (0 = full ink); so do most files that carry its marker.
    const int inverted = cinfo->saw_Adobe_marker;
    while (cinfo->output_scanline < cinfo->output_height) {
        uint8_t *out = pixels + (size_t)cinfo->output_scanline * row_bytes;
        if (!reader->converts_cmyk) {
            JSAMPROW row = out;
            jpeg_read_scanlines(cinfo, &row, 1);
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
    }
    jpeg_finish_decompress(cinfo);
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
    if ((channels != 1 && channels != 3) || width == 0 || height == 0) {
        snprintf(message, message_size, "JPEG cannot hold %d channels at %ux%u", channels, width, height);
        return CHROMA_ERR_USAGE;
    }
    struct jpeg_compress_struct cinfo;
    shim_error_manager error;
    install_error_manager(&error);
    cinfo.err = &error.base;
    unsigned char *volatile buffer = NULL;
    unsigned long size = 0;
    if (setjmp(error.jump)) {
        snprintf(message, message_size, "%s", error.message);
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return error.failure == CHROMA_ERR_NO_MEMORY ? CHROMA_ERR_NO_MEMORY : CHROMA_ERR_USAGE;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
    if (channels == 3) {
        static const int horizontal[3] = {1, 2, 2}, vertical[3] = {1, 1, 2};
        cinfo.comp_info[0].h_samp_factor = horizontal[subsampling];
        cinfo.comp_info[0].v_samp_factor = vertical[subsampling];
        for (int c = 1; c < 3; c++) cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
    }
    if (progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    size_t row_bytes = (size_t)width * channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * row_bytes);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    out->data = buffer;
    out->size = size;
    return CHROMA_OK;
}

// libpng behind setjmp: see CShims.h for why this file exists.
#include "CShims.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chroma_png_reader {
    jmp_buf jump;
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t size;
    size_t offset;
    size_t image_data_end;   // the end of the last IDAT chunk's data, from the pre-scan
    size_t overrun_offset;   // a chunk that claims more bytes than the file holds, or 0
    size_t max_excess;
    int reading_rows;        // set while png_read_image runs
    int rows_done;           // set once every row is decoded: only excess IDAT data is read now
    chroma_status failure;   // the status to report when libpng longjmps
    chroma_limit limit;
    char message[256];
};

void chroma_buffer_free(chroma_buffer *buffer) {
    if (buffer == NULL) return;
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
}

static void classify(chroma_png_reader *reader, const char *message) {
    if (reader->failure != CHROMA_OK) return;  // already classified by the reader callback
    if (strstr(message, "user limit") || strstr(message, "exceeds") || strstr(message, "too large")) {
        // libpng's own per-side limit is out of the way (see create), so this is a chunk.
        reader->failure = CHROMA_ERR_LIMIT;
        reader->limit = CHROMA_LIMIT_PNG_CHUNK;
        snprintf(reader->message, sizeof reader->message,
                 "an ancillary chunk needs more memory than allowed (libpng: %s)", message);
    }
    else if (strstr(message, "Not a PNG") || strstr(message, "PNG signature") || strstr(message, "PNG file signature"))
        reader->failure = CHROMA_ERR_NOT_IMAGE;
    else if (strstr(message, "out of memory") || strstr(message, "Out of memory") || strstr(message, "Insufficient memory"))
        reader->failure = CHROMA_ERR_NO_MEMORY;
    else
        reader->failure = CHROMA_ERR_CORRUPT;
}

static void on_png_error(png_structp png, png_const_charp message) {
    chroma_png_reader *reader = (chroma_png_reader *)png_get_error_ptr(png);
    if (message != reader->message) snprintf(reader->message, sizeof reader->message, "%s", message);
    classify(reader, message);
    longjmp(reader->jump, 1);
}

static void on_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;  // recoverable: libpng has already decided what to do; stay silent
}

// libpng counts rows (and Adam7 passes) up before it reads anything past the
// last row, and inflates whatever image data is left to check that it ends.
static int all_rows_read(chroma_png_reader *reader) {
    if (!reader->reading_rows) return 0;
    if (png_get_interlace_type(reader->png, reader->info) != PNG_INTERLACE_NONE)
        return png_get_current_pass_number(reader->png) >= 7;
    return png_get_current_row_number(reader->png) >= png_get_image_height(reader->png, reader->info);
}

static void read_from_memory(png_structp png, png_bytep out, png_size_t length) {
    chroma_png_reader *reader = (chroma_png_reader *)png_get_io_ptr(png);
    if (!reader->rows_done) reader->rows_done = all_rows_read(reader);
    if (length > reader->size - reader->offset) {
        reader->failure = CHROMA_ERR_TRUNCATED;
        png_error(png, "the file ends before the image does");
    }
    if (reader->rows_done && reader->offset < reader->image_data_end &&
        reader->image_data_end - reader->offset > reader->max_excess) {
        reader->failure = CHROMA_ERR_LIMIT;
        reader->limit = CHROMA_LIMIT_PNG_EXCESS;
        snprintf(reader->message, sizeof reader->message,
                 "%zu bytes of compressed image data past the last row the header promises, "
                 "over the limit of %zu", reader->image_data_end - reader->offset, reader->max_excess);
        png_error(png, reader->message);
    }
    memcpy(out, reader->data + reader->offset, length);
    reader->offset += length;
}

// Walks the chunk headers up to IEND: where the image data (the IDAT chunks)
// ends, and the first chunk that claims more bytes than the file holds.
// libpng allocates (and clears) a text chunk's claimed length before reading
// it, whatever its chunk-size limit says: 1.8 GB for a 716-byte file.
static void scan_chunks(chroma_png_reader *reader) {
    const uint8_t *data = reader->data;
    size_t size = reader->size, offset = 8;
    while (size - offset >= 8) {
        uint32_t length = (uint32_t)data[offset] << 24 | (uint32_t)data[offset + 1] << 16 |
                          (uint32_t)data[offset + 2] << 8 | data[offset + 3];
        if (length > size - offset - 8) {
            reader->overrun_offset = offset;
            return;
        }
        if (memcmp(data + offset + 4, "IDAT", 4) == 0) reader->image_data_end = offset + 8 + length;
        if (memcmp(data + offset + 4, "IEND", 4) == 0) return;
        offset += 8 + (size_t)length;
        if (size - offset < 4) return;
        offset += 4;
    }
}

chroma_png_reader *chroma_png_reader_create(const uint8_t *data, size_t size, size_t max_chunk_bytes,
                                            size_t max_excess_bytes) {
    chroma_png_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) return NULL;
    reader->data = data;
    reader->size = size;
    reader->max_excess = max_excess_bytes;
    if (size >= 8) scan_chunks(reader);
    reader->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, on_png_error, on_png_warning);
    if (reader->png == NULL) { free(reader); return NULL; }
    reader->info = png_create_info_struct(reader->png);
    if (reader->info == NULL) {
        png_destroy_read_struct(&reader->png, NULL, NULL);
        free(reader);
        return NULL;
    }
    png_set_read_fn(reader->png, reader, read_from_memory);
    // Pixel counts are checked by the caller; libpng's own per-side bound only
    // needs to be out of the way (PNG allows 2^31 - 1).
    png_set_user_limits(reader->png, 0x7fffffff, 0x7fffffff);
    png_set_chunk_malloc_max(reader->png, max_chunk_bytes);
    // Text and ICC chunks are read by ImageMetadata, under one budget for the
    // whole file; libpng would inflate each of them again, without one.
    static const png_byte skipped[] = "tEXt\0zTXt\0iTXt\0iCCP";
    png_set_keep_unknown_chunks(reader->png, PNG_HANDLE_CHUNK_NEVER, skipped, 4);
    png_set_chunk_cache_max(reader->png, 1000);
    return reader;
}

chroma_status chroma_png_read_header(chroma_png_reader *reader, int want_16_bit, chroma_png_header *header) {
    if (setjmp(reader->jump)) return reader->failure;
    if (reader->size < 8 || png_sig_cmp(reader->data, 0, 8) != 0) {
        snprintf(reader->message, sizeof reader->message, "not a PNG file (bad signature)");
        return reader->failure = CHROMA_ERR_NOT_IMAGE;
    }
    if (reader->overrun_offset != 0) {
        const uint8_t *chunk = reader->data + reader->overrun_offset;
        uint32_t length = (uint32_t)chunk[0] << 24 | (uint32_t)chunk[1] << 16 | (uint32_t)chunk[2] << 8 | chunk[3];
        char type[5] = {0};
        for (int i = 0; i < 4; i++) type[i] = (chunk[4 + i] >= 32 && chunk[4 + i] < 127) ? (char)chunk[4 + i] : '?';
        snprintf(reader->message, sizeof reader->message,
                 "the %s chunk claims %u bytes, but the file ends %zu bytes later", type, length,
                 reader->size - reader->overrun_offset - 8);
        return reader->failure = CHROMA_ERR_TRUNCATED;
    }
    png_structp png = reader->png;
    png_infop info = reader->info;
    png_read_info(png, info);

    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    header->source_color_type = color_type;
    header->source_bit_depth = bit_depth;
    header->interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;

    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16) {
        if (want_16_bit) {
            const uint16_t probe = 1;
            if (*(const uint8_t *)&probe == 1) png_set_swap(png);  // PNG is big-endian
        } else {
            png_set_scale_16(png);
        }
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    header->width = png_get_image_width(png, info);
    header->height = png_get_image_height(png, info);
    header->channels = png_get_channels(png, info);
    header->bit_depth = png_get_bit_depth(png, info);
    header->exif = NULL;
    header->exif_size = 0;
#ifdef PNG_eXIf_SUPPORTED
    png_bytep exif = NULL;
    png_uint_32 exif_size = 0;
    if (png_get_eXIf_1(png, info, &exif_size, &exif) != 0 && exif != NULL) {
        header->exif = exif;
        header->exif_size = exif_size;
    }
#endif
    return CHROMA_OK;
}

chroma_status chroma_png_read_pixels(chroma_png_reader *reader, uint8_t *pixels, size_t row_bytes) {
    png_uint_32 height = png_get_image_height(reader->png, reader->info);
    png_bytep *rows = malloc(sizeof(png_bytep) * (height ? height : 1));
    if (rows == NULL) {
        snprintf(reader->message, sizeof reader->message, "out of memory");
        return CHROMA_ERR_NO_MEMORY;
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_bytes;
    if (setjmp(reader->jump)) {
        free(rows);
        return reader->failure;
    }
    reader->reading_rows = 1;
    png_read_image(reader->png, rows);
    reader->rows_done = 1;
    png_read_end(reader->png, NULL);
    free(rows);
    return CHROMA_OK;
}

const char *chroma_png_reader_message(const chroma_png_reader *reader) {
    return reader->message;
}

chroma_limit chroma_png_reader_limit(const chroma_png_reader *reader) { return reader->limit; }

void chroma_png_reader_destroy(chroma_png_reader *reader) {
    if (reader == NULL) return;
    png_destroy_read_struct(&reader->png, &reader->info, NULL);
    free(reader);
}

// MARK: - Encoding

typedef struct {
    jmp_buf jump;
    char *message;
    size_t message_size;
    chroma_buffer *out;
    size_t capacity;
    int out_of_memory;
} png_writer;

static void on_png_write_error(png_structp png, png_const_charp message) {
    png_writer *writer = (png_writer *)png_get_error_ptr(png);
    snprintf(writer->message, writer->message_size, "%s", message);
    longjmp(writer->jump, 1);
}

static void write_to_memory(png_structp png, png_bytep data, png_size_t length) {
    png_writer *writer = (png_writer *)png_get_io_ptr(png);
    chroma_buffer *out = writer->out;
    if (out->size + length > writer->capacity) {
        size_t capacity = writer->capacity ? writer->capacity : 65536;
        while (capacity < out->size + length) capacity *= 2;
        uint8_t *grown = realloc(out->data, capacity);
        if (grown == NULL) {
            writer->out_of_memory = 1;
            png_error(png, "out of memory");
        }
        out->data = grown;
        writer->capacity = capacity;
    }
    memcpy(out->data + out->size, data, length);
    out->size += length;
}

static void flush_memory(png_structp png) { (void)png; }

chroma_status chroma_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                                int channels, int bit_depth, int compression_level,
                                chroma_buffer *out, char *message, size_t message_size) {
    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                       PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    out->data = NULL;
    out->size = 0;
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16) || width == 0 || height == 0) {
        snprintf(message, message_size, "cannot encode %d channels of %d bits at %ux%u", channels, bit_depth, width, height);
        return CHROMA_ERR_USAGE;
    }
    png_writer writer;
    memset(&writer, 0, sizeof writer);
    writer.message = message;
    writer.message_size = message_size;
    writer.out = out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &writer, on_png_write_error, on_png_warning);
    if (png == NULL) return CHROMA_ERR_NO_MEMORY;
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        return CHROMA_ERR_NO_MEMORY;
    }
    if (setjmp(writer.jump)) {
        free(rows);
        png_destroy_write_struct(&png, &info);
        chroma_buffer_free(out);
        return writer.out_of_memory ? CHROMA_ERR_NO_MEMORY : CHROMA_ERR_USAGE;
    }
    png_set_write_fn(png, &writer, write_to_memory, flush_memory);
    png_set_compression_level(png, compression_level < 0 ? 0 : compression_level > 9 ? 9 : compression_level);
    png_set_IHDR(png, info, width, height, bit_depth, color_types[channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    if (bit_depth == 16) {
        const uint16_t probe = 1;
        if (*(const uint8_t *)&probe == 1) png_set_swap(png);
    }
    rows = malloc(sizeof(png_bytep) * height);
    if (rows == NULL) {
        writer.out_of_memory = 1;
        png_error(png, "out of memory");
    }
    size_t row_bytes = (size_t)width * channels * (bit_depth / 8);
    for (uint32_t y = 0; y < height; y++) rows[y] = (png_bytep)pixels + (size_t)y * row_bytes;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    free(rows);
    png_destroy_write_struct(&png, &info);
    return CHROMA_OK;
}

// libtiff in memory: see CShims.h. libtiff reports errors through handlers
// rather than longjmp, but it prints them unless told otherwise, and it reads
// and writes through a file; these functions give it memory instead.
#include "CShims.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

typedef struct {
    const uint8_t *data;   // reading
    chroma_buffer *out;    // writing
    size_t size;
    size_t capacity;
    size_t offset;
    int out_of_memory;
} memory_file;

struct chroma_tiff_reader {
    memory_file file;
    TIFF *tiff;
    TIFFOpenOptions *options;
    chroma_tiff_header header;
    char message[256];
};

static void silence_global_handlers(void) {
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
}

static int on_tiff_error(TIFF *tiff, void *user_data, const char *module, const char *format, va_list arguments) {
    (void)tiff;
    (void)module;
    char *message = (char *)user_data;
    if (message[0] == 0) vsnprintf(message, 256, format, arguments);  // the first error is the cause
    return 1;
}

static int on_tiff_warning(TIFF *tiff, void *user_data, const char *module, const char *format, va_list arguments) {
    (void)tiff; (void)user_data; (void)module; (void)format; (void)arguments;
    return 1;  // recoverable: libtiff has decided what to do; stay silent
}

static tmsize_t memory_read(thandle_t handle, void *buffer, tmsize_t size) {
    memory_file *file = (memory_file *)handle;
    if (file->data == NULL || size < 0 || file->offset >= file->size) return 0;
    size_t count = (size_t)size < file->size - file->offset ? (size_t)size : file->size - file->offset;
    memcpy(buffer, file->data + file->offset, count);
    file->offset += count;
    return (tmsize_t)count;
}

static tmsize_t memory_write(thandle_t handle, void *buffer, tmsize_t size) {
    memory_file *file = (memory_file *)handle;
    if (file->out == NULL || size < 0) return -1;
    size_t end = file->offset + (size_t)size;
    if (end > file->capacity) {
        size_t capacity = file->capacity ? file->capacity : 65536;
        while (capacity < end) capacity *= 2;
        uint8_t *grown = realloc(file->out->data, capacity);
        if (grown == NULL) {
            file->out_of_memory = 1;
            return -1;
        }
        memset(grown + file->capacity, 0, capacity - file->capacity);
        file->out->data = grown;
        file->capacity = capacity;
    }
    memcpy(file->out->data + file->offset, buffer, (size_t)size);
    file->offset = end;
    if (end > file->size) file->size = end;
    return size;
}

static toff_t memory_seek(thandle_t handle, toff_t offset, int whence) {
    memory_file *file = (memory_file *)handle;
    size_t base = whence == SEEK_CUR ? file->offset : whence == SEEK_END ? file->size : 0;
    file->offset = base + (size_t)offset;
    return (toff_t)file->offset;
}

static int memory_close(thandle_t handle) { (void)handle; return 0; }
static toff_t memory_size(thandle_t handle) { return (toff_t)((memory_file *)handle)->size; }
static int memory_map(thandle_t handle, void **base, toff_t *size) { (void)handle; (void)base; (void)size; return 0; }
static void memory_unmap(thandle_t handle, void *base, toff_t size) { (void)handle; (void)base; (void)size; }

static chroma_status classify(const char *message) {
    if (strstr(message, "Not a TIFF") || strstr(message, "bad magic") || strstr(message, "Cannot read TIFF header"))
        return CHROMA_ERR_NOT_IMAGE;
    if (strstr(message, "emory") || strstr(message, "Maximum single memory allocation"))
        return CHROMA_ERR_NO_MEMORY;
    if (strstr(message, "Read error") || strstr(message, "Unexpected end") || strstr(message, "past end"))
        return CHROMA_ERR_TRUNCATED;
    if (strstr(message, "not supported") || strstr(message, "unsupported") || strstr(message, "Unsupported"))
        return CHROMA_ERR_UNSUPPORTED;
    return CHROMA_ERR_CORRUPT;
}

static TIFFOpenOptions *make_options(char *message, size_t max_alloc) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, silence_global_handlers);
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (options == NULL) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(options, on_tiff_error, message);
    TIFFOpenOptionsSetWarningHandlerExtR(options, on_tiff_warning, NULL);
    if (max_alloc > 0) TIFFOpenOptionsSetMaxSingleMemAlloc(options, (tmsize_t)max_alloc);
    return options;
}

chroma_tiff_reader *chroma_tiff_reader_create(const uint8_t *data, size_t size, size_t max_alloc) {
    chroma_tiff_reader *reader = calloc(1, sizeof *reader);
    if (reader == NULL) return NULL;
    reader->file.data = data;
    reader->file.size = size;
    reader->options = make_options(reader->message, max_alloc);
    if (reader->options == NULL) {
        free(reader);
        return NULL;
    }
    return reader;
}

// Samples per pixel that carry colour for the photometric interpretations read as stored.
static int colour_samples_of(int photometric) {
    return photometric == PHOTOMETRIC_RGB || photometric == PHOTOMETRIC_CIELAB || photometric == PHOTOMETRIC_YCBCR ? 3 : 1;
}

chroma_status chroma_tiff_read_header(chroma_tiff_reader *reader, chroma_tiff_header *header, int keep_encoding) {
    reader->tiff = TIFFClientOpenExt("input", "rm", (thandle_t)&reader->file, memory_read, memory_read, memory_seek,
                                     memory_close, memory_size, memory_map, memory_unmap, reader->options);
    if (reader->tiff == NULL) {
        if (reader->message[0] == 0) snprintf(reader->message, sizeof reader->message, "not a TIFF file");
        return classify(reader->message);
    }
    TIFF *tiff = reader->tiff;
    uint32_t width = 0, height = 0;
    uint16_t spp = 1, bps = 1, photometric = PHOTOMETRIC_MINISBLACK, planar = PLANARCONFIG_CONTIG, format = SAMPLEFORMAT_UINT;
    uint16_t compression = COMPRESSION_NONE, orientation = ORIENTATION_TOPLEFT, extra_count = 0;
    uint16_t *extra = NULL;
    TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_BITSPERSAMPLE, &bps);
    if (!TIFFGetField(tiff, TIFFTAG_PHOTOMETRIC, &photometric)) photometric = spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    TIFFGetFieldDefaulted(tiff, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_SAMPLEFORMAT, &format);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_COMPRESSION, &compression);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_ORIENTATION, &orientation);
    TIFFGetFieldDefaulted(tiff, TIFFTAG_EXTRASAMPLES, &extra_count, &extra);

    memset(header, 0, sizeof *header);
    header->width = width;
    header->height = height;
    header->source_bit_depth = bps;
    header->source_samples = spp;
    header->photometric = photometric;
    header->compression = compression;
    header->tiled = TIFFIsTiled(tiff);
    header->orientation = orientation;
    int colour_samples = colour_samples_of(photometric);
    int alpha = 0;
    if (extra_count > 0 && extra != NULL && spp > colour_samples) {
        if (extra[0] == EXTRASAMPLE_ASSOCALPHA) alpha = 1;
        if (extra[0] == EXTRASAMPLE_UNASSALPHA) alpha = 2;
    }
    header->alpha = alpha;
    int plain_photometric = photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE || photometric == PHOTOMETRIC_RGB;
    if (keep_encoding && photometric == PHOTOMETRIC_CIELAB) plain_photometric = 1;
    if (keep_encoding && photometric == PHOTOMETRIC_YCBCR && compression != COMPRESSION_JPEG && compression != COMPRESSION_OJPEG) {
        // As stored only without chroma subsampling and at full range (the defaults chroma writes).
        uint16_t horizontal = 2, vertical = 2;
        float *reference = NULL;
        TIFFGetFieldDefaulted(tiff, TIFFTAG_YCBCRSUBSAMPLING, &horizontal, &vertical);
        int full_range = 1;
        if (TIFFGetField(tiff, TIFFTAG_REFERENCEBLACKWHITE, &reference) && reference != NULL) {
            float top = bps == 16 ? 65535.0f : 255.0f, middle = bps == 16 ? 32768.0f : 128.0f;
            float chroma_top = bps == 16 ? 65280.0f : 255.0f;  // 16-bit chroma: (C - 128) x 256 + 32768
            full_range = reference[0] == 0 && reference[1] == top && reference[2] == middle && reference[3] == chroma_top &&
                         reference[4] == middle && reference[5] == chroma_top;
        }
        plain_photometric = horizontal == 1 && vertical == 1 && full_range;
    }
    // Samples as stored: 8- or 16-bit unsigned gray or RGB (optionally with alpha), in strips or tiles.
    header->direct = plain_photometric && (bps == 8 || bps == 16) && format == SAMPLEFORMAT_UINT && spp >= colour_samples &&
                     (planar == PLANARCONFIG_CONTIG || planar == PLANARCONFIG_SEPARATE);
    if (header->direct) {
        header->channels = colour_samples + (alpha ? 1 : 0);
        header->bit_depth = bps;
    } else {
        // Everything else (palettes, 1–4-bit, YCbCr, CMYK, Lab, floats) through libtiff's RGBA reader, upright.
        char reason[1024] = {0};
        if (!TIFFRGBAImageOK(tiff, reason)) {
            snprintf(reader->message, sizeof reader->message, "%s", reason[0] ? reason : "a TIFF variant libtiff cannot convert");
            return CHROMA_ERR_UNSUPPORTED;
        }
        int gray = photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE;
        header->channels = gray ? (alpha ? 2 : 1) : (alpha ? 4 : 3);
        header->bit_depth = 8;
        header->orientation = ORIENTATION_TOPLEFT;
    }
    reader->header = *header;
    return CHROMA_OK;
}

// Copies one run of stored samples (`count` pixels of `stride` samples each) into the output row.
static void place(const chroma_tiff_header *h, const uint8_t *source, size_t count, int stride, int sample_offset,
                  int samples_here, uint8_t *row, size_t first_pixel) {
    const int bytes = h->bit_depth / 8;
    const int colour = colour_samples_of(h->photometric);
    for (int s = 0; s < samples_here; s++) {
        int stored = sample_offset + s;  // which sample of the pixel this is
        int target = stored < colour ? stored : (h->alpha && stored == colour ? colour : -1);
        if (target < 0) continue;
        for (size_t x = 0; x < count; x++) {
            const uint8_t *from = source + (x * stride + s) * bytes;
            uint8_t *to = row + ((first_pixel + x) * h->channels + target) * bytes;
            memcpy(to, from, bytes);
        }
    }
}

chroma_status chroma_tiff_read_pixels(chroma_tiff_reader *reader, uint8_t *pixels, size_t row_bytes) {
    TIFF *tiff = reader->tiff;
    const chroma_tiff_header *h = &reader->header;
    if (!h->direct) {
        size_t count = (size_t)h->width * h->height;
        uint32_t *raster = _TIFFmalloc((tmsize_t)(count * 4));
        if (raster == NULL) {
            snprintf(reader->message, sizeof reader->message, "out of memory");
            return CHROMA_ERR_NO_MEMORY;
        }
        if (!TIFFReadRGBAImageOriented(tiff, h->width, h->height, raster, ORIENTATION_TOPLEFT, 0)) {
            _TIFFfree(raster);
            if (reader->message[0] == 0) snprintf(reader->message, sizeof reader->message, "the image data cannot be read");
            return classify(reader->message);
        }
        for (uint32_t y = 0; y < h->height; y++) {
            uint8_t *row = pixels + (size_t)y * row_bytes;
            for (uint32_t x = 0; x < h->width; x++) {
                uint32_t v = raster[(size_t)y * h->width + x];
                uint8_t rgba[4] = {(uint8_t)TIFFGetR(v), (uint8_t)TIFFGetG(v), (uint8_t)TIFFGetB(v), (uint8_t)TIFFGetA(v)};
                switch (h->channels) {
                case 1: row[x] = rgba[0]; break;
                case 2: row[2 * x] = rgba[0]; row[2 * x + 1] = rgba[3]; break;
                case 3: memcpy(row + 3 * x, rgba, 3); break;
                default: memcpy(row + 4 * x, rgba, 4); break;
                }
            }
        }
        _TIFFfree(raster);
        return CHROMA_OK;
    }
    uint16_t spp = h->source_samples, planar = PLANARCONFIG_CONTIG;
    TIFFGetFieldDefaulted(tiff, TIFFTAG_PLANARCONFIG, &planar);
    const int separate = planar == PLANARCONFIG_SEPARATE;
    const int planes = separate ? spp : 1, per_pixel = separate ? 1 : spp;
    if (h->tiled) {
        uint32_t tile_width = 0, tile_height = 0;
        TIFFGetField(tiff, TIFFTAG_TILEWIDTH, &tile_width);
        TIFFGetField(tiff, TIFFTAG_TILELENGTH, &tile_height);
        tmsize_t tile_size = TIFFTileSize(tiff);
        if (tile_width == 0 || tile_height == 0 || tile_size <= 0) {
            snprintf(reader->message, sizeof reader->message, "tiles of %ux%u", tile_width, tile_height);
            return CHROMA_ERR_CORRUPT;
        }
        uint8_t *tile = _TIFFmalloc(tile_size);
        if (tile == NULL) return CHROMA_ERR_NO_MEMORY;
        for (int plane = 0; plane < planes; plane++) {
            for (uint32_t ty = 0; ty < h->height; ty += tile_height) {
                for (uint32_t tx = 0; tx < h->width; tx += tile_width) {
                    if (TIFFReadTile(tiff, tile, tx, ty, 0, (uint16_t)plane) < 0) {
                        _TIFFfree(tile);
                        if (reader->message[0] == 0) snprintf(reader->message, sizeof reader->message, "a tile cannot be read");
                        return classify(reader->message);
                    }
                    uint32_t rows = ty + tile_height > h->height ? h->height - ty : tile_height;
                    uint32_t columns = tx + tile_width > h->width ? h->width - tx : tile_width;
                    for (uint32_t r = 0; r < rows; r++) {
                        const uint8_t *source = tile + (size_t)r * tile_width * per_pixel * (h->bit_depth / 8);
                        place(h, source, columns, per_pixel, separate ? plane : 0, per_pixel, pixels + (size_t)(ty + r) * row_bytes, tx);
                    }
                }
            }
        }
        _TIFFfree(tile);
    } else {
        tmsize_t line_size = TIFFScanlineSize(tiff);
        uint8_t *line = line_size > 0 ? _TIFFmalloc(line_size) : NULL;
        if (line == NULL) {
            snprintf(reader->message, sizeof reader->message, "rows of %lld bytes", (long long)line_size);
            return line_size > 0 ? CHROMA_ERR_NO_MEMORY : CHROMA_ERR_CORRUPT;
        }
        for (int plane = 0; plane < planes; plane++) {
            for (uint32_t y = 0; y < h->height; y++) {
                if (TIFFReadScanline(tiff, line, y, (uint16_t)plane) < 0) {
                    _TIFFfree(line);
                    if (reader->message[0] == 0) snprintf(reader->message, sizeof reader->message, "row %u cannot be read", y);
                    return classify(reader->message);
                }
                place(h, line, h->width, per_pixel, separate ? plane : 0, per_pixel, pixels + (size_t)y * row_bytes, 0);
            }
        }
        _TIFFfree(line);
    }
    // White is zero in MINISWHITE; associated alpha is premultiplied: make both what chroma means.
    const size_t count = (size_t)h->width * h->height;
    const int channels = h->channels, colour = channels - (h->alpha ? 1 : 0);
    for (uint32_t y = 0; y < h->height; y++) {
        uint8_t *row = pixels + (size_t)y * row_bytes;
        for (uint32_t x = 0; x < h->width; x++) {
            for (int c = 0; c < colour; c++) {
                size_t at = (size_t)x * channels + c;
                uint32_t max = h->bit_depth == 16 ? 65535 : 255;
                uint32_t value = h->bit_depth == 16 ? ((uint16_t *)row)[at] : row[at];
                if (h->photometric == PHOTOMETRIC_MINISWHITE) value = max - value;
                // CIELab's a* and b* are signed; chroma holds them offset by half the range (a* + 128 at 8 bits).
                if (h->photometric == PHOTOMETRIC_CIELAB && c > 0) value ^= (max + 1) / 2;
                if (h->alpha == 1) {
                    uint32_t a = h->bit_depth == 16 ? ((uint16_t *)row)[(size_t)x * channels + colour] : row[(size_t)x * channels + colour];
                    value = a == 0 ? 0 : (value * max + a / 2) / a;
                    if (value > max) value = max;
                }
                if (h->bit_depth == 16) ((uint16_t *)row)[at] = (uint16_t)value; else row[at] = (uint8_t)value;
            }
        }
    }
    (void)count;
    return CHROMA_OK;
}

const char *chroma_tiff_reader_message(const chroma_tiff_reader *reader) { return reader->message; }

void chroma_tiff_reader_destroy(chroma_tiff_reader *reader) {
    if (reader == NULL) return;
    if (reader->tiff != NULL) TIFFClose(reader->tiff);
    TIFFOpenOptionsFree(reader->options);
    free(reader);
}

chroma_status chroma_tiff_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int bit_depth,
                                 int compression, int encoding, chroma_buffer *out, char *message, size_t message_size) {
    out->data = NULL;
    out->size = 0;
    if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16) || width == 0 || height == 0) {
        snprintf(message, message_size, "cannot encode %d channels of %d bits at %ux%u", channels, bit_depth, width, height);
        return CHROMA_ERR_USAGE;
    }
    char error[256] = {0};
    TIFFOpenOptions *options = make_options(error, 0);
    if (options == NULL) return CHROMA_ERR_NO_MEMORY;
    memory_file file = {.out = out};
    TIFF *tiff = TIFFClientOpenExt("output", "w", (thandle_t)&file, memory_read, memory_write, memory_seek,
                                   memory_close, memory_size, memory_map, memory_unmap, options);
    if (tiff == NULL) {
        TIFFOpenOptionsFree(options);
        snprintf(message, message_size, "%s", error[0] ? error : "libtiff cannot start writing");
        chroma_buffer_free(out);
        return file.out_of_memory ? CHROMA_ERR_NO_MEMORY : CHROMA_ERR_USAGE;
    }
    int colour = channels >= 3 ? 3 : 1;
    TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, height);
    TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, (uint16_t)bit_depth);
    TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)channels);
    const int lab = colour == 3 && encoding == CHROMA_ENCODING_LAB, ycbcr = colour == 3 && encoding == CHROMA_ENCODING_YCBCR;
    TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, lab ? PHOTOMETRIC_CIELAB : ycbcr ? PHOTOMETRIC_YCBCR
                                                 : colour == 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
    if (lab) {
        float white[2] = {0.3127f, 0.3290f};  // D65, the white chroma's L*a*b* is relative to
        TIFFSetField(tiff, TIFFTAG_WHITEPOINT, white);
    }
    if (ycbcr) {
        float top = bit_depth == 16 ? 65535.0f : 255.0f, middle = bit_depth == 16 ? 32768.0f : 128.0f;
        float chroma_top = bit_depth == 16 ? 65280.0f : 255.0f;  // 16-bit chroma: (C - 128) x 256 + 32768
        float reference[6] = {0, top, middle, chroma_top, middle, chroma_top};  // full range, as JFIF
        TIFFSetField(tiff, TIFFTAG_YCBCRSUBSAMPLING, 1, 1);
        TIFFSetField(tiff, TIFFTAG_REFERENCEBLACKWHITE, reference);
    }
    TIFFSetField(tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tiff, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
    TIFFSetField(tiff, TIFFTAG_COMPRESSION, (uint16_t)compression);
    if (compression == COMPRESSION_LZW || compression == COMPRESSION_ADOBE_DEFLATE)
        TIFFSetField(tiff, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
    if (channels == colour + 1) {
        uint16_t alpha = EXTRASAMPLE_UNASSALPHA;
        TIFFSetField(tiff, TIFFTAG_EXTRASAMPLES, 1, &alpha);
    }
    TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tiff, 0));
    size_t row_bytes = (size_t)width * channels * (bit_depth / 8);
    uint8_t *row = malloc(row_bytes);  // libtiff may modify the row it is given (predictor)
    int ok = row != NULL;
    for (uint32_t y = 0; ok && y < height; y++) {
        memcpy(row, pixels + (size_t)y * row_bytes, row_bytes);
        if (lab) {  // back to signed a* and b*
            for (uint32_t x = 0; x < width; x++) {
                for (int c = 1; c < 3; c++) {
                    size_t at = (size_t)x * channels + c;
                    if (bit_depth == 16) ((uint16_t *)row)[at] ^= 0x8000; else row[at] ^= 0x80;
                }
            }
        }
        ok = TIFFWriteScanline(tiff, row, y, 0) >= 0;
    }
    free(row);
    TIFFClose(tiff);
    TIFFOpenOptionsFree(options);
    if (!ok || file.out_of_memory) {
        snprintf(message, message_size, "%s", file.out_of_memory || row == NULL ? "out of memory" : (error[0] ? error : "libtiff could not write"));
        chroma_buffer_free(out);
        return file.out_of_memory || row == NULL ? CHROMA_ERR_NO_MEMORY : CHROMA_ERR_USAGE;
    }
    out->size = file.size;
    return CHROMA_OK;
}

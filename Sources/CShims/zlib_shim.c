// zlib for metadata: PNG's compressed text and ICC profile chunks, and chunk CRCs.
#include "CShims.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

chroma_status chroma_inflate(const uint8_t *data, size_t size, size_t max_out, chroma_buffer *out) {
    out->data = NULL;
    out->size = 0;
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit(&stream) != Z_OK) return CHROMA_ERR_NO_MEMORY;
    size_t capacity = 0;
    stream.next_in = (Bytef *)data;
    int result = Z_OK;
    size_t remaining = size;
    while (result != Z_STREAM_END) {
        if (out->size == capacity) {
            if (capacity >= max_out) {
                inflateEnd(&stream);
                chroma_buffer_free(out);
                return CHROMA_ERR_LIMIT;
            }
            size_t grown = capacity ? capacity * 2 : 4096;
            if (grown > max_out) grown = max_out;
            uint8_t *bigger = realloc(out->data, grown ? grown : 1);
            if (bigger == NULL) {
                inflateEnd(&stream);
                chroma_buffer_free(out);
                return CHROMA_ERR_NO_MEMORY;
            }
            out->data = bigger;
            capacity = grown;
        }
        uInt chunk = remaining > 0x40000000u ? 0x40000000u : (uInt)remaining;
        stream.avail_in = chunk;
        stream.next_out = out->data + out->size;
        stream.avail_out = (uInt)(capacity - out->size);
        result = inflate(&stream, Z_NO_FLUSH);
        remaining -= chunk - stream.avail_in;
        out->size = capacity - stream.avail_out;
        if (result == Z_STREAM_END) break;
        if (result != Z_OK && result != Z_BUF_ERROR) {
            inflateEnd(&stream);
            chroma_buffer_free(out);
            return CHROMA_ERR_CORRUPT;
        }
        if (result == Z_BUF_ERROR && stream.avail_out != 0) {  // input ran out before the stream ended
            inflateEnd(&stream);
            chroma_buffer_free(out);
            return CHROMA_ERR_TRUNCATED;
        }
    }
    inflateEnd(&stream);
    return CHROMA_OK;
}

chroma_status chroma_deflate(const uint8_t *data, size_t size, chroma_buffer *out) {
    uLongf bound = compressBound((uLong)size);
    out->data = malloc(bound ? bound : 1);
    out->size = 0;
    if (out->data == NULL) return CHROMA_ERR_NO_MEMORY;
    if (compress2(out->data, &bound, data, (uLong)size, 9) != Z_OK) {
        chroma_buffer_free(out);
        return CHROMA_ERR_USAGE;
    }
    out->size = bound;
    return CHROMA_OK;
}

uint32_t chroma_crc32(const uint8_t *data, size_t size) {
    return (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)size);
}

// glibc's malloc tuning: <malloc.h> is not part of Swift's Glibc module.
#include "CShims.h"

#include <malloc.h>

void chroma_reuse_large_buffers(void) {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

// CBundledModels: the two trained colorizers, built into the program so that
// it works wherever its binary is copied. scripts/train-models writes
// lab.chroma and ycbcr.chroma beside bundled_models.c; `#embed` puts their
// bytes into the program at compile time.
#ifndef CHROMA_CBUNDLEDMODELS_H
#define CHROMA_CBUNDLEDMODELS_H

#include <stddef.h>

/// Which built-in model.
typedef enum {
    CHROMA_BUNDLED_LAB = 0,
    CHROMA_BUNDLED_YCBCR = 1
} chroma_bundled_model_space;

/// The built-in model file for `space`: its first byte, and its length in `*size`.
const unsigned char *chroma_bundled_model(chroma_bundled_model_space space, size_t *size);

#endif

#include "CBundledModels.h"

// #embed is C23; clang accepts it in older modes too, with this warning.
#pragma clang diagnostic ignored "-Wc23-extensions"

static const unsigned char lab[] = {
#embed "lab.chroma"
};

static const unsigned char ycbcr[] = {
#embed "ycbcr.chroma"
};

const unsigned char *chroma_bundled_model(chroma_bundled_model_space space, size_t *size) {
    *size = space == CHROMA_BUNDLED_LAB ? sizeof lab : sizeof ycbcr;
    return space == CHROMA_BUNDLED_LAB ? lab : ycbcr;
}

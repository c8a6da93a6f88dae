#include <cblas.h>

// OpenBLAS's own: stops its pool of worker threads (a later multi-threaded
// call starts it again). Exported by every OpenBLAS build with a thread
// server, but declared in none of its installed headers.
void blas_thread_shutdown_(void);

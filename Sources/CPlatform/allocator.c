#include "CPlatform.h"

#if defined(__GLIBC__)
#include <malloc.h>

// glibc serves blocks above M_MMAP_THRESHOLD (128 KiB at start, adapting upward) with a fresh
// mmap and unmaps them on free, and returns heap tops above M_TRIM_THRESHOLD to the kernel.
// Autodiff allocates a new multi-MB output per op, so each op then pays one page fault per
// 4 KiB touched (a 12.6 MB matmul output: ~3000 faults, ~20% of the sgemm time). Fixed
// thresholds keep such blocks in the heap for reuse; blocks above 32 MiB (token tables,
// HDF5 slabs) are still mapped and unmapped, so streaming memory is unchanged.
int pooler_configure_allocator(void) {
    int ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    ok &= mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    return ok;
}
#else
int pooler_configure_allocator(void) { return 0; }
#endif

#if defined(__GLIBC__)
// HDF5 allocates and frees a decompression buffer (gzip output, then unshuffle: ~3 MiB each for
// a 4096 × 384 float16 chunk) for every chunk it reads; glibc keeps the freed pages, fragmented
// between live blocks where the trim threshold never reaches them. malloc_trim(0) returns every
// whole free page to the kernel (madvise), which bounds a streaming reader's resident memory.
void pooler_release_free_memory(void) { malloc_trim(0); }
#else
void pooler_release_free_memory(void) {}
#endif

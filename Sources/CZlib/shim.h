#ifndef POOLER_CZLIB_SHIM_H
#define POOLER_CZLIB_SHIM_H
// zlib (apt: zlib1g-dev, which libhdf5-dev already depends on): HiddenStates inflates gzip'd
// HDF5 chunks itself, off the HDF5 lock, to decompress on every core.
#include <zlib.h>
#endif

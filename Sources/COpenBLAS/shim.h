#ifndef POOLER_COPENBLAS_SHIM_H
#define POOLER_COPENBLAS_SHIM_H
#include <cblas.h>

// OpenBLAS extensions (declared in Debian's cblas.h too; repeated here so the
// module does not depend on which cblas.h variant is first on the include path).
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
#endif

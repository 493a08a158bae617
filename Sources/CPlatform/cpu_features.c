#include "CPlatform.h"

#if defined(__x86_64__) || defined(__i386__)
pooler_cpu_features pooler_cpu_features_detect(void) {
    // __builtin_cpu_supports consults CPUID and, for AVX/AVX-512, whether the OS
    // saves the wide registers (XCR0), so a kernel chosen from it will not SIGILL.
    __builtin_cpu_init();
    pooler_cpu_features f;
    f.avx = __builtin_cpu_supports("avx");
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.f16c = __builtin_cpu_supports("f16c");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512dq = __builtin_cpu_supports("avx512dq");
    f.avx512cd = __builtin_cpu_supports("avx512cd");
    return f;
}
#else
pooler_cpu_features pooler_cpu_features_detect(void) {
    pooler_cpu_features f = {0};
    return f;
}
#endif

#ifndef POOLER_CPLATFORM_H
#define POOLER_CPLATFORM_H
#include <stddef.h>
#include <stdint.h>

/// CPU features that matter for choosing BLAS kernels and the float16 path.
/// Each is 1 when both the CPU and the operating system support it.
typedef struct {
    int avx;
    int avx2;
    int fma;
    int f16c;
    int avx512f;
    int avx512bw;
    int avx512vl;
    int avx512dq;
    int avx512cd;
} pooler_cpu_features;

pooler_cpu_features pooler_cpu_features_detect(void);

/// Converts `count` IEEE 754 binary16 values to float32 (exactly: every half is a float).
/// Uses F16C (`vcvtph2ps`) when the CPU has it, a portable bit-level conversion otherwise.
void pooler_half_to_float(const uint16_t *src, float *dst, size_t count);

/// Converts `count` float32 values to binary16, rounding to nearest even (F16C when available).
void pooler_float_to_half(const float *src, uint16_t *dst, size_t count);

/// 1 when the F16C path is used by the two functions above.
int pooler_half_uses_f16c(void);

/// Raises glibc's mmap and trim thresholds (32 MiB / 64 MiB) so multi-MB tensors are reused
/// from the heap instead of being mapped, faulted in and unmapped per op (see allocator.c).
/// Call once at process start, before other threads exist. Returns 1 on success, 0 elsewhere.
int pooler_configure_allocator(void);

/// Returns whole free heap pages to the operating system (glibc `malloc_trim(0)`; a no-op
/// elsewhere). Streaming readers call it between batches to keep resident memory bounded.
void pooler_release_free_memory(void);

/// `y[i] = tanh(x[i])` for `count` floats (`x == y` allowed). AVX2+FMA kernel when the CPU has
/// both, libm's `tanhf` otherwise; max relative error 1.5e-7 against exact tanh (see elementwise.c).
void pooler_tanh(const float *x, float *y, size_t count);

/// 1 when `pooler_tanh` uses the AVX2+FMA kernel.
int pooler_tanh_uses_avx2(void);

/// `y[i] = exp(x[i])` (`x == y` allowed); AVX2+FMA Cephes kernel (x clamped to [-87.3, 88.7]),
/// libm's `expf` otherwise. For softmax (see transformer_kernels.c).
void pooler_exp(const float *x, float *y, size_t count);

/// `y[i] = erf(x[i])` by Abramowitz & Stegun 7.1.26 (max abs error ≤ 1e-6, tested in EncoderTests).
void pooler_erf(const float *x, float *y, size_t count);

/// `y[i] = ½ x (1 + erf(x / √2))` (exact-form GELU, as BERT's `hidden_act: gelu`), no cancellation
/// in the left tail; `x == y` allowed.
void pooler_gelu(const float *x, float *y, size_t count);

/// 1 when the three functions above use the AVX2+FMA kernels.
int pooler_transformer_kernels_use_avx2(void);
#endif

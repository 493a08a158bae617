#include "CPlatform.h"
#include <math.h>

// Vectorised exp, erf and GELU for the BERT forward pass (Encoder): libm's erff per element
// cost about as much as the feed-forward GEMMs (T · intermediate values per layer).
//
// exp x:   Cephes expf: x clamped to [-87.3, 88.7], n = round(x / ln 2), r = x − n ln 2 (two-part
//          ln 2), e^r by a degree-6 polynomial, 2ⁿ through the exponent bits.
// erf x:   Abramowitz & Stegun 7.1.26 (as PyTorch's vectorised erf):
//            t = 1 / (1 + p|x|),  erf|x| = 1 − (a₁t + a₂t² + a₃t³ + a₄t⁴ + a₅t⁵) e^{−x²}
//          max abs error 1.5e-7 in exact arithmetic; measured in float against double erf
//          (tests, EncoderTests/KernelTests): see pooler_erf's comment in CPlatform.h.
// GELU x:  ½ x (1 + erf(x/√2)) written as ½ x · (x ≥ 0 ? 2 − R : R), R = q(t) e^{−z²}, z = x/√2,
//          so that the left tail (1 + erf z → 0) has no cancellation.

#define ERF_P 0.3275911f
#define ERF_A1 0.254829592f
#define ERF_A2 -0.284496736f
#define ERF_A3 1.421413741f
#define ERF_A4 -1.453152027f
#define ERF_A5 1.061405429f

// R(z) = q(t) e^{−z²} ≈ 1 − erf|z|, scalar (the fallback and the tails of the vector loops).
static inline float erfc_abs_scalar(float z) {
    float a = fabsf(z);
    float t = 1.0f / (1.0f + ERF_P * a);
    float q = ((((ERF_A5 * t + ERF_A4) * t + ERF_A3) * t + ERF_A2) * t + ERF_A1) * t;
    return q * expf(-a * a);
}

static inline float gelu_scalar(float x) {
    float r = erfc_abs_scalar(x * 0.70710678118654752f);
    return 0.5f * x * (x >= 0 ? 2.0f - r : r);
}

static inline float erf_scalar(float x) {
    float e = 1.0f - erfc_abs_scalar(x);
    return x >= 0 ? e : -e;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#include "exp_avx2.h"

// q(t) e^{−z²} for |z|; exact division (not rcp) so the error stays at the formula's.
__attribute__((target("avx2,fma")))
static inline __m256 erfc_abs_avx2(__m256 z) {
    __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), z);
    __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_set1_ps(ERF_P), a, _mm256_set1_ps(1.0f)));
    __m256 q = _mm256_fmadd_ps(_mm256_set1_ps(ERF_A5), t, _mm256_set1_ps(ERF_A4));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(ERF_A3));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(ERF_A2));
    q = _mm256_fmadd_ps(q, t, _mm256_set1_ps(ERF_A1));
    q = _mm256_mul_ps(q, t);
    return _mm256_mul_ps(q, exp_avx2(_mm256_mul_ps(_mm256_sub_ps(_mm256_setzero_ps(), a), a)));
}

__attribute__((target("avx2,fma")))
static inline __m256 gelu_avx2(__m256 x) {
    __m256 r = erfc_abs_avx2(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f)));
    __m256 positive = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
    __m256 phi2 = _mm256_blendv_ps(r, _mm256_sub_ps(_mm256_set1_ps(2.0f), r), positive);  // 1 + erf(x/√2)
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), phi2);
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));  // NaN stays NaN
}

__attribute__((target("avx2,fma")))
static inline __m256 erf_avx2(__m256 x) {
    __m256 e = _mm256_sub_ps(_mm256_set1_ps(1.0f), erfc_abs_avx2(x));
    return _mm256_or_ps(e, _mm256_and_ps(_mm256_set1_ps(-0.0f), x));  // erf is odd
}

// The tail (count % 8 values) goes through a padded vector, so every element takes the same
// formula and a short row (softmax over L² scores) does not fall back to libm per element.
#define POOLER_MAP_AVX2(name, kernel)                                                         \
    __attribute__((target("avx2,fma")))                                                       \
    static void name(const float *x, float *y, size_t count) {                                \
        size_t i = 0;                                                                         \
        for (; i + 8 <= count; i += 8) _mm256_storeu_ps(y + i, kernel(_mm256_loadu_ps(x + i))); \
        if (i < count) {                                                                      \
            float buffer[8] = {0};                                                            \
            for (size_t j = 0; j < count - i; j++) buffer[j] = x[i + j];                      \
            _mm256_storeu_ps(buffer, kernel(_mm256_loadu_ps(buffer)));                        \
            for (size_t j = 0; j < count - i; j++) y[i + j] = buffer[j];                      \
        }                                                                                     \
    }

POOLER_MAP_AVX2(exp_map_avx2, exp_avx2)
POOLER_MAP_AVX2(gelu_map_avx2, gelu_avx2)
POOLER_MAP_AVX2(erf_map_avx2, erf_avx2)

static int uses_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

int pooler_transformer_kernels_use_avx2(void) { return uses_avx2(); }

void pooler_exp(const float *x, float *y, size_t count) {
    if (uses_avx2()) { exp_map_avx2(x, y, count); return; }
    for (size_t i = 0; i < count; i++) y[i] = expf(x[i]);
}

void pooler_gelu(const float *x, float *y, size_t count) {
    if (uses_avx2()) { gelu_map_avx2(x, y, count); return; }
    for (size_t i = 0; i < count; i++) y[i] = gelu_scalar(x[i]);
}

void pooler_erf(const float *x, float *y, size_t count) {
    if (uses_avx2()) { erf_map_avx2(x, y, count); return; }
    for (size_t i = 0; i < count; i++) y[i] = erf_scalar(x[i]);
}
#else
int pooler_transformer_kernels_use_avx2(void) { return 0; }
void pooler_exp(const float *x, float *y, size_t count) {
    for (size_t i = 0; i < count; i++) y[i] = expf(x[i]);
}
void pooler_gelu(const float *x, float *y, size_t count) {
    for (size_t i = 0; i < count; i++) y[i] = gelu_scalar(x[i]);
}
void pooler_erf(const float *x, float *y, size_t count) {
    for (size_t i = 0; i < count; i++) y[i] = erf_scalar(x[i]);
}
#endif

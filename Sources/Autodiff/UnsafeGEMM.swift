import COpenBLAS

/// One `cblas_sgemm` call on raw row-major buffers, for inference kernels outside Autodiff
/// (the Encoder's forward pass) that manage their own preallocated buffers.
///
/// ```
/// C[m, n] = α · op(A) · op(B) + β · C        op(X) = X or Xᵀ
/// ```
/// `A` is stored `[m, k]` (or `[k, m]` when `transposeA`) with row stride `lda`, likewise `B`
/// `[k, n]` (or `[n, k]`) with `ldb`, and `C` `[m, n]` with `ldc`. OpenBLAS threads large calls
/// itself, with the process-wide thread count the executable set (``BLASRuntime/setThreads(_:)``).
public enum UnsafeGEMM {
    public static func multiply(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        beta: Float = 0, into c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "UnsafeGEMM: negative extent m \(m), n \(n), k \(k)")
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

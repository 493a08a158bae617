import Autodiff

/// Multi-head self-attention of one sentence, on packed rows (no padding, no mask):
///
/// ```
/// for each head h (columns h·d ..< (h+1)·d, d = H / A):
///   S = Q_h K_hᵀ / √d                    [L, L]
///   P = softmax(S) along each row        (over this sentence's L tokens only)
///   context_h = P V_h                    [L, d]
/// ```
/// `Q`, `K`, `V` are column blocks of the fused projection rows `[L, 3H]` (query | key | value).
/// Each product is one `cblas_sgemm` on strided views, so nothing is copied.
enum SelfAttention {
    /// Writes `context` `[L, H]` (row stride `H`) for the `L` rows of `qkv` (row stride `3H`).
    /// `scores` is scratch of at least `L · L` floats.
    static func sentence(
        qkv: UnsafePointer<Float>, length: Int, hidden: Int, heads: Int,
        context: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>
    ) {
        guard length > 0 else { return }
        let d = hidden / heads
        let stride = 3 * hidden
        let scale = 1 / Float(d).squareRoot()
        for h in 0..<heads {
            let q = qkv + h * d
            let k = qkv + hidden + h * d
            let v = qkv + 2 * hidden + h * d
            // S = scale · Q Kᵀ  [L, L]
            UnsafeGEMM.multiply(m: length, n: length, k: d, alpha: scale, q, lda: stride,
                                k, ldb: stride, transposeB: true, into: scores, ldc: length)
            softmaxRows(scores, rows: length, width: length)
            // context_h = P V  [L, d], written into columns h·d of context
            UnsafeGEMM.multiply(m: length, n: d, k: length, scores, lda: length,
                                v, ldb: stride, into: context + h * d, ldc: hidden)
        }
    }

    /// `pᵢⱼ = exp(sᵢⱼ − maxⱼ′ sᵢⱼ′) / Σⱼ′ exp(sᵢⱼ′ − maxⱼ′ sᵢⱼ′)` for each row, in place.
    static func softmaxRows(_ s: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for i in 0..<rows {
            let row = s + i * width
            var maximum = row[0]
            for j in 1..<width { maximum = max(maximum, row[j]) }
            for j in 0..<width { row[j] -= maximum }
        }
        Activation.exp(s, count: rows * width)
        for i in 0..<rows {
            let row = s + i * width
            var total: Float = 0
            for j in 0..<width { total += row[j] }
            let inverse = 1 / total
            for j in 0..<width { row[j] *= inverse }
        }
    }
}

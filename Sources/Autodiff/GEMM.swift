import COpenBLAS
import Parallelism

/// `cblas_sgemm` over a batch of row-major matrices.
enum GEMM {
    /// `C[i] = op(X[i]) · op(Y[i])` for `i in 0..<batch` (`+ C[i]` when `accumulate`), where `X[i]`
    /// is stored `[rowsX, colsX]` at `x + i·strideX` and `op` transposes when asked. A stride of 0
    /// shares one matrix across the batch; `strideC == 0` sums all products into one `C`.
    ///
    /// Small products (below OpenBLAS' own threading threshold) run concurrently across the batch,
    /// so both cores work; large ones run one after another with OpenBLAS threading each.
    static func product(
        batch: Int,
        _ x: UnsafePointer<Float>, rowsX: Int, colsX: Int, strideX: Int, transposeX: Bool,
        _ y: UnsafePointer<Float>, rowsY: Int, colsY: Int, strideY: Int, transposeY: Bool,
        into c: UnsafeMutablePointer<Float>, strideC: Int, accumulate: Bool = false
    ) {
        let m = transposeX ? colsX : rowsX
        let k = transposeX ? rowsX : colsX
        let n = transposeY ? rowsY : colsY
        precondition(k == (transposeY ? colsY : rowsY), "GEMM: inner dimensions differ")
        guard batch > 0, m > 0, n > 0 else { return }
        guard k > 0 else {
            if !accumulate { (strideC == 0 ? c.update(repeating: 0, count: m * n) : c.update(repeating: 0, count: batch * m * n)) }
            return
        }
        // Sendable (the pointers wrapped) so that batch entries can run on the workers.
        let shared = (x: SendablePointer(x), y: SendablePointer(y), c: SendablePointer(c))
        let transposes = (transposeX ? CblasTrans : CblasNoTrans, transposeY ? CblasTrans : CblasNoTrans)
        let call: @Sendable (Int, Float) -> Void = { i, beta in
            cblas_sgemm(CblasRowMajor, transposes.0, transposes.1, Int32(m), Int32(n), Int32(k), 1,
                        shared.x.pointer + i * strideX, Int32(colsX), shared.y.pointer + i * strideY, Int32(colsY),
                        beta, shared.c.pointer + i * strideC, Int32(n))
        }
        if strideC == 0 {
            for i in 0..<batch { call(i, (i == 0 && !accumulate) ? 0 : 1) }
            return
        }
        let beta: Float = accumulate ? 1 : 0
        // OpenBLAS runs sgemm on one thread when m·n·k < 65536 · 4 (interface/gemm.c).
        if batch > 1, m * n * k < 262_144 {
            Parallel.forEachChunk(batch, totalWork: batch * m * n * k) { range in
                for i in range { call(i, beta) }
            }
        } else {
            for i in 0..<batch { call(i, beta) }
        }
    }
}

import Autodiff
import COpenBLAS

/// Raw `cblas_sgemm` GFLOP/s on the shapes training uses: the ceiling other benchmarks compare with.
enum SGEMMBenchmark {
    static func run() {
        let shapes = [(8192, 384, 128), (8192, 384, 384), (64 * 16, 384, 128)]
        for (m, k, n) in shapes {
            let a = [Float](repeating: 0.5, count: m * k)
            let b = [Float](repeating: 0.25, count: k * n)
            var c = [Float](repeating: 0, count: m * n)
            let seconds = Timing.best {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                            1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
            }
            let gflops = 2 * Double(m) * Double(n) * Double(k) / seconds / 1e9
            print("sgemm [\(m)×\(k)]·[\(k)×\(n)]: \(String(format: "%.1f", gflops)) GFLOP/s "
                + "(\(BLASRuntime.threads) threads; reference on this machine class: ~270 with 2 threads "
                + "on SkylakeX kernels, ~30 on the Prescott fallback)")
        }
    }
}

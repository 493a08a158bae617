import Autodiff
import Foundation
import COpenBLAS

/// Autodiff overheads against raw BLAS, multicore use on small GEMMs, and memory over a
/// training-shaped loop.
enum AutodiffBenchmark {
    static func run() {
        matmulAgainstRawSGEMM()
        smallBatchedGEMMs()
        trainingLoopMemory()
    }

    /// Forward + backward of `C = A·B` (3 GEMMs) through the tape vs three raw `cblas_sgemm` calls.
    static func matmulAgainstRawSGEMM() {
        var generator = Xoshiro256StarStar(seed: 1)
        for (m, k, n) in [(8192, 384, 128), (8192, 384, 384)] {
            let a = Tensor.randomNormal([m, k], using: &generator)
            let b = Tensor.randomNormal([k, n], using: &generator)
            let g = Tensor.randomNormal([m, n], using: &generator)
            var c = [Float](repeating: 0, count: m * n)
            var dA = [Float](repeating: 0, count: m * k)
            var dB = [Float](repeating: 0, count: k * n)
            var checksum: Float = 0
            let (raw, taped) = interleavedBest({
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                            1, a.scalars, Int32(k), b.scalars, Int32(n), 0, &c, Int32(n))
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(k), Int32(n),
                            1, g.scalars, Int32(n), b.scalars, Int32(n), 0, &dA, Int32(k))
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(k), Int32(n), Int32(m),
                            1, a.scalars, Int32(k), g.scalars, Int32(n), 0, &dB, Int32(n))
            }, {
                let tape = Tape()
                let va = tape.parameter(a)
                let vb = tape.parameter(b)
                tape.backward(from: va.matmul(vb), seed: g)
                checksum += tape.gradient(of: va).scalars[0] + tape.gradient(of: vb).scalars[0]
            })
            let flops = 3 * 2 * Double(m) * Double(n) * Double(k)
            print("matmul fwd+bwd [\(m)×\(k)]·[\(k)×\(n)]: tape \(format(flops / taped / 1e9)) GFLOP/s, "
                + "raw sgemm \(format(flops / raw / 1e9)) GFLOP/s, ratio \(format(100 * raw / taped))% "
                + "(target ≥ 80%)\(checksum.isFinite ? "" : " (non-finite!)")")
        }
    }

    /// Many per-sentence products `[32×384]·[384×4]` (learned-query scores): batched matmul
    /// spreads them across cores; compare with the same sgemm calls one after another.
    static func smallBatchedGEMMs() {
        var generator = Xoshiro256StarStar(seed: 2)
        let (batch, m, k, n) = (256, 32, 384, 4)
        let a = Tensor.randomNormal([batch, m, k], using: &generator)
        let b = Tensor.randomNormal([batch, k, n], using: &generator)
        var c = [Float](repeating: 0, count: batch * m * n)
        var checksum: Float = 0
        let (sequential, batched) = interleavedBest({
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        guard let a0 = pa.baseAddress, let b0 = pb.baseAddress, let c0 = pc.baseAddress else { return }
                        for i in 0..<batch {
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                                        a0 + i * m * k, Int32(k), b0 + i * k * n, Int32(n), 0, c0 + i * m * n, Int32(n))
                        }
                    }
                }
            }
        }, { checksum += a.matmul(b).scalars[0] })
        print("small GEMMs \(batch)×[\(m)×\(k)]·[\(k)×\(n)]: batched matmul \(format(1e3 * batched)) ms, "
            + "sequential sgemm loop \(format(1e3 * sequential)) ms, speed-up \(format(sequential / batched))× "
            + "on \(ProcessInfo.processInfo.activeProcessorCount) cores\(checksum.isFinite ? "" : " (non-finite!)")")

        // Segment ops over a packed batch: the per-sentence work of attention pooling.
        let segments = randomSegments(count: 512, generator: &generator)
        let values = Tensor.randomNormal([segments.rowCount, 384], using: &generator)
        let scores = Tensor.randomNormal([segments.rowCount, 4], using: &generator)
        let block = 384 / 4
        var pooledByLoop = [Float](repeating: 0, count: segments.count * 384)
        let (loop, fused) = interleavedBest({
            values.withUnsafeBufferPointer { pv in
                scores.withUnsafeBufferPointer { ps in
                    pooledByLoop.withUnsafeMutableBufferPointer { py in
                        guard let v0 = pv.baseAddress, let s0 = ps.baseAddress, let y0 = py.baseAddress else { return }
                        for b in 0..<segments.count where !segments.rows(b).isEmpty {
                            let rows = segments.rows(b)
                            for head in 0..<4 {
                                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows.count), Int32(block), 1,
                                            v0 + rows.lowerBound * 384 + head * block, 384, s0 + rows.lowerBound * 4 + head, 4,
                                            0, y0 + b * 384 + head * block, 1)
                            }
                        }
                    }
                }
            }
        }, { checksum += values.segmentWeightedSum(segments, weights: scores).scalars[0] })
        print("segmentWeightedSum 512 sentences (\(segments.rowCount) rows × 384, 4 heads): \(format(1e3 * fused)) ms, "
            + "same sgemv calls one after another \(format(1e3 * loop)) ms, speed-up \(format(loop / fused))×")
        let pooling = Timing.best {
            let tape = Tape()
            let v = tape.parameter(values)
            let s = tape.parameter(scores)
            let pooled = v.segmentWeightedSum(segments, weights: s.segmentSoftmax(segments))
            tape.backward(from: pooled, seed: Tensor.ones(pooled.shape))
            checksum += tape.gradient(of: s).scalars[0]
        }
        print("segment softmax + weighted sum fwd+bwd, 512 sentences (\(segments.rowCount) rows × 384, 4 heads): "
            + "\(format(1e3 * pooling)) ms")
    }

    /// 1000 steps of an additive-attention pooling graph with a fresh tape per step.
    static func trainingLoopMemory() {
        var generator = Xoshiro256StarStar(seed: 3)
        let (dim, attention, heads, steps) = (384, 128, 4, 1000)
        let segments = randomSegments(count: 64, generator: &generator)
        let hidden = Tensor.randomNormal([segments.rowCount, dim], using: &generator)
        let target = Tensor.randomNormal([segments.count, dim], standardDeviation: 0.1, using: &generator)
        var w = Tensor.glorotUniform([dim, attention], using: &generator)
        var bias = Tensor.zeros([attention])
        var v = Tensor.glorotUniform([attention, heads], using: &generator)

        func step() -> Float {
            let tape = Tape()
            let h = tape.constant(hidden)                                     // [T, dim]
            let pw = tape.parameter(w)
            let pb = tape.parameter(bias)
            let pv = tape.parameter(v)
            let scores = (h.matmul(pw) + pb).tanh().matmul(pv)                // [T, heads]
            let pooled = h.segmentWeightedSum(segments, weights: scores.segmentSoftmax(segments))  // [batch, dim]
            let loss = (pooled - tape.constant(target)).squared().mean()      // []
            tape.backward(loss)
            w += tape.gradient(of: pw) * -0.1
            bias += tape.gradient(of: pb) * -0.1
            v += tape.gradient(of: pv) * -0.1
            return loss.value.scalar
        }

        for _ in 0..<10 { _ = step() }
        let before = Timing.residentMiB()
        let start = Timing.now()
        var first: Float = 0
        var last: Float = 0
        for i in 0..<steps {
            let loss = step()
            if i == 0 { first = loss }
            last = loss
        }
        let seconds = Timing.now() - start
        let after = Timing.residentMiB()
        print("training loop \(steps) steps ([\(segments.rowCount)×\(dim)] rows, \(segments.count) sentences, "
            + "additive attention, \(heads) heads): \(format(1e3 * seconds / Double(steps))) ms/step, "
            + "loss \(format(first, 4)) → \(format(last, 4)); RSS \(format(before)) MiB → \(format(after)) MiB")
    }

    /// Sentence lengths like STS-B (mean ≈ 15, up to 70) plus one empty sentence.
    static func randomSegments(count: Int, generator: inout Xoshiro256StarStar) -> Segments {
        var lengths = (0..<count).map { _ in min(70, 5 + Int(Float.random(in: 0..<1, using: &generator) * 20)) }
        lengths[count / 2] = 0
        return Segments(lengths: lengths)
    }

    /// Best times of two bodies run alternately (fair on a machine with other load).
    static func interleavedBest(repeats: Int = 10, _ first: () -> Void, _ second: () -> Void) -> (Double, Double) {
        first()
        second()
        var best = (Double.infinity, Double.infinity)
        for _ in 0..<repeats {
            var start = Timing.now()
            first()
            best.0 = min(best.0, Timing.now() - start)
            start = Timing.now()
            second()
            best.1 = min(best.1, Timing.now() - start)
        }
        return best
    }

    static func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
    static func format(_ value: Float, _ digits: Int = 1) -> String { format(Double(value), digits) }
}

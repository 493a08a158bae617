import COpenBLAS
import Parallelism

extension Tensor {
    /// Per-segment weighted sum of rows, one weight column per head:
    ///
    /// ```
    /// y[b, j] = Σ_{t ∈ b} weights[t, k(j)] · values[t, j],   k(j) = j / (dim / heads)
    /// ```
    /// `values` (self) `[T, dim]`, `weights` `[T, heads]` with `dim` divisible by `heads` → `[batch, dim]`.
    /// Column block `k` (dims `k·dim/heads ..< (k+1)·dim/heads`) is weighted by `weights[:, k]`;
    /// `heads = 1` is the plain weighted sum `Σ_t w_t h_t`. An empty segment gives a zero row.
    /// One `sgemv` per (segment, head), segments split across cores.
    public func segmentWeightedSum(_ segments: Segments, weights: Tensor) -> Tensor {
        let (dim, heads) = SegmentWeightedSumShape.check(self, weights, segments)
        let block = dim / heads
        var result = Tensor.zeros([segments.count, dim])
        result.scalars.withUnsafeMutableBufferPointer { y in
            scalars.withUnsafeBufferPointer { v in
                weights.scalars.withUnsafeBufferPointer { w in
                    guard let yBase = y.baseAddress, let vBase = v.baseAddress, let wBase = w.baseAddress else { return }
                    let shared = (y: SendablePointer(yBase), v: SendablePointer(vBase), w: SendablePointer(wBase))
                    Parallel.forEachChunk(segments.count, totalWork: 2 * count) { range in
                        let (yBase, vBase, wBase) = (shared.y.pointer, shared.v.pointer, shared.w.pointer)
                        for b in range {
                            let rows = segments.rows(b)
                            guard let first = rows.first else { continue }
                            for k in 0..<heads {
                                // y[b, block k] = V[rows, block k]ᵀ · w[rows, k]
                                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(rows.count), Int32(block), 1,
                                            vBase + first * dim + k * block, Int32(dim),
                                            wBase + first * heads + k, Int32(heads),
                                            0, yBase + b * dim + k * block, 1)
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}

enum SegmentWeightedSumShape {
    static func check(_ values: Tensor, _ weights: Tensor, _ segments: Segments) -> (dim: Int, heads: Int) {
        segments.check(values, "segmentWeightedSum values")
        segments.check(weights, "segmentWeightedSum weights")
        let dim = values.shape[1]
        let heads = weights.shape[1]
        precondition(heads > 0 && dim % heads == 0,
                     "segmentWeightedSum: dim \(dim) of values \(values.shape) not divisible by heads \(heads) of weights \(weights.shape)")
        return (dim, heads)
    }
}

extension Variable {
    /// Fused per-segment weighted sum (see ``Tensor/segmentWeightedSum(_:weights:)``):
    ///
    /// ```
    /// dValues[t, j]  = weights[t, k(j)] · dY[b(t), j]                      (sger per segment, head)
    /// dWeights[t, k] = Σ_{j ∈ block k} values[t, j] · dY[b(t), j]          (sgemv per segment, head)
    /// ```
    public func segmentWeightedSum(_ segments: Segments, weights: Variable) -> Variable {
        let values = value
        let w = weights.value
        let (dim, heads) = SegmentWeightedSumShape.check(values, w, segments)
        let block = dim / heads
        return recorded(values.segmentWeightedSum(segments, weights: w), weights) { dY, sink in
            let needsValues = sink.needsGradient(forInput: 0)
            let needsWeights = sink.needsGradient(forInput: 1)
            var dValues = needsValues ? Tensor.zeros(values.shape) : Tensor.zeros([0, dim])
            var dWeights = needsWeights ? Tensor.zeros(w.shape) : Tensor.zeros([0, heads])
            dValues.scalars.withUnsafeMutableBufferPointer { dv in
                dWeights.scalars.withUnsafeMutableBufferPointer { dw in
                    values.scalars.withUnsafeBufferPointer { v in
                        w.scalars.withUnsafeBufferPointer { wp in
                            dY.scalars.withUnsafeBufferPointer { g in
                                guard let vBase = v.baseAddress, let wBase = wp.baseAddress, let gBase = g.baseAddress else { return }
                                let shared = (v: SendablePointer(vBase), w: SendablePointer(wBase), g: SendablePointer(gBase),
                                              dv: SendablePointer(dv), dw: SendablePointer(dw))
                                Parallel.forEachChunk(segments.count, totalWork: 4 * values.count) { range in
                                    let (vBase, wBase, gBase) = (shared.v.pointer, shared.w.pointer, shared.g.pointer)
                                    let (dvBase, dwBase) = (shared.dv.pointer.baseAddress, shared.dw.pointer.baseAddress)
                                    for b in range {
                                        let rows = segments.rows(b)
                                        guard let first = rows.first else { continue }
                                        for k in 0..<heads {
                                            let gBlock = gBase + b * dim + k * block
                                            if needsValues, let dvBase {
                                                cblas_sger(CblasRowMajor, Int32(rows.count), Int32(block), 1,
                                                           wBase + first * heads + k, Int32(heads), gBlock, 1,
                                                           dvBase + first * dim + k * block, Int32(dim))
                                            }
                                            if needsWeights, let dwBase {
                                                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(rows.count), Int32(block), 1,
                                                            vBase + first * dim + k * block, Int32(dim), gBlock, 1,
                                                            0, dwBase + first * heads + k, Int32(heads))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if needsValues { sink.accumulate(dValues, forInput: 0) }
            if needsWeights { sink.accumulate(dWeights, forInput: 1) }
        }
    }
}

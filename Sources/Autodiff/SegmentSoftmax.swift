import Foundation
import Parallelism

extension Tensor {
    /// Softmax over the rows of each segment, independently per column (head):
    ///
    /// ```
    /// w[t, k] = e^{s[t, k] − m[b, k]} / Σ_{t′ ∈ b} e^{s[t′, k] − m[b, k]},   m[b, k] = max_{t ∈ b} s[t, k]
    /// ```
    /// `scores` `[T, heads]` → weights `[T, heads]`; each column of each segment sums to 1. An
    /// empty segment owns no rows, so it produces nothing (and never NaN).
    public func segmentSoftmax(_ segments: Segments) -> Tensor {
        segments.check(self, "segmentSoftmax")
        let heads = shape[1]
        return Tensor(shape: shape) { w in
            scalars.withUnsafeBufferPointer { s in
                let shared = (w: SendablePointer(w), s: SendablePointer(s))
                Parallel.forEachChunk(segments.count, totalWork: 8 * count) { range in
                    let (w, s) = (shared.w.pointer, shared.s.pointer)
                    var maximum = [Float](repeating: 0, count: heads)
                    var total = [Float](repeating: 0, count: heads)
                    for b in range {
                        let rows = segments.rows(b)
                        guard !rows.isEmpty else { continue }
                        for k in 0..<heads {
                            maximum[k] = -.infinity
                            total[k] = 0
                        }
                        for t in rows {
                            for k in 0..<heads { maximum[k] = Swift.max(maximum[k], s[t * heads + k]) }
                        }
                        for t in rows {
                            for k in 0..<heads {
                                let e = Foundation.exp(s[t * heads + k] - maximum[k])
                                w[t * heads + k] = e
                                total[k] += e
                            }
                        }
                        for k in 0..<heads { total[k] = 1 / total[k] }
                        for t in rows {
                            for k in 0..<heads { w[t * heads + k] *= total[k] }
                        }
                    }
                }
            }
        }
    }
}

extension Variable {
    /// Segment softmax (see ``Tensor/segmentSoftmax(_:)``);
    /// `dS[t, k] = w[t, k] (dW[t, k] − Σ_{t′ ∈ b} w[t′, k] dW[t′, k])`.
    public func segmentSoftmax(_ segments: Segments) -> Variable {
        let weights = value.segmentSoftmax(segments)
        return recorded(weights) { dW, sink in
            let heads = weights.shape[1]
            let dS = Tensor(shape: weights.shape) { ds in
                weights.scalars.withUnsafeBufferPointer { w in
                    dW.scalars.withUnsafeBufferPointer { g in
                        let shared = (ds: SendablePointer(ds), w: SendablePointer(w), g: SendablePointer(g))
                        Parallel.forEachChunk(segments.count, totalWork: 4 * weights.count) { range in
                            let (ds, w, g) = (shared.ds.pointer, shared.w.pointer, shared.g.pointer)
                            var dot = [Float](repeating: 0, count: heads)
                            for b in range {
                                let rows = segments.rows(b)
                                for k in 0..<heads { dot[k] = 0 }
                                for t in rows {
                                    for k in 0..<heads { dot[k] += w[t * heads + k] * g[t * heads + k] }
                                }
                                for t in rows {
                                    for k in 0..<heads { ds[t * heads + k] = w[t * heads + k] * (g[t * heads + k] - dot[k]) }
                                }
                            }
                        }
                    }
                }
            }
            sink.accumulate(dS, forInput: 0)
        }
    }
}

import Parallelism

// Per-segment reductions of packed rows `[T, dim]` → `[batch, dim]` (see `Segments`), and the
// broadcast back to rows. Empty segments give zero rows and receive no gradient. Work is split
// across segments on all cores when the batch is large.

extension Tensor {
    /// `y[b] = Σ_{t ∈ b} x[t]`: `[T, dim] → [batch, dim]`.
    public func segmentSum(_ segments: Segments) -> Tensor {
        segments.check(self, "segmentSum")
        let dim = shape[1]
        var result = Tensor.zeros([segments.count, dim])
        result.scalars.withUnsafeMutableBufferPointer { y in
            scalars.withUnsafeBufferPointer { x in
                let shared = (y: SendablePointer(y), x: SendablePointer(x))
                Parallel.forEachChunk(segments.count, totalWork: count) { range in
                    let (y, x) = (shared.y.pointer, shared.x.pointer)
                    for b in range {
                        for t in segments.rows(b) {
                            for j in 0..<dim { y[b * dim + j] += x[t * dim + j] }
                        }
                    }
                }
            }
        }
        return result
    }

    /// `y[b] = (1/L_b) Σ_{t ∈ b} x[t]` (zero for an empty segment): `[T, dim] → [batch, dim]`.
    public func segmentMean(_ segments: Segments) -> Tensor {
        segmentSum(segments) * Tensor(shape: [segments.count, 1], scalars: segments.lengths.map { 1 / Float(Swift.max($0, 1)) })
    }

    /// `y[b, j] = max_{t ∈ b} x[t, j]` (zero for an empty segment): `[T, dim] → [batch, dim]`.
    public func segmentMax(_ segments: Segments) -> Tensor {
        segmentMaxWithRows(segments).values
    }

    /// Per-column maxima and, per output element, the row that holds it (−1 for empty segments).
    func segmentMaxWithRows(_ segments: Segments) -> (values: Tensor, rows: [Int32]) {
        segments.check(self, "segmentMax")
        let dim = shape[1]
        var rows = [Int32](repeating: -1, count: segments.count * dim)
        var values = Tensor.zeros([segments.count, dim])
        values.scalars.withUnsafeMutableBufferPointer { y in
            rows.withUnsafeMutableBufferPointer { arg in
                scalars.withUnsafeBufferPointer { x in
                    let shared = (y: SendablePointer(y), arg: SendablePointer(arg), x: SendablePointer(x))
                    Parallel.forEachChunk(segments.count, totalWork: count) { range in
                        let (y, arg, x) = (shared.y.pointer, shared.arg.pointer, shared.x.pointer)
                        for b in range {
                            let rowsOfB = segments.rows(b)
                            guard let first = rowsOfB.first else { continue }
                            for j in 0..<dim {
                                y[b * dim + j] = x[first * dim + j]
                                arg[b * dim + j] = Int32(first)
                            }
                            for t in rowsOfB.dropFirst() {
                                for j in 0..<dim where x[t * dim + j] > y[b * dim + j] {
                                    y[b * dim + j] = x[t * dim + j]
                                    arg[b * dim + j] = Int32(t)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (values, rows)
    }

    /// `y[b] = x[first row of b]` (zero for an empty segment): `[T, dim] → [batch, dim]` (CLS pooling).
    public func segmentFirst(_ segments: Segments) -> Tensor {
        segments.check(self, "segmentFirst")
        return gatheringOrZero(rows: (0..<segments.count).map { segments.rows($0).first ?? -1 })
    }

    /// `y[b] = x[last row of b]` (zero for an empty segment): `[T, dim] → [batch, dim]`.
    public func segmentLast(_ segments: Segments) -> Tensor {
        segments.check(self, "segmentLast")
        return gatheringOrZero(rows: (0..<segments.count).map { segments.rows($0).last ?? -1 })
    }

    /// `y[t] = x[b]` for every row `t` of segment `b`: `[batch, dim] → [T, dim]`.
    public func broadcastToRows(_ segments: Segments) -> Tensor {
        precondition(rank == 2 && shape[0] == segments.count,
                     "broadcastToRows: expected shape [\(segments.count), dim] for \(segments), got \(shape)")
        return gatheringOrZero(rows: segments.segmentOfRows)
    }

    /// Rows by index along the first axis of `[n, dim]`, a zero row where the index is −1.
    func gatheringOrZero(rows indices: [Int]) -> Tensor {
        let dim = shape[1]
        return Tensor(shape: [indices.count, dim]) { y in
            scalars.withUnsafeBufferPointer { x in
                for (r, index) in indices.enumerated() {
                    for j in 0..<dim { y[r * dim + j] = index < 0 ? 0 : x[index * dim + j] }
                }
            }
        }
    }
}

extension Variable {
    /// `y[b] = Σ_{t ∈ b} x[t]`; `dX[t] = dY[b(t)]`.
    public func segmentSum(_ segments: Segments) -> Variable {
        recorded(value.segmentSum(segments)) { dY, sink in
            sink.accumulate(dY.broadcastToRows(segments), forInput: 0)
        }
    }

    /// `y[b] = (1/L_b) Σ_{t ∈ b} x[t]`; `dX[t] = dY[b(t)] / L_b`.
    public func segmentMean(_ segments: Segments) -> Variable {
        recorded(value.segmentMean(segments)) { dY, sink in
            let scale = Tensor(shape: [segments.count, 1], scalars: segments.lengths.map { 1 / Float(Swift.max($0, 1)) })
            sink.accumulate((dY * scale).broadcastToRows(segments), forInput: 0)
        }
    }

    /// `y[b, j] = max_{t ∈ b} x[t, j]`; the gradient goes to the argmax row: `dX[t*, j] = dY[b, j]`.
    public func segmentMax(_ segments: Segments) -> Variable {
        let (values, rows) = value.segmentMaxWithRows(segments)
        let shape = self.shape
        return recorded(values) { dY, sink in
            let dim = shape[1]
            var dX = Tensor.zeros(shape)
            dX.scalars.withUnsafeMutableBufferPointer { dx in
                for (position, row) in rows.enumerated() where row >= 0 {
                    dx[Int(row) * dim + position % dim] += dY.scalars[position]
                }
            }
            sink.accumulate(dX, forInput: 0)
        }
    }

    /// `y[b] = x[first row of b]`; `dX[first row of b] = dY[b]`, zero elsewhere.
    public func segmentFirst(_ segments: Segments) -> Variable {
        let rows = (0..<segments.count).map { segments.rows($0).first ?? -1 }
        return segmentPick(rows, segments, value.segmentFirst(segments))
    }

    /// `y[b] = x[last row of b]`; `dX[last row of b] = dY[b]`, zero elsewhere.
    public func segmentLast(_ segments: Segments) -> Variable {
        let rows = (0..<segments.count).map { segments.rows($0).last ?? -1 }
        return segmentPick(rows, segments, value.segmentLast(segments))
    }

    private func segmentPick(_ rows: [Int], _ segments: Segments, _ output: Tensor) -> Variable {
        let shape = self.shape
        return recorded(output) { dY, sink in
            let dim = shape[1]
            var dX = Tensor.zeros(shape)
            dX.scalars.withUnsafeMutableBufferPointer { dx in
                for (b, row) in rows.enumerated() where row >= 0 {
                    for j in 0..<dim { dx[row * dim + j] = dY.scalars[b * dim + j] }
                }
            }
            sink.accumulate(dX, forInput: 0)
        }
    }

    /// `y[t] = x[b(t)]`: `[batch, dim] → [T, dim]`; `dX = segmentSum(dY)`.
    public func broadcastToRows(_ segments: Segments) -> Variable {
        recorded(value.broadcastToRows(segments)) { dY, sink in
            sink.accumulate(dY.segmentSum(segments), forInput: 0)
        }
    }
}

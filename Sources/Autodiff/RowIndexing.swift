// Gather and scatter-add of rows (the first axis) by index: embedding lookups, picking
// positives, reordering a batch.

extension Tensor {
    /// `y[r] = x[indices[r]]` along the first axis: `[n, …] → [indices.count, …]`.
    public func gathering(rows indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gathering(rows:): needs rank ≥ 1, got shape \(shape)")
        let rowSize = count / Swift.max(shape[0], 1)
        var newShape = shape
        newShape[0] = indices.count
        return Tensor(shape: newShape) { y in
            scalars.withUnsafeBufferPointer { x in
                guard let yBase = y.baseAddress, let xBase = x.baseAddress else { return }
                for (r, index) in indices.enumerated() {
                    precondition(index >= 0 && index < shape[0], "gathering(rows:): index \(index) outside 0..<\(shape[0]) of shape \(shape)")
                    (yBase + r * rowSize).update(from: xBase + index * rowSize, count: rowSize)
                }
            }
        }
    }

    /// `y[indices[r]] += x[r]` into `rowCount` zero rows: `[indices.count, …] → [rowCount, …]`.
    public func scatteringAdd(rows indices: [Int], rowCount: Int) -> Tensor {
        precondition(rank >= 1 && shape[0] == indices.count,
                     "scatteringAdd(rows:): shape \(shape) needs first extent \(indices.count) (the index count)")
        let rowSize = count / Swift.max(shape[0], 1)
        var newShape = shape
        newShape[0] = rowCount
        var result = Tensor.zeros(newShape)
        result.scalars.withUnsafeMutableBufferPointer { y in
            scalars.withUnsafeBufferPointer { x in
                guard let yBase = y.baseAddress, let xBase = x.baseAddress else { return }
                for (r, index) in indices.enumerated() {
                    precondition(index >= 0 && index < rowCount, "scatteringAdd(rows:): index \(index) outside 0..<\(rowCount)")
                    let target = yBase + index * rowSize
                    let source = xBase + r * rowSize
                    for j in 0..<rowSize { target[j] += source[j] }
                }
            }
        }
        return result
    }
}

extension Variable {
    /// `y[r] = x[indices[r]]`; `dX = scatterAdd(dY)` (repeated indices accumulate).
    public func gathering(rows indices: [Int]) -> Variable {
        let rowCount = shape[0]
        return recorded(value.gathering(rows: indices)) { dY, sink in
            sink.accumulate(dY.scatteringAdd(rows: indices, rowCount: rowCount), forInput: 0)
        }
    }

    /// `y[indices[r]] += x[r]`; `dX = gather(dY)`.
    public func scatteringAdd(rows indices: [Int], rowCount: Int) -> Variable {
        recorded(value.scatteringAdd(rows: indices, rowCount: rowCount)) { dY, sink in
            sink.accumulate(dY.gathering(rows: indices), forInput: 0)
        }
    }
}

// Sum, mean and max along an axis (or over everything). The input is viewed as
// [outer, length, inner] around the axis; the output is [outer, inner] reshaped to the input
// shape without the axis (or with it as 1 when `keepingDimension`).

extension Tensor {
    /// Output shape of a reduction along `axis`.
    func reducedShape(_ axis: Int, keepingDimension: Bool) -> [Int] {
        var result = shape
        if keepingDimension { result[axis] = 1 } else { result.remove(at: axis) }
        return result
    }

    /// `y = Σᵢ xᵢ` over all elements; shape `[]`.
    public func sum() -> Tensor {
        var total: Double = 0  // Double: sums of many Float32 terms lose digits otherwise
        scalars.withUnsafeBufferPointer { x in for value in x { total += Double(value) } }
        return Tensor(scalar: Float(total))
    }

    /// `y = (1/n) Σᵢ xᵢ` over all `n` elements; shape `[]`.
    public func mean() -> Tensor {
        precondition(count > 0, "mean(): empty tensor of shape \(shape)")
        return Tensor(scalar: sum().scalar / Float(count))
    }

    /// `y[o, i] = Σ_l x[o, l, i]` along `axis` (negative counts from the end).
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let axis = normalizedAxis(axis, "sum(alongAxis:)")
        let (outer, length, inner) = axisView(axis)
        var result = Tensor.zeros(reducedShape(axis, keepingDimension: keepingDimension))
        result.scalars.withUnsafeMutableBufferPointer { y in
            scalars.withUnsafeBufferPointer { x in
                if inner == 1 {
                    // Along the last axis: a register accumulator, same order of additions.
                    for o in 0..<outer {
                        var total: Float = 0
                        for l in 0..<length { total += x[o * length + l] }
                        y[o] = total
                    }
                    return
                }

                guard let yBase = y.baseAddress, let xBase = x.baseAddress else { return }
                for o in 0..<outer {
                    let target = yBase + o * inner
                    for l in 0..<length {
                        let row = xBase + (o * length + l) * inner
                        for i in 0..<inner { target[i] += row[i] }
                    }
                }
            }
        }
        return result
    }

    /// `y[o, i] = (1/L) Σ_l x[o, l, i]` along `axis` of length `L > 0`.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        let resolved = normalizedAxis(axis, "mean(alongAxis:)")
        precondition(shape[resolved] > 0, "mean(alongAxis:): axis \(axis) of shape \(shape) is empty")
        return sum(alongAxis: resolved, keepingDimension: keepingDimension) / Float(shape[resolved])
    }

    /// `y[o, i] = max_l x[o, l, i]` along `axis` (length > 0).
    public func max(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        maxWithIndices(alongAxis: axis, keepingDimension: keepingDimension).values
    }

    /// Maxima along `axis` and, per output element, the flat input index of the (first) maximum.
    func maxWithIndices(alongAxis axis: Int, keepingDimension: Bool) -> (values: Tensor, indices: [Int]) {
        let axis = normalizedAxis(axis, "max(alongAxis:)")
        let (outer, length, inner) = axisView(axis)
        precondition(length > 0, "max(alongAxis:): axis \(axis) of shape \(shape) is empty")
        var indices = [Int](repeating: 0, count: outer * inner)
        let values = Tensor(shape: reducedShape(axis, keepingDimension: keepingDimension)) { y in
            scalars.withUnsafeBufferPointer { x in
                for o in 0..<outer {
                    for i in 0..<inner {
                        var best = o * length * inner + i
                        for l in 1..<length {
                            let at = (o * length + l) * inner + i
                            if x[at] > x[best] { best = at }
                        }
                        y[o * inner + i] = x[best]
                        indices[o * inner + i] = best
                    }
                }
            }
        }
        return (values, indices)
    }
}

extension Variable {
    /// `y = Σᵢ xᵢ`, shape `[]`; `dX = dY · 1`.
    public func sum() -> Variable {
        let shape = self.shape
        return recorded(value.sum()) { dY, sink in
            sink.accumulate(Tensor(repeating: dY.scalar, shape: shape), forInput: 0)
        }
    }

    /// `y = (1/n) Σᵢ xᵢ`, shape `[]`; `dX = dY / n`.
    public func mean() -> Variable {
        let shape = self.shape
        return recorded(value.mean()) { dY, sink in
            sink.accumulate(Tensor(repeating: dY.scalar / Float(shape.reduce(1, *)), shape: shape), forInput: 0)
        }
    }

    /// `y = Σ_axis x`; `dX[o, l, i] = dY[o, i]` (broadcast back along the axis).
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) -> Variable {
        let resolved = value.normalizedAxis(axis, "sum(alongAxis:)")
        let shape = self.shape
        return recorded(value.sum(alongAxis: resolved, keepingDimension: keepingDimension)) { dY, sink in
            var kept = shape
            kept[resolved] = 1
            sink.accumulate(Tensor(shape: kept, scalars: dY.scalars).broadcast(to: shape), forInput: 0)
        }
    }

    /// `y = mean_axis x`; `dX[o, l, i] = dY[o, i] / L`.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) -> Variable {
        let resolved = value.normalizedAxis(axis, "mean(alongAxis:)")
        return sum(alongAxis: resolved, keepingDimension: keepingDimension) / Float(shape[resolved])
    }

    /// `y = max_axis x`; the gradient goes to the (first) maximal element: `dX[argmax] = dY`.
    /// Keep inputs away from ties when checking gradients numerically.
    public func max(alongAxis axis: Int, keepingDimension: Bool = false) -> Variable {
        let (values, indices) = value.maxWithIndices(alongAxis: axis, keepingDimension: keepingDimension)
        let shape = self.shape
        return recorded(values) { dY, sink in
            var dX = Tensor.zeros(shape)
            dX.scalars.withUnsafeMutableBufferPointer { dx in
                for (position, index) in indices.enumerated() { dx[index] += dY.scalars[position] }
            }
            sink.accumulate(dX, forInput: 0)
        }
    }
}

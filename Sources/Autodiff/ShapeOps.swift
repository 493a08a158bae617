// Reshape, transpose of the last two axes, concatenation, slicing and split.

extension Tensor {
    /// The same scalars under `newShape` (one extent may be `-1`: inferred). Free: no copy.
    public func reshaped(to newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != unknown }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshaped(to:): cannot reshape \(shape) to \(newShape)")
            resolved[unknown] = count / known
        }
        precondition(resolved.allSatisfy { $0 >= 0 } && resolved.reduce(1, *) == count,
                     "reshaped(to:): cannot reshape \(shape) (\(count) elements) to \(newShape)")
        return Tensor(shape: resolved, scalars: scalars)
    }

    /// Swaps the last two axes: `[…, r, c] → […, c, r]`, `yᵀ[…, j, i] = x[…, i, j]`.
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed(): needs rank ≥ 2, got shape \(shape)")
        let rows = shape[rank - 2]
        let columns = shape[rank - 1]
        var newShape = shape
        newShape.swapAt(rank - 2, rank - 1)
        let matrices = count / Swift.max(rows * columns, 1)
        return Tensor(shape: newShape) { y in
            scalars.withUnsafeBufferPointer { x in
                for b in 0..<matrices {
                    let base = b * rows * columns
                    for i in 0..<rows {
                        for j in 0..<columns { y[base + j * rows + i] = x[base + i * columns + j] }
                    }
                }
            }
        }
    }

    /// Tensors joined along `axis`; all other extents must agree.
    public static func concatenated(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        guard let first = tensors.first else { preconditionFailure("concatenated: no tensors") }
        let resolved = first.normalizedAxis(axis, "concatenated")
        for tensor in tensors {
            var a = tensor.shape
            var b = first.shape
            precondition(a.count == b.count, "concatenated: shapes \(first.shape) and \(tensor.shape) differ in rank")
            a[resolved] = 0
            b[resolved] = 0
            precondition(a == b, "concatenated: shapes \(first.shape) and \(tensor.shape) differ off axis \(axis)")
        }
        var shape = first.shape
        shape[resolved] = tensors.reduce(0) { $0 + $1.shape[resolved] }
        let (outer, _, inner) = first.axisView(resolved)
        var result = [Float]()
        result.reserveCapacity(shape.reduce(1, *))
        for o in 0..<outer {
            for tensor in tensors {
                let block = tensor.shape[resolved] * inner
                result.append(contentsOf: tensor.scalars[(o * block)..<((o + 1) * block)])
            }
        }
        return Tensor(shape: shape, scalars: result)
    }

    /// Positions `range` along `axis` (other axes whole).
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let resolved = normalizedAxis(axis, "slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[resolved],
                     "slice: range \(range) outside axis \(axis) of shape \(shape)")
        let (outer, length, inner) = axisView(resolved)
        var newShape = shape
        newShape[resolved] = range.count
        var result = [Float]()
        result.reserveCapacity(newShape.reduce(1, *))
        for o in 0..<outer {
            let start = (o * length + range.lowerBound) * inner
            result.append(contentsOf: scalars[start..<(start + range.count * inner)])
        }
        return Tensor(shape: newShape, scalars: result)
    }

    /// Consecutive pieces of `sizes` along `axis`; the sizes must add up to the axis extent.
    public func split(sizes: [Int], alongAxis axis: Int = 0) -> [Tensor] {
        let resolved = normalizedAxis(axis, "split")
        precondition(sizes.reduce(0, +) == shape[resolved], "split: sizes \(sizes) do not add up to axis \(axis) of \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(alongAxis: resolved, start..<(start + size))
        }
    }

    /// The slice's pullback: `dY` placed at `range` along `axis` of zeros shaped `shape`.
    static func padding(_ dY: Tensor, into shape: [Int], alongAxis axis: Int, at range: Range<Int>) -> Tensor {
        var result = Tensor.zeros(shape)
        let (outer, length, inner) = result.axisView(axis)
        result.scalars.withUnsafeMutableBufferPointer { y in
            dY.scalars.withUnsafeBufferPointer { g in
                for o in 0..<outer {
                    let start = (o * length + range.lowerBound) * inner
                    let source = o * range.count * inner
                    for j in 0..<(range.count * inner) { y[start + j] = g[source + j] }
                }
            }
        }
        return result
    }
}

extension Variable {
    /// Same scalars, new shape; `dX = dY` reshaped back.
    public func reshaped(to newShape: [Int]) -> Variable {
        let shape = self.shape
        return recorded(value.reshaped(to: newShape)) { dY, sink in sink.accumulate(dY.reshaped(to: shape), forInput: 0) }
    }

    /// `y = xᵀ` over the last two axes; `dX = dYᵀ`.
    public func transposed() -> Variable {
        recorded(value.transposed()) { dY, sink in sink.accumulate(dY.transposed(), forInput: 0) }
    }

    /// Variables joined along `axis`; each input's gradient is its slice of `dY`.
    public static func concatenated(_ variables: [Variable], alongAxis axis: Int = 0) -> Variable {
        guard let first = variables.first else { preconditionFailure("concatenated: no variables") }
        let resolved = first.value.normalizedAxis(axis, "concatenated")
        let sizes = variables.map { $0.shape[resolved] }
        let value = Tensor.concatenated(variables.map(\.value), alongAxis: resolved)
        for variable in variables {
            precondition(variable.tape === first.tape, "concatenated: variables on different tapes")
        }
        return first.tape.record(value, inputs: variables) { dY, sink in
            for (position, piece) in dY.split(sizes: sizes, alongAxis: resolved).enumerated()
            where sink.needsGradient(forInput: position) {
                sink.accumulate(piece, forInput: position)
            }
        }
    }

    /// Positions `range` along `axis`; `dX` is `dY` placed at `range`, zeros elsewhere.
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Variable {
        let resolved = value.normalizedAxis(axis, "slice")
        let shape = self.shape
        return recorded(value.slice(alongAxis: resolved, range)) { dY, sink in
            sink.accumulate(Tensor.padding(dY, into: shape, alongAxis: resolved, at: range), forInput: 0)
        }
    }

    /// Consecutive pieces of `sizes` along `axis` (each a ``slice(alongAxis:_:)``).
    public func split(sizes: [Int], alongAxis axis: Int = 0) -> [Variable] {
        let resolved = value.normalizedAxis(axis, "split")
        precondition(sizes.reduce(0, +) == shape[resolved], "split: sizes \(sizes) do not add up to axis \(axis) of \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(alongAxis: resolved, start..<(start + size))
        }
    }
}

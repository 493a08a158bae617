/// NumPy-style broadcasting: shapes are right-aligned; each axis pair must be equal or one of
/// them 1 (missing axes count as 1). Covers a scalar against anything, `[dim]` against
/// `[…, dim]` and `[…, 1]` against `[…, dim]`.
extension Tensor {
    /// The broadcast of two shapes, or `nil` when they are incompatible.
    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let da = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
            let db = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
            if da == db || db == 1 {
                result[axis] = da
            } else if da == 1 {
                result[axis] = db
            } else {
                return nil
            }
        }
        return result
    }

    /// Strides of `shape` read as the broadcast `target` (right-aligned): 0 along broadcast axes.
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let offset = target.count - shape.count
        var strides = [Int](repeating: 0, count: target.count)
        var stride = 1
        for axis in Swift.stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis + offset] = shape[axis] == 1 ? 0 : stride
            stride *= shape[axis]
        }
        return strides
    }

    /// Visits every innermost row of `shape` in row-major order, passing the flat offset of the
    /// row in the output and in two strided operands; the innermost strides are returned once.
    static func forEachRow(
        shape: [Int], stridesA: [Int], stridesB: [Int],
        _ body: (_ output: Int, _ a: Int, _ b: Int) -> Void
    ) {
        let rank = shape.count
        let inner = rank == 0 ? 1 : shape[rank - 1]
        let total = shape.reduce(1, *)
        guard total > 0 else { return }
        var counter = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
        var offsetA = 0
        var offsetB = 0
        for row in 0..<(total / inner) {
            body(row * inner, offsetA, offsetB)
            var axis = rank - 2
            while axis >= 0 {
                counter[axis] += 1
                offsetA += stridesA[axis]
                offsetB += stridesB[axis]
                if counter[axis] < shape[axis] { break }
                offsetA -= stridesA[axis] * shape[axis]
                offsetB -= stridesB[axis] * shape[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
    }

    /// `op(a, b)` elementwise with broadcasting; the result has the broadcast shape.
    static func broadcasting(_ a: Tensor, _ b: Tensor, _ name: String, _ op: (Float, Float) -> Float) -> Tensor {
        // Loops run on base pointers with offsets computed once per row, so the compiler
        // vectorises them (indexing the buffers with `o + j` kept them scalar).
        if a.shape == b.shape {
            return Tensor(shape: a.shape) { out in
                a.scalars.withUnsafeBufferPointer { pa in
                    b.scalars.withUnsafeBufferPointer { pb in
                        guard let po = out.baseAddress, let xa = pa.baseAddress, let xb = pb.baseAddress else { return }
                        for i in 0..<out.count { po[i] = op(xa[i], xb[i]) }
                    }
                }
            }
        }
        guard let shape = broadcastShape(a.shape, b.shape) else {
            preconditionFailure("\(name): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let stridesA = broadcastStrides(a.shape, to: shape)
        let stridesB = broadcastStrides(b.shape, to: shape)
        let inner = shape.last ?? 1
        let innerA = stridesA.last ?? 0
        let innerB = stridesB.last ?? 0
        return Tensor(shape: shape) { out in
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    guard let outBase = out.baseAddress, let aBase = pa.baseAddress, let bBase = pb.baseAddress else { return }
                    forEachRow(shape: shape, stridesA: stridesA, stridesB: stridesB) { o, oa, ob in
                        let y = outBase + o
                        let x = aBase + oa
                        let z = bBase + ob
                        switch (innerA, innerB) {
                        case (1, 1): for j in 0..<inner { y[j] = op(x[j], z[j]) }
                        case (1, 0):
                            let scalar = z[0]
                            for j in 0..<inner { y[j] = op(x[j], scalar) }
                        case (0, 1):
                            let scalar = x[0]
                            for j in 0..<inner { y[j] = op(scalar, z[j]) }
                        default: for j in 0..<inner { y[j] = op(x[j * innerA], z[j * innerB]) }
                        }
                    }
                }
            }
        }
    }

    /// This tensor repeated along broadcast axes to `shape`.
    public func broadcast(to shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        precondition(Tensor.broadcastShape(self.shape, shape) == shape,
                     "broadcast(to:): shape \(self.shape) does not broadcast to \(shape)")
        let strides = Tensor.broadcastStrides(self.shape, to: shape)
        let inner = shape.last ?? 1
        let innerStride = strides.last ?? 0
        return Tensor(shape: shape) { out in
            scalars.withUnsafeBufferPointer { x in
                guard let outBase = out.baseAddress, let xBase = x.baseAddress else { return }
                Tensor.forEachRow(shape: shape, stridesA: strides, stridesB: strides) { o, ox, _ in
                    if innerStride == 1 {
                        (outBase + o).update(from: xBase + ox, count: inner)
                    } else {
                        (outBase + o).update(repeating: xBase[ox], count: inner)
                    }
                }
            }
        }
    }

    /// The sum over broadcast axes that undoes ``broadcast(to:)``: the pullback of broadcasting.
    ///
    /// `target` must broadcast to this tensor's shape; `out[j] = Σ_{i ↦ j} self[i]`.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(Tensor.broadcastShape(target, shape) == shape,
                     "summed(toShape:): shape \(target) does not broadcast to \(shape)")
        let stridesTarget = Tensor.broadcastStrides(target, to: shape)
        let zeroStrides = [Int](repeating: 0, count: shape.count)
        let inner = shape.last ?? 1
        let innerTarget = stridesTarget.last ?? 0
        var result = Tensor.zeros(target)
        result.scalars.withUnsafeMutableBufferPointer { out in
            scalars.withUnsafeBufferPointer { x in
                guard let outBase = out.baseAddress, let xBase = x.baseAddress else { return }
                Tensor.forEachRow(shape: shape, stridesA: stridesTarget, stridesB: zeroStrides) { o, ot, _ in
                    let row = xBase + o
                    if innerTarget == 1 {
                        let y = outBase + ot
                        for j in 0..<inner { y[j] += row[j] }
                    } else {
                        var sum: Float = 0
                        for j in 0..<inner { sum += row[j] }
                        outBase[ot] += sum
                    }
                }
            }
        }
        return result
    }
}

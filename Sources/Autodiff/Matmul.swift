/// Matrix products through `cblas_sgemm`, forward and backward.
///
/// Shapes (`op` = optional transpose of the last two axes):
/// - `[m, k] · [k, n] → [m, n]`
/// - batched `[batch, m, k] · [batch, k, n] → [batch, m, n]`; a rank-2 operand is shared by the
///   whole batch (`[batch, m, k] · [k, n]` runs as one `[batch·m, k] · [k, n]` GEMM).
extension Tensor {
    /// `C = op(A) · op(B)`, `C[i, j] = Σ_k op(A)[i, k] · op(B)[k, j]`.
    ///
    /// - Parameters:
    ///   - other: `B`, `[k, n]` or `[batch, k, n]` (`[n, k]`… when `transposeB`).
    ///   - transposeA: use `Aᵀ` (A stored `[k, m]`).
    ///   - transposeB: use `Bᵀ` (B stored `[n, k]`).
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        let plan = MatmulPlan(self.shape, other.shape, transposeA, transposeB)
        return Tensor(shape: plan.outputShape) { c in
            guard let cBase = c.baseAddress else { return }
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    guard let aBase = a.baseAddress, let bBase = b.baseAddress else {
                        cBase.update(repeating: 0, count: c.count)  // k = 0: empty sums
                        return
                    }
                    GEMM.product(batch: plan.batch,
                                 aBase, rowsX: plan.rowsA, colsX: plan.colsA, strideX: plan.strideA, transposeX: transposeA,
                                 bBase, rowsY: plan.rowsB, colsY: plan.colsB, strideY: plan.strideB, transposeY: transposeB,
                                 into: cBase, strideC: plan.m * plan.n)
                }
            }
        }
    }
}

/// Shapes and strides of one (batched) product.
struct MatmulPlan {
    var batch = 1
    var rowsA, colsA, rowsB, colsB: Int
    var strideA = 0, strideB = 0
    var m, n, k: Int
    var outputShape: [Int]

    init(_ shapeA: [Int], _ shapeB: [Int], _ transposeA: Bool, _ transposeB: Bool) {
        precondition((2...3).contains(shapeA.count) && (2...3).contains(shapeB.count),
                     "matmul: operands must have rank 2 or 3, got \(shapeA) and \(shapeB)")
        rowsA = shapeA[shapeA.count - 2]
        colsA = shapeA[shapeA.count - 1]
        rowsB = shapeB[shapeB.count - 2]
        colsB = shapeB[shapeB.count - 1]
        m = transposeA ? colsA : rowsA
        k = transposeA ? rowsA : colsA
        n = transposeB ? rowsB : colsB
        let kB = transposeB ? colsB : rowsB
        precondition(k == kB, "matmul: inner dimensions differ: \(shapeA)\(transposeA ? "ᵀ" : "") · \(shapeB)\(transposeB ? "ᵀ" : "")")
        if shapeA.count == 3 && shapeB.count == 3 {
            precondition(shapeA[0] == shapeB[0], "matmul: batch sizes differ: \(shapeA) · \(shapeB)")
        }
        if shapeA.count == 3 { batch = shapeA[0]; strideA = rowsA * colsA }
        if shapeB.count == 3 { batch = shapeB[0]; strideB = rowsB * colsB }
        outputShape = (shapeA.count == 3 || shapeB.count == 3) ? [batch, m, n] : [m, n]
    }
}

extension Variable {
    /// `C = op(A) · op(B)` (see ``Tensor/matmul(_:transposeA:transposeB:)``); backward by sgemm:
    ///
    /// ```
    /// C = A B     dA = dC Bᵀ      dB = Aᵀ dC
    /// C = Aᵀ B    dA = B dCᵀ      dB = A dC
    /// C = A Bᵀ    dA = dC B       dB = dCᵀ A
    /// C = Aᵀ Bᵀ   dA = Bᵀ dCᵀ     dB = dCᵀ Aᵀ
    /// ```
    /// A rank-2 operand shared across a batch receives the sum over the batch.
    public func matmul(_ other: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        // [batch, m, k] · [k, n] is one GEMM over batch·m rows, forward and backward.
        if rank == 3, other.rank == 2, !transposeA {
            return reshaped(to: [shape[0] * shape[1], shape[2]])
                .matmul(other, transposeA: false, transposeB: transposeB)
                .reshaped(to: [shape[0], shape[1], transposeB ? other.shape[0] : other.shape[1]])
        }
        let a = value
        let b = other.value
        let plan = MatmulPlan(a.shape, b.shape, transposeA, transposeB)
        return recorded(a.matmul(b, transposeA: transposeA, transposeB: transposeB), other) { dC, sink in
            // dC is stored [m, n] per batch item.
            let g = (tensor: dC, rows: plan.m, cols: plan.n, stride: plan.m * plan.n)
            let ta = (tensor: a, rows: plan.rowsA, cols: plan.colsA, stride: plan.strideA)
            let tb = (tensor: b, rows: plan.rowsB, cols: plan.colsB, stride: plan.strideB)
            if sink.needsGradient(forInput: 0) {
                let dA: Tensor
                switch (transposeA, transposeB) {
                case (false, false): dA = Variable.product(plan.batch, g, false, tb, true, into: a.shape, plan.strideA)
                case (true, false): dA = Variable.product(plan.batch, tb, false, g, true, into: a.shape, plan.strideA)
                case (false, true): dA = Variable.product(plan.batch, g, false, tb, false, into: a.shape, plan.strideA)
                case (true, true): dA = Variable.product(plan.batch, tb, true, g, true, into: a.shape, plan.strideA)
                }
                sink.accumulate(dA, forInput: 0)
            }
            if sink.needsGradient(forInput: 1) {
                let dB: Tensor
                switch (transposeA, transposeB) {
                case (false, false): dB = Variable.product(plan.batch, ta, true, g, false, into: b.shape, plan.strideB)
                case (true, false): dB = Variable.product(plan.batch, ta, false, g, false, into: b.shape, plan.strideB)
                case (false, true): dB = Variable.product(plan.batch, g, true, ta, false, into: b.shape, plan.strideB)
                case (true, true): dB = Variable.product(plan.batch, g, true, ta, true, into: b.shape, plan.strideB)
                }
                sink.accumulate(dB, forInput: 1)
            }
        }
    }

    typealias StoredMatrix = (tensor: Tensor, rows: Int, cols: Int, stride: Int)

    /// `op(X) · op(Y)` per batch item into a new tensor of `shape`; `outputStride == 0` means the
    /// output is a shared rank-2 operand's gradient, summed over the batch.
    static func product(_ batch: Int, _ x: StoredMatrix, _ transposeX: Bool, _ y: StoredMatrix, _ transposeY: Bool,
                        into shape: [Int], _ outputStride: Int) -> Tensor {
        Tensor(shape: shape) { c in
            guard let cBase = c.baseAddress else { return }
            x.tensor.scalars.withUnsafeBufferPointer { px in
                y.tensor.scalars.withUnsafeBufferPointer { py in
                    guard let xBase = px.baseAddress, let yBase = py.baseAddress else {
                        cBase.update(repeating: 0, count: c.count)
                        return
                    }
                    let rowsC = transposeX ? x.cols : x.rows
                    let colsC = transposeY ? y.rows : y.cols
                    GEMM.product(batch: batch,
                                 xBase, rowsX: x.rows, colsX: x.cols, strideX: x.stride, transposeX: transposeX,
                                 yBase, rowsY: y.rows, colsY: y.cols, strideY: y.stride, transposeY: transposeY,
                                 into: cBase, strideC: outputStride == 0 ? 0 : rowsC * colsC)
                }
            }
        }
    }
}

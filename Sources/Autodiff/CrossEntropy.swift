import Foundation

extension Tensor {
    /// Mean cross-entropy of `logits` `[batch, classes]` against integer `targets` (`[batch]`):
    ///
    /// ```
    /// L = (1/batch) Σ_b ( logsumexp(logits[b, :]) − logits[b, targets[b]] )
    /// ```
    /// Shape `[]`. Fused (log-sum-exp with the max subtracted) for stability.
    public func crossEntropy(targets: [Int]) -> Tensor {
        Tensor(scalar: crossEntropyParts(targets: targets).loss)
    }

    func crossEntropyParts(targets: [Int]) -> (loss: Float, logSumExp: Tensor) {
        precondition(rank == 2 && shape[0] == targets.count && shape[0] > 0,
                     "crossEntropy: logits \(shape) need shape [\(targets.count), classes] with batch > 0")
        let classes = shape[1]
        let lse = logSumExp(alongAxis: 1)
        var total: Double = 0
        for (b, target) in targets.enumerated() {
            precondition(target >= 0 && target < classes, "crossEntropy: target \(target) outside 0..<\(classes)")
            total += Double(lse.scalars[b] - scalars[b * classes + target])
        }
        return (Float(total / Double(targets.count)), lse)
    }
}

extension Variable {
    /// Mean cross-entropy with integer targets (see ``Tensor/crossEntropy(targets:)``);
    /// `dLogits[b, c] = dL · (softmax(logits[b])[c] − [c = targets[b]]) / batch`.
    public func crossEntropy(targets: [Int]) -> Variable {
        let logits = value
        let (loss, lse) = logits.crossEntropyParts(targets: targets)
        return recorded(Tensor(scalar: loss)) { dL, sink in
            let classes = logits.shape[1]
            let scale = dL.scalar / Float(targets.count)
            var dX = Tensor(shape: logits.shape) { dx in
                logits.scalars.withUnsafeBufferPointer { x in
                    for b in 0..<targets.count {
                        for c in 0..<classes { dx[b * classes + c] = Foundation.exp(x[b * classes + c] - lse.scalars[b]) * scale }
                    }
                }
            }
            dX.scalars.withUnsafeMutableBufferPointer { dx in
                for (b, target) in targets.enumerated() { dx[b * classes + target] -= scale }
            }
            sink.accumulate(dX, forInput: 0)
        }
    }
}

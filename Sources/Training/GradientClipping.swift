import Autodiff

/// Clipping by global norm, as `torch.nn.utils.clip_grad_norm_`:
///
/// ```
/// n = √(Σ_θ Σ_i g_θ,i²)           (all gradients together, accumulated in Double)
/// if n > maxNorm:  g ← g · maxNorm / (n + 1e-6)
/// ```
public enum GradientClipping {
    /// The global L2 norm of `gradients` (NaN or ∞ when any element is).
    public static func globalNorm(_ gradients: [String: Tensor]) -> Double {
        var total: Double = 0
        for name in gradients.keys.sorted() {
            gradients[name]?.withUnsafeBufferPointer { g in
                for value in g { total += Double(value) * Double(value) }
            }
        }
        return total.squareRoot()
    }

    /// Scales `gradients` in place so their global norm is at most `maxNorm`; returns the norm
    /// before clipping. A non-finite norm leaves the gradients untouched (the caller stops).
    @discardableResult
    public static func clip(_ gradients: inout [String: Tensor], maxNorm: Double) -> Double {
        let norm = globalNorm(gradients)
        guard norm.isFinite, maxNorm > 0, norm > maxNorm else { return norm }
        let factor = Float(maxNorm / (norm + 1e-6))
        for name in gradients.keys.sorted() {
            guard var gradient = gradients[name] else { continue }
            gradients[name] = nil
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] *= factor }
            }
            gradients[name] = gradient
        }
        return norm
    }
}

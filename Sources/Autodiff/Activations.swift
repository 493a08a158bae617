import CPlatform
import Foundation

// Elementwise functions y = f(x) with dX = dY ⊙ f′(x); each pullback keeps only x or y.

extension Tensor {
    /// `y = eˣ`.
    public func exp() -> Tensor { map { Foundation.exp($0) } }
    /// `y = ln x` (x > 0).
    public func log() -> Tensor { map { Foundation.log($0) } }
    /// `y = tanh x`, by a vectorised kernel (AVX2+FMA when available, libm otherwise) accurate to
    /// 1.5e-7 relative (see `Sources/CPlatform/elementwise.c`); libm per element cost about as
    /// much as the additive head's GEMMs.
    public func tanh() -> Tensor {
        Tensor(shape: shape) { y in
            scalars.withUnsafeBufferPointer { x in
                guard let xBase = x.baseAddress, let yBase = y.baseAddress else { return }
                pooler_tanh(xBase, yBase, x.count)
            }
        }
    }
    /// `y = 1 / (1 + e⁻ˣ)`.
    public func sigmoid() -> Tensor { map { Tensor.sigmoid($0) } }
    /// `y = max(x, 0)`.
    public func relu() -> Tensor { map { Swift.max($0, 0) } }
    /// `y = x · Φ(x) = ½ x (1 + erf(x / √2))` (exact GELU, not the tanh approximation).
    public func gelu() -> Tensor { map { 0.5 * $0 * (1 + erff($0 * Float(0.5.squareRoot()))) } }
    /// `y = √x` (x ≥ 0).
    public func sqrt() -> Tensor { map { $0.squareRoot() } }
    /// `y = x²`.
    public func squared() -> Tensor { map { $0 * $0 } }

    static func sigmoid(_ x: Float) -> Float {
        // Two branches so that e^{|x|} never overflows.
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}

extension Variable {
    /// `y = eˣ`; `dX = dY ⊙ y`.
    public func exp() -> Variable {
        let y = value.exp()
        return recorded(y) { dY, sink in sink.accumulate(dY * y, forInput: 0) }
    }

    /// `y = ln x`; `dX = dY ⊘ x`.
    public func log() -> Variable {
        let x = value
        return recorded(x.log()) { dY, sink in sink.accumulate(dY / x, forInput: 0) }
    }

    /// `y = tanh x`; `dX = dY ⊙ (1 − y²)`.
    public func tanh() -> Variable {
        let y = value.tanh()
        return recorded(y) { dY, sink in sink.accumulate(Tensor.zip(dY, y) { g, y in g * (1 - y * y) }, forInput: 0) }
    }

    /// `y = σ(x)`; `dX = dY ⊙ y ⊙ (1 − y)`.
    public func sigmoid() -> Variable {
        let y = value.sigmoid()
        return recorded(y) { dY, sink in sink.accumulate(Tensor.zip(dY, y) { g, y in g * y * (1 - y) }, forInput: 0) }
    }

    /// `y = max(x, 0)`; `dX = dY ⊙ [x > 0]` (0 at the kink x = 0).
    public func relu() -> Variable {
        let x = value
        return recorded(x.relu()) { dY, sink in sink.accumulate(Tensor.zip(dY, x) { g, x in x > 0 ? g : 0 }, forInput: 0) }
    }

    /// `y = x Φ(x)`; `dX = dY ⊙ (Φ(x) + x φ(x))`, `φ(x) = e^{−x²/2} / √(2π)`.
    public func gelu() -> Variable {
        let x = value
        return recorded(x.gelu()) { dY, sink in
            let dX = Tensor.zip(dY, x) { g, x in
                let cdf = 0.5 * (1 + erff(x * Float(0.5.squareRoot())))
                let pdf = Foundation.exp(-0.5 * x * x) / Float((2 * Double.pi).squareRoot())
                return g * (cdf + x * pdf)
            }
            sink.accumulate(dX, forInput: 0)
        }
    }

    /// `y = √x`; `dX = dY ⊘ (2y)` (infinite at x = 0).
    public func sqrt() -> Variable {
        let y = value.sqrt()
        return recorded(y) { dY, sink in sink.accumulate(Tensor.zip(dY, y) { g, y in g / (2 * y) }, forInput: 0) }
    }

    /// `y = x²`; `dX = 2 x ⊙ dY`.
    public func squared() -> Variable {
        let x = value
        return recorded(x.squared()) { dY, sink in sink.accumulate(Tensor.zip(dY, x) { g, x in 2 * x * g }, forInput: 0) }
    }
}

// Elementwise add, sub, mul, div with broadcasting (see `Broadcasting.swift`), and scalar forms.
// Pullbacks sum the upstream gradient over broadcast axes back to each input's shape.

extension Tensor {
    /// `a + b`, broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, "+") { $0 + $1 } }
    /// `a − b`, broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, "-") { $0 - $1 } }
    /// `a ⊙ b`, broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, "*") { $0 * $1 } }
    /// `a ⊘ b`, broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, "/") { $0 / $1 } }

    /// `x · s` for a scalar `s`.
    public static func * (x: Tensor, s: Float) -> Tensor { x.map { $0 * s } }
    /// `s · x` for a scalar `s`.
    public static func * (s: Float, x: Tensor) -> Tensor { x.map { $0 * s } }
    /// `x / s` for a scalar `s`.
    public static func / (x: Tensor, s: Float) -> Tensor { x.map { $0 / s } }
    /// `x + s` for a scalar `s`.
    public static func + (x: Tensor, s: Float) -> Tensor { x.map { $0 + s } }
    /// `x − s` for a scalar `s`.
    public static func - (x: Tensor, s: Float) -> Tensor { x.map { $0 - s } }
    /// `−x`.
    public static prefix func - (x: Tensor) -> Tensor { x.map { -$0 } }

    /// Adds `other` (same shape) in place: `self += other`.
    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "add(_:): shapes \(shape) and \(other.shape) differ")
        scalars.withUnsafeMutableBufferPointer { x in
            other.scalars.withUnsafeBufferPointer { y in
                guard let px = x.baseAddress, let py = y.baseAddress else { return }
                for i in 0..<x.count { px[i] += py[i] }
            }
        }
    }

    /// `self += other` for equal shapes.
    public static func += (x: inout Tensor, other: Tensor) { x.add(other) }

    /// `f` applied to every element.
    public func map(_ f: (Float) -> Float) -> Tensor {
        Tensor(shape: shape) { out in
            scalars.withUnsafeBufferPointer { x in
                guard let py = out.baseAddress, let px = x.baseAddress else { return }
                for i in 0..<out.count { py[i] = f(px[i]) }
            }
        }
    }

    /// `f(a, b)` elementwise for two tensors of equal shape.
    static func zip(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(a.shape == b.shape, "zip: shapes \(a.shape) and \(b.shape) differ")
        return broadcasting(a, b, "zip", f)
    }
}

extension Variable {
    /// `z = a + b` (broadcasting). `∂z/∂a = 1`, `∂z/∂b = 1`; `dA = Σ_broadcast dZ`, `dB = Σ_broadcast dZ`.
    public static func + (a: Variable, b: Variable) -> Variable {
        let (shapeA, shapeB) = (a.shape, b.shape)
        return a.recorded(a.value + b.value, b) { dZ, sink in
            sink.accumulate(dZ.summed(toShape: shapeA), forInput: 0)
            if sink.needsGradient(forInput: 1) { sink.accumulate(dZ.summed(toShape: shapeB), forInput: 1) }
        }
    }

    /// `z = a − b` (broadcasting). `dA = Σ_broadcast dZ`, `dB = −Σ_broadcast dZ`.
    public static func - (a: Variable, b: Variable) -> Variable {
        let (shapeA, shapeB) = (a.shape, b.shape)
        return a.recorded(a.value - b.value, b) { dZ, sink in
            sink.accumulate(dZ.summed(toShape: shapeA), forInput: 0)
            if sink.needsGradient(forInput: 1) { sink.accumulate(-dZ.summed(toShape: shapeB), forInput: 1) }
        }
    }

    /// `z = a ⊙ b` (broadcasting). `dA = Σ_broadcast dZ ⊙ b`, `dB = Σ_broadcast dZ ⊙ a`.
    public static func * (a: Variable, b: Variable) -> Variable {
        let (valueA, valueB) = (a.value, b.value)
        return a.recorded(valueA * valueB, b) { dZ, sink in
            if sink.needsGradient(forInput: 0) { sink.accumulate((dZ * valueB).summed(toShape: valueA.shape), forInput: 0) }
            if sink.needsGradient(forInput: 1) { sink.accumulate((dZ * valueA).summed(toShape: valueB.shape), forInput: 1) }
        }
    }

    /// `z = a ⊘ b` (broadcasting). `dA = Σ_broadcast dZ ⊘ b`, `dB = −Σ_broadcast dZ ⊙ a ⊘ b²`.
    public static func / (a: Variable, b: Variable) -> Variable {
        let (valueA, valueB) = (a.value, b.value)
        return a.recorded(valueA / valueB, b) { dZ, sink in
            if sink.needsGradient(forInput: 0) { sink.accumulate((dZ / valueB).summed(toShape: valueA.shape), forInput: 0) }
            if sink.needsGradient(forInput: 1) {
                let dB = Tensor.broadcasting(dZ * valueA, valueB, "/") { g, b in -g / (b * b) }
                sink.accumulate(dB.summed(toShape: valueB.shape), forInput: 1)
            }
        }
    }

    /// `z = x · s` for a constant scalar. `dX = s · dZ`.
    public static func * (x: Variable, s: Float) -> Variable {
        x.recorded(x.value * s) { dZ, sink in sink.accumulate(dZ * s, forInput: 0) }
    }

    /// `z = s · x` for a constant scalar. `dX = s · dZ`.
    public static func * (s: Float, x: Variable) -> Variable { x * s }

    /// `z = x / s` for a constant scalar. `dX = dZ / s`.
    public static func / (x: Variable, s: Float) -> Variable {
        x.recorded(x.value / s) { dZ, sink in sink.accumulate(dZ / s, forInput: 0) }
    }

    /// `z = x + s` for a constant scalar. `dX = dZ`.
    public static func + (x: Variable, s: Float) -> Variable {
        x.recorded(x.value + s) { dZ, sink in sink.accumulate(dZ, forInput: 0) }
    }

    /// `z = x − s` for a constant scalar. `dX = dZ`.
    public static func - (x: Variable, s: Float) -> Variable { x + (-s) }

    /// `z = −x`. `dX = −dZ`.
    public static prefix func - (x: Variable) -> Variable {
        x.recorded(-x.value) { dZ, sink in sink.accumulate(-dZ, forInput: 0) }
    }
}

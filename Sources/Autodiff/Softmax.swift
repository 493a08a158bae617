import Foundation

// Softmax, log-softmax and log-sum-exp along an axis, with an optional mask.
//
// Masking: `mask` broadcasts to the input shape; a position is kept where mask ≠ 0. Masked
// positions get exactly zero weight and zero gradient. A fully masked line gives all-zero
// weights (softmax), all-zero log-weights (logSoftmax) and zero gradient — never NaN. Callers
// that need "no valid position" to mean something else must handle it themselves.

extension Tensor {
    /// Calls `body(base, stride)` for every line along an axis viewed as `[outer, length, inner]`.
    static func forEachLine(outer: Int, length: Int, inner: Int, _ body: (_ base: Int, _ stride: Int) -> Void) {
        for o in 0..<outer {
            for i in 0..<inner { body(o * length * inner + i, inner) }
        }
    }

    /// The mask as 0/1 flags of this tensor's shape (broadcasting), or `nil` for "keep all".
    func keepFlags(_ mask: Tensor?, _ op: String) -> [Float]? {
        guard let mask else { return nil }
        precondition(Tensor.broadcastShape(mask.shape, shape) == shape,
                     "\(op): mask shape \(mask.shape) does not broadcast to \(shape)")
        return mask.broadcast(to: shape).scalars.map { $0 != 0 ? 1 : 0 }
    }

    /// `yᵢ = e^{xᵢ − m} / Σⱼ e^{xⱼ − m}` along `axis` over kept positions (`m` = max kept `x`);
    /// masked positions `yᵢ = 0`; a fully masked line is all zeros. Shape unchanged.
    public func softmax(alongAxis axis: Int = -1, mask: Tensor? = nil) -> Tensor {
        softmaxLines(alongAxis: axis, mask: keepFlags(mask, "softmax"), logarithm: false)
    }

    /// `yᵢ = xᵢ − m − ln Σⱼ e^{xⱼ − m}` along `axis` over kept positions; masked positions and
    /// fully masked lines give `0` (not −∞), so nothing downstream turns into NaN.
    public func logSoftmax(alongAxis axis: Int = -1, mask: Tensor? = nil) -> Tensor {
        softmaxLines(alongAxis: axis, mask: keepFlags(mask, "logSoftmax"), logarithm: true)
    }

    func softmaxLines(alongAxis axis: Int, mask keep: [Float]?, logarithm: Bool) -> Tensor {
        let axis = normalizedAxis(axis, logarithm ? "logSoftmax" : "softmax")
        let (outer, length, inner) = axisView(axis)
        return Tensor(shape: shape) { y in
            scalars.withUnsafeBufferPointer { x in
                Tensor.forEachLine(outer: outer, length: length, inner: inner) { base, stride in
                    func kept(_ l: Int) -> Bool { keep.map { $0[base + l * stride] != 0 } ?? true }
                    var maximum = -Float.infinity
                    for l in 0..<length where kept(l) { maximum = Swift.max(maximum, x[base + l * stride]) }
                    guard maximum > -Float.infinity else {
                        for l in 0..<length { y[base + l * stride] = 0 }
                        return
                    }
                    var total: Float = 0
                    for l in 0..<length {
                        let e = kept(l) ? Foundation.exp(x[base + l * stride] - maximum) : 0
                        total += e
                        y[base + l * stride] = e
                    }
                    if logarithm {
                        let logTotal = Foundation.log(total)
                        for l in 0..<length {
                            y[base + l * stride] = kept(l) ? x[base + l * stride] - maximum - logTotal : 0
                        }
                    } else {
                        let scale = 1 / total
                        for l in 0..<length { y[base + l * stride] *= scale }
                    }
                }
            }
        }
    }

    /// `y = ln Σᵢ e^{xᵢ}` along `axis`, computed as `m + ln Σᵢ e^{xᵢ − m}` (m = max) so it never
    /// overflows. The axis must not be empty.
    public func logSumExp(alongAxis axis: Int = -1, keepingDimension: Bool = false) -> Tensor {
        let resolved = normalizedAxis(axis, "logSumExp")
        let (outer, length, inner) = axisView(resolved)
        precondition(length > 0, "logSumExp: axis \(axis) of shape \(shape) is empty")
        return Tensor(shape: reducedShape(resolved, keepingDimension: keepingDimension)) { y in
            scalars.withUnsafeBufferPointer { x in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * length * inner + i
                        var maximum = -Float.infinity
                        for l in 0..<length { maximum = Swift.max(maximum, x[base + l * inner]) }
                        var total: Float = 0
                        for l in 0..<length { total += Foundation.exp(x[base + l * inner] - maximum) }
                        y[o * inner + i] = maximum + Foundation.log(total)
                    }
                }
            }
        }
    }
}

extension Variable {
    /// Masked softmax (see ``Tensor/softmax(alongAxis:mask:)``);
    /// `dXᵢ = yᵢ (dYᵢ − Σⱼ yⱼ dYⱼ)` along the axis — zero wherever `y` is zero (masked).
    public func softmax(alongAxis axis: Int = -1, mask: Tensor? = nil) -> Variable {
        let resolved = value.normalizedAxis(axis, "softmax")
        let y = value.softmax(alongAxis: resolved, mask: mask)
        return recorded(y) { dY, sink in
            let (outer, length, inner) = y.axisView(resolved)
            let dX = Tensor(shape: y.shape) { dx in
                y.scalars.withUnsafeBufferPointer { y in
                    dY.scalars.withUnsafeBufferPointer { g in
                        Tensor.forEachLine(outer: outer, length: length, inner: inner) { base, stride in
                            var dot: Float = 0
                            for l in 0..<length { dot += y[base + l * stride] * g[base + l * stride] }
                            for l in 0..<length { dx[base + l * stride] = y[base + l * stride] * (g[base + l * stride] - dot) }
                        }
                    }
                }
            }
            sink.accumulate(dX, forInput: 0)
        }
    }

    /// Masked log-softmax (see ``Tensor/logSoftmax(alongAxis:mask:)``);
    /// `dXᵢ = dYᵢ − pᵢ Σ_{j kept} dYⱼ` for kept `i` (`p = e^y`), `0` for masked `i`.
    public func logSoftmax(alongAxis axis: Int = -1, mask: Tensor? = nil) -> Variable {
        let resolved = value.normalizedAxis(axis, "logSoftmax")
        let keep = value.keepFlags(mask, "logSoftmax")
        let y = value.softmaxLines(alongAxis: resolved, mask: keep, logarithm: true)
        return recorded(y) { dY, sink in
            let (outer, length, inner) = y.axisView(resolved)
            let dX = Tensor(shape: y.shape) { dx in
                y.scalars.withUnsafeBufferPointer { y in
                    dY.scalars.withUnsafeBufferPointer { g in
                        Tensor.forEachLine(outer: outer, length: length, inner: inner) { base, stride in
                            func kept(_ l: Int) -> Bool { keep.map { $0[base + l * stride] != 0 } ?? true }
                            var total: Float = 0
                            for l in 0..<length where kept(l) { total += g[base + l * stride] }
                            for l in 0..<length {
                                let at = base + l * stride
                                dx[at] = kept(l) ? g[at] - Foundation.exp(y[at]) * total : 0
                            }
                        }
                    }
                }
            }
            sink.accumulate(dX, forInput: 0)
        }
    }

    /// `y = ln Σᵢ e^{xᵢ}` along `axis`; `dXᵢ = dY · e^{xᵢ − y}` (the softmax).
    public func logSumExp(alongAxis axis: Int = -1, keepingDimension: Bool = false) -> Variable {
        let resolved = value.normalizedAxis(axis, "logSumExp")
        let x = value
        let y = x.logSumExp(alongAxis: resolved, keepingDimension: true)
        let output = keepingDimension ? y : Tensor(shape: x.reducedShape(resolved, keepingDimension: false), scalars: y.scalars)
        return recorded(output) { dY, sink in
            let dYKept = Tensor(shape: y.shape, scalars: dY.scalars)
            let weights = Tensor.broadcasting(x, y, "logSumExp") { x, y in Foundation.exp(x - y) }
            sink.accumulate(weights * dYKept, forInput: 0)
        }
    }
}

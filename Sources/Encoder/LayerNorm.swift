/// Layer normalisation of one row, in place (BERT's `LayerNorm`, biased variance):
///
/// ```
/// μ = (1/H) Σⱼ xⱼ        σ² = (1/H) Σⱼ (xⱼ − μ)²        yⱼ = (xⱼ − μ) / √(σ² + ε) · γⱼ + βⱼ
/// ```
/// Two passes over the row (the mean first, then the squared deviations: no cancellation), each
/// summed in eight lanes so the loop vectorises.
enum LayerNorm {
    /// Normalises `rows` consecutive rows of `width` floats at `x` in place; `gain` γ and `bias`
    /// β hold `width` floats.
    static func normalize(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                          gain: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float) {
        for r in 0..<rows {
            normalizeRow(x + r * width, width: width, gain: gain, bias: bias, epsilon: epsilon)
        }
    }

    @inline(__always)
    static func normalizeRow(_ x: UnsafeMutablePointer<Float>, width: Int,
                             gain: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float) {
        let raw = UnsafeRawPointer(x)
        var lanes = SIMD8<Float>()
        var j = 0
        while j + 8 <= width {
            lanes += raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self)
            j += 8
        }
        var total = lanes.sum()
        while j < width { total += x[j]; j += 1 }
        let mean = total / Float(width)

        let center = SIMD8<Float>(repeating: mean)
        lanes = SIMD8<Float>()
        j = 0
        while j + 8 <= width {
            let d = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self) - center
            lanes += d * d
            j += 8
        }
        var squares = lanes.sum()
        while j < width { let d = x[j] - mean; squares += d * d; j += 1 }
        let scale = 1 / (squares / Float(width) + epsilon).squareRoot()

        for k in 0..<width { x[k] = (x[k] - mean) * scale * gain[k] + bias[k] }
    }
}

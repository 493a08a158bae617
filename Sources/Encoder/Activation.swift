import CPlatform

/// The elementwise functions of the forward pass, through CPlatform's vectorised kernels
/// (`Sources/CPlatform/transformer_kernels.c`; libm fallbacks on CPUs without AVX2+FMA).
enum Activation {
    /// `y = ½ x (1 + erf(x / √2))` in place over `count` floats (the erf form of GELU; erf by
    /// Abramowitz & Stegun 7.1.26, max abs error ≤ 1e-6).
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        pooler_gelu(x, x, count)
    }

    /// `y = eˣ` in place (softmax's exponentials; arguments ≤ 0 there).
    static func exp(_ x: UnsafeMutablePointer<Float>, count: Int) {
        pooler_exp(x, x, count)
    }
}

extension Activation {
    /// `y = erf x` in place (the GELU kernel's erf; for its accuracy test).
    static func erf(_ x: UnsafeMutablePointer<Float>, count: Int) {
        pooler_erf(x, x, count)
    }
}

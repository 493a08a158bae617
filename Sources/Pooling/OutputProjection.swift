import Autodiff

/// The tail both heads share: the optional output projection and the optional L2 normalisation.
///
/// ```
/// y = x Pᵀ + c        P = projection.weight [dim, dim] (initialised to I), c = projection.bias [dim] (0)
/// y ← y / ‖y‖₂       when `normalize`
/// ```
/// `x` `[batch, dim]` → `[batch, dim]`.
enum OutputProjection {
    static let weightName = "projection.weight"
    static let biasName = "projection.bias"

    /// Identity weight and zero bias.
    static func initialParameters(dim: Int) -> [String: Tensor] {
        var identity = Tensor.zeros([dim, dim])
        for i in 0..<dim { identity[i, i] = 1 }
        return [weightName: identity, biasName: Tensor.zeros([dim])]
    }

    /// The tail, on the tape (inference runs it on constants).
    static func applied(_ x: Variable, _ configuration: HeadConfiguration, parameters: [String: Variable]) -> Variable {
        var y = x
        if configuration.projection {
            y = y.matmul(parameters.variable(weightName, configuration), transposeB: true)
                + parameters.variable(biasName, configuration)  // [batch, dim]
        }
        return configuration.normalize ? y.l2Normalized(alongAxis: -1) : y
    }
}

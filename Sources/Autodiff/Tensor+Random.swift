import Foundation

extension Tensor {
    /// Independent normal draws: `x ~ N(mean, standardDeviation²)` (Box–Muller in Double).
    public static func randomNormal<G: RandomNumberGenerator>(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout G
    ) -> Tensor {
        let count = shape.reduce(1, *)
        var scalars = [Float]()
        scalars.reserveCapacity(count + 1)
        while scalars.count < count {
            // u₁ ∈ (0, 1] keeps log finite; two normals per pair of uniforms.
            let u1 = 1 - Double.random(in: 0..<1, using: &generator)
            let u2 = Double.random(in: 0..<1, using: &generator)
            let radius = (-2 * Foundation.log(u1)).squareRoot()
            scalars.append(mean + standardDeviation * Float(radius * cos(2 * Double.pi * u2)))
            scalars.append(mean + standardDeviation * Float(radius * sin(2 * Double.pi * u2)))
        }
        scalars.removeLast(scalars.count - count)
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Independent uniform draws in `[lowerBound, upperBound)`.
    public static func randomUniform<G: RandomNumberGenerator>(
        _ shape: [Int], lowerBound: Float = 0, upperBound: Float = 1, using generator: inout G
    ) -> Tensor {
        precondition(lowerBound < upperBound, "randomUniform: empty range \(lowerBound)..<\(upperBound)")
        let count = shape.reduce(1, *)
        var scalars = [Float]()
        scalars.reserveCapacity(count)
        for _ in 0..<count { scalars.append(Float.random(in: lowerBound..<upperBound, using: &generator)) }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Fan-in and fan-out of a weight `[…, fanIn, fanOut]` (used as `x · W`); rank-1 `[n]` → (n, n).
    static func fans(_ shape: [Int]) -> (fanIn: Double, fanOut: Double) {
        precondition(!shape.isEmpty, "Glorot initialisation needs rank ≥ 1, got shape \(shape)")
        if shape.count == 1 { return (Double(shape[0]), Double(shape[0])) }
        return (Double(shape[shape.count - 2]), Double(shape[shape.count - 1]))
    }

    /// Xavier/Glorot uniform: `U(−a, a)` with `a = √(6 / (fanIn + fanOut))`, shape `[…, fanIn, fanOut]`.
    ///
    /// Reference: X. Glorot and Y. Bengio, "Understanding the difficulty of training deep
    /// feedforward neural networks" (AISTATS 2010).
    public static func glorotUniform<G: RandomNumberGenerator>(_ shape: [Int], using generator: inout G) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let limit = Float((6 / (fanIn + fanOut)).squareRoot())
        return randomUniform(shape, lowerBound: -limit, upperBound: limit, using: &generator)
    }

    /// Xavier/Glorot normal: `N(0, σ²)` with `σ = √(2 / (fanIn + fanOut))`, shape `[…, fanIn, fanOut]`.
    public static func glorotNormal<G: RandomNumberGenerator>(_ shape: [Int], using generator: inout G) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        return randomNormal(shape, standardDeviation: Float((2 / (fanIn + fanOut)).squareRoot()), using: &generator)
    }
}

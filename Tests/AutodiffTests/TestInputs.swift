import Autodiff

/// Seeded test inputs.
enum Inputs {
    /// Standard normal values.
    static func normal(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = Xoshiro256StarStar(seed: seed)
        return Tensor.randomNormal(shape, using: &generator)
    }

    /// Values in [0.5, 2): safe for log, sqrt and division.
    static func positive(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = Xoshiro256StarStar(seed: seed)
        return Tensor.randomUniform(shape, lowerBound: 0.5, upperBound: 2, using: &generator)
    }

    /// Normal values pushed at least 0.1 away from zero (relu's kink).
    static func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        normal(shape, seed: seed).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
    }

    /// A shuffled grid with spacing 0.05: no two values within the checker's ε (max has no ties).
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = Xoshiro256StarStar(seed: seed)
        let count = shape.reduce(1, *)
        let values = (0..<count).map { Float($0) * 0.05 - Float(count) * 0.025 }.shuffled(using: &generator)
        return Tensor(shape: shape, scalars: values)
    }
}

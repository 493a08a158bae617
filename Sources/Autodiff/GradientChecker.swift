/// Compares analytic gradients from a ``Tape`` with central differences.
///
/// The function under test may return any shape; it is reduced to a scalar with fixed random
/// weights `r` (seeded), `L(x) = Σᵢ rᵢ · fᵢ(x)`, so every output element matters. For each
/// input element:
///
/// ```
/// numeric  = (L(x + ε eᵢ) − L(x − ε eᵢ)) / (2ε)      (L accumulated in Double)
/// analytic = (∂L/∂x)ᵢ from Tape.backward(from: f, seed: r)
/// pass iff |analytic − numeric| ≤ atol + rtol · |numeric|
/// ```
/// Float32 forward passes need ε ≈ 1e-3 and rtol ≈ 1e-2 (PyTorch's gradcheck defaults assume
/// Double). Keep inputs away from kinks (relu at 0, ties under max) or the check is meaningless.
public struct GradientChecker: Sendable {
    public var epsilon: Float
    public var relativeTolerance: Double
    public var absoluteTolerance: Double
    /// Seed of the output weights `r`.
    public var seed: UInt64

    public init(epsilon: Float = 1e-3, relativeTolerance: Double = 1e-2, absoluteTolerance: Double = 1e-3, seed: UInt64 = 7) {
        self.epsilon = epsilon
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
        self.seed = seed
    }

    /// The worst element of a check, and whether every element passed.
    public struct Report: Sendable, CustomStringConvertible {
        public var name: String
        public var passed: Bool
        /// Input, flat and multi-index of the element with the largest difference.
        public var input: Int
        public var flatIndex: Int
        public var index: [Int]
        public var inputShape: [Int]
        public var analytic: Double
        public var numeric: Double
        public var largestDifference: Double
        /// Number of elements outside tolerance.
        public var failures: Int

        public var description: String {
            let verdict = passed ? "passed" : "FAILED (\(failures) element(s) outside tolerance)"
            return "gradient check \(name): \(verdict); largest |analytic − numeric| = \(largestDifference) "
                + "at input \(input) \(inputShape) index \(index) (analytic \(analytic), numeric \(numeric))"
        }
    }

    /// Checks `function` at `inputs` (each becomes a ``Tape/parameter(_:)``).
    public func check(_ name: String, inputs: [Tensor], _ function: (Tape, [Variable]) -> Variable) -> Report {
        // Analytic pass.
        let tape = Tape()
        let variables = inputs.map { tape.parameter($0) }
        let output = function(tape, variables)
        var generator = Xoshiro256StarStar(seed: seed)
        let weights = Tensor.randomNormal(output.shape, using: &generator)
        tape.backward(from: output, seed: weights)
        let analytic = variables.map { tape.gradient(of: $0) }

        func loss(_ perturbed: [Tensor]) -> Double {
            let tape = Tape()
            let value = function(tape, perturbed.map { tape.constant($0) }).value
            precondition(value.shape == weights.shape, "GradientChecker \(name): output shape changed to \(value.shape)")
            var total: Double = 0
            for (y, r) in zip(value.scalars, weights.scalars) { total += Double(y) * Double(r) }
            return total
        }

        var report = Report(name: name, passed: true, input: 0, flatIndex: 0, index: [], inputShape: inputs.first?.shape ?? [],
                            analytic: 0, numeric: 0, largestDifference: -1, failures: 0)
        var perturbed = inputs
        for (i, input) in inputs.enumerated() {
            for j in 0..<input.count {
                let original = input.scalars[j]
                let plus = original + epsilon
                let minus = original - epsilon
                perturbed[i].scalars[j] = plus
                let lossPlus = loss(perturbed)
                perturbed[i].scalars[j] = minus
                let lossMinus = loss(perturbed)
                perturbed[i].scalars[j] = original
                // Divide by the step actually taken in Float32, not the nominal 2ε.
                let numeric = (lossPlus - lossMinus) / (Double(plus) - Double(minus))
                let exact = Double(analytic[i].scalars[j])
                let difference = abs(exact - numeric)
                if !(difference <= absoluteTolerance + relativeTolerance * abs(numeric)) {
                    report.passed = false
                    report.failures += 1
                }
                if difference > report.largestDifference || difference.isNaN {
                    report.largestDifference = difference
                    report.input = i
                    report.flatIndex = j
                    report.index = input.multiIndex(ofFlat: j)
                    report.inputShape = input.shape
                    report.analytic = exact
                    report.numeric = numeric
                }
            }
        }
        return report
    }
}

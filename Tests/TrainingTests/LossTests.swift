import Autodiff
import Foundation
import Testing
@testable import Training

/// Losses: values against closed forms computed here in Double, gradients against central differences.
@Suite("losses")
struct LossTests {
    static let checker = GradientChecker(epsilon: 1e-3, relativeTolerance: 1e-2, absoluteTolerance: 1e-3)

    /// `[n, dim]` seeded normal values.
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = Xoshiro256StarStar(seed: seed)
        return Tensor.randomNormal(shape, using: &generator)
    }

    /// Cosines in (−1, 1), spread out so no two are close.
    static let cosines = Tensor([0.81, -0.32, 0.45, 0.12, -0.67, 0.58])
    static let gold: [Float] = [4.6, 0.4, 2.8, 2.8, 1.0, 3.5]  // one tie: (2, 3) contributes nothing

    @Test("CoSENT equals log(1 + Σ_{gold_i > gold_j} exp(s (cos_j − cos_i)))")
    func cosentValue() {
        for scale: Float in [1, 20] {
            let tape = Tape()
            let loss = CoSENTLoss(scale: scale)(tape.constant(Self.cosines), gold: Self.gold)
            var sum = 1.0
            let c = Self.cosines.scalars.map(Double.init)
            for i in c.indices {
                for j in c.indices where Self.gold[i] > Self.gold[j] { sum += Foundation.exp(Double(scale) * (c[j] - c[i])) }
            }
            #expect(abs(Double(loss.value.scalar) - Foundation.log(sum)) < 1e-4 * max(1, Foundation.log(sum)))
        }
    }

    @Test("CoSENT of identical gold scores is log 1 = 0")
    func cosentAllTied() {
        let tape = Tape()
        let loss = CoSENTLoss()(tape.constant(Self.cosines), gold: [Float](repeating: 2, count: 6))
        #expect(loss.value.scalar == 0)
    }

    @Test("cosine-MSE equals mean (cos − gold/5)²")
    func cosineMSEValue() {
        let tape = Tape()
        let loss = CosineMSELoss(scoreRange: 0...5)(tape.constant(Self.cosines), gold: Self.gold)
        var expected = 0.0
        for (c, g) in zip(Self.cosines.scalars, Self.gold) {
            let difference = Double(c) - Double(g) / 5
            expected += difference * difference / 6
        }
        #expect(abs(Double(loss.value.scalar) - expected) < 1e-6)
    }

    @Test("InfoNCE equals the cross-entropy of scaled cosines with the diagonal as targets")
    func infoNCEValue() {
        let anchors = Self.random([4, 5], seed: 1)
        let positives = Self.random([4, 5], seed: 2)
        let tape = Tape()
        let loss = InfoNCELoss(temperature: 0.5)(anchors: tape.constant(anchors), positives: tape.constant(positives),
                                                 anchorSentences: [0, 1, 2, 3], positiveSentences: [4, 5, 6, 7])
        func unit(_ t: Tensor, _ r: Int) -> [Double] {
            let row = (0..<5).map { Double(t[r, $0]) }
            let norm = row.map { $0 * $0 }.reduce(0, +).squareRoot()
            return row.map { $0 / norm }
        }
        var total = 0.0
        for i in 0..<4 {
            let logits = (0..<4).map { j in zip(unit(anchors, i), unit(positives, j)).map(*).reduce(0, +) / 0.5 }
            let lse = Foundation.log(logits.map { Foundation.exp($0) }.reduce(0, +))
            total += lse - logits[i]
        }
        #expect(abs(Double(loss.value.scalar) - total / 4) < 1e-4)
    }

    @Test("InfoNCE masks a sentence that occurs twice: its copy is not a negative")
    func infoNCEMask() {
        // Pairs 0 and 2 share their positive sentence 9; pair 1's positive is anchor 0's sentence.
        let mask = InfoNCELoss.candidateMask([10, 11, 12], [9, 10, 9])
        #expect(mask == Tensor([[1, 0, 0], [1, 1, 1], [0, 1, 1]]))
        // With the duplicate masked, identical rows give the loss of a batch without it.
        let a = Self.random([3, 4], seed: 3)
        var p = Self.random([3, 4], seed: 4)
        for j in 0..<4 { p[2, j] = p[0, j] }
        let tape = Tape()
        let masked = InfoNCELoss()(anchors: tape.constant(a), positives: tape.constant(p),
                                   anchorSentences: [20, 21, 22], positiveSentences: [9, 30, 9])
        let unmasked = InfoNCELoss()(anchors: tape.constant(a), positives: tape.constant(p),
                                     anchorSentences: [20, 21, 22], positiveSentences: [9, 30, 31])
        #expect(masked.value.scalar < unmasked.value.scalar)
    }

    @Test("distill cosine = mean (1 − cos); mse = mean (ŝ − t̂)² = (2/dim) · cosine")
    func distillValues() {
        let student = Self.random([3, 5], seed: 21)
        let teacher = Self.random([3, 5], seed: 22)
        func unit(_ t: Tensor, _ r: Int) -> [Double] {
            let row = (0..<5).map { Double(t[r, $0]) }
            let norm = row.map { $0 * $0 }.reduce(0, +).squareRoot()
            return row.map { $0 / norm }
        }
        var cosine = 0.0
        var squares = 0.0
        for i in 0..<3 {
            let (s, t) = (unit(student, i), unit(teacher, i))
            cosine += (1 - zip(s, t).map(*).reduce(0, +)) / 3
            squares += zip(s, t).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 15
        }
        let tape = Tape()
        let c = DistillationLoss(metric: .cosine)(tape.constant(student), teacher: teacher).value.scalar
        let m = DistillationLoss(metric: .mse)(tape.constant(student), teacher: teacher).value.scalar
        #expect(abs(Double(c) - cosine) < 1e-5)
        #expect(abs(Double(m) - squares) < 1e-6)
        #expect(abs(Double(m) - 2 * cosine / 5) < 1e-5)
        // A student that is a positive multiple of its teacher has loss 0 under both metrics.
        #expect(abs(DistillationLoss()(tape.constant(teacher * 3), teacher: teacher).value.scalar) < 1e-6)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var inputs: [Tensor]
        var function: @Sendable (Tape, [Variable]) -> Variable
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "CoSENT scale 20", inputs: [cosines]) { _, x in CoSENTLoss(scale: 20)(x[0], gold: gold) },
        Case(name: "CoSENT scale 1", inputs: [cosines]) { _, x in CoSENTLoss(scale: 1)(x[0], gold: gold) },
        Case(name: "cosine-MSE", inputs: [cosines]) { _, x in CosineMSELoss()(x[0], gold: gold) },
        Case(name: "pair cosines", inputs: [random([4, 6], seed: 5)]) { _, x in
            x[0].pairCosines(first: [0, 1, 2, 0], second: [3, 2, 1, 0])  // a repeated row and a self-pair
        },
        Case(name: "CoSENT of pair cosines", inputs: [random([5, 6], seed: 6)]) { _, x in
            CoSENTLoss()(x[0].pairCosines(first: [0, 1, 2, 3], second: [4, 3, 0, 1]), gold: [3.1, 0.2, 4.4, 1.9])
        },
        Case(name: "InfoNCE", inputs: [random([4, 6], seed: 7), random([4, 6], seed: 8)]) { _, x in
            InfoNCELoss(temperature: 0.2)(anchors: x[0], positives: x[1],
                                          anchorSentences: [0, 1, 2, 3], positiveSentences: [4, 5, 6, 7])
        },
        Case(name: "InfoNCE symmetric with a duplicate", inputs: [random([4, 6], seed: 9), random([4, 6], seed: 10)]) { _, x in
            InfoNCELoss(temperature: 0.2, symmetric: true)(anchors: x[0], positives: x[1],
                                                           anchorSentences: [0, 1, 2, 0], positiveSentences: [4, 5, 4, 7])
        },
        Case(name: "distill cosine", inputs: [random([4, 6], seed: 13)]) { _, x in
            DistillationLoss(metric: .cosine)(x[0], teacher: random([4, 6], seed: 14))
        },
        Case(name: "distill mse", inputs: [random([4, 6], seed: 15)]) { _, x in
            DistillationLoss(metric: .mse)(x[0], teacher: random([4, 6], seed: 16))
        },
        Case(name: "InfoNCE default temperature", inputs: [random([3, 6], seed: 11), random([3, 6], seed: 12)]) { _, x in
            InfoNCELoss()(anchors: x[0], positives: x[1], anchorSentences: [0, 1, 2], positiveSentences: [3, 4, 5])
        },
    ]

    @Test("gradients match central differences", arguments: cases)
    func gradients(_ testCase: Case) {
        let report = Self.checker.check(testCase.name, inputs: testCase.inputs, testCase.function)
        #expect(report.passed, "\(report)")
    }
}

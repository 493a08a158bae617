import Testing
import Autodiff

/// One named gradient check: inputs and the function of them.
struct GradientCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputs: [Tensor]
    let function: @Sendable (Tape, [Variable]) -> Variable

    init(_ name: String, _ inputs: [Tensor], _ function: @escaping @Sendable (Tape, [Variable]) -> Variable) {
        self.name = name
        self.inputs = inputs
        self.function = function
    }

    var testDescription: String { name }
}

private let segments = Segments(lengths: [3, 0, 1, 4])  // an empty segment, a single row
private let mask: Tensor = {
    var m = Tensor.ones([3, 5])
    m[0, 1] = 0
    m[0, 3] = 0
    for j in 0..<5 { m[2, j] = 0 }  // a fully masked row
    return m
}()

extension GradientCase {
    static let arithmetic: [GradientCase] = [
        GradientCase("add same shape", [Inputs.normal([2, 3], seed: 1), Inputs.normal([2, 3], seed: 2)]) { _, v in v[0] + v[1] },
        GradientCase("add [3,4] + [4]", [Inputs.normal([3, 4], seed: 3), Inputs.normal([4], seed: 4)]) { _, v in v[0] + v[1] },
        GradientCase("add [3,1] + [3,4]", [Inputs.normal([3, 1], seed: 5), Inputs.normal([3, 4], seed: 6)]) { _, v in v[0] + v[1] },
        GradientCase("add scalar [] + [2,3]", [Inputs.normal([], seed: 7), Inputs.normal([2, 3], seed: 8)]) { _, v in v[0] + v[1] },
        GradientCase("sub [2,3,4] − [4]", [Inputs.normal([2, 3, 4], seed: 9), Inputs.normal([4], seed: 10)]) { _, v in v[0] - v[1] },
        GradientCase("sub [2,1,4] − [3,1]", [Inputs.normal([2, 1, 4], seed: 11), Inputs.normal([3, 1], seed: 12)]) { _, v in v[0] - v[1] },
        GradientCase("mul [3,4] ⊙ [3,1]", [Inputs.normal([3, 4], seed: 13), Inputs.normal([3, 1], seed: 14)]) { _, v in v[0] * v[1] },
        GradientCase("mul reused x ⊙ x", [Inputs.normal([2, 3], seed: 15)]) { _, v in v[0] * v[0] },
        GradientCase("div [3,4] ⊘ [4]", [Inputs.normal([3, 4], seed: 16), Inputs.positive([4], seed: 17)]) { _, v in v[0] / v[1] },
        GradientCase("div [3,1] ⊘ [3,4]", [Inputs.normal([3, 1], seed: 18), Inputs.positive([3, 4], seed: 19)]) { _, v in v[0] / v[1] },
        GradientCase("scalar forms", [Inputs.normal([2, 3], seed: 20)]) { _, v in -(2 * ((v[0] * 2.5 + 1) / 3 - 0.5)) },
    ]

    static let elementwise: [GradientCase] = [
        GradientCase("exp", [Inputs.normal([2, 3], seed: 21)]) { _, v in v[0].exp() },
        GradientCase("log", [Inputs.positive([2, 3], seed: 22)]) { _, v in v[0].log() },
        GradientCase("tanh", [Inputs.normal([2, 3], seed: 23)]) { _, v in v[0].tanh() },
        GradientCase("sigmoid", [Inputs.normal([2, 3], seed: 24)]) { _, v in v[0].sigmoid() },
        GradientCase("relu", [Inputs.awayFromZero([2, 3], seed: 25)]) { _, v in v[0].relu() },
        GradientCase("gelu", [Inputs.normal([2, 3], seed: 26)]) { _, v in v[0].gelu() },
        GradientCase("sqrt", [Inputs.positive([2, 3], seed: 27)]) { _, v in v[0].sqrt() },
        GradientCase("squared", [Inputs.normal([2, 3], seed: 28)]) { _, v in v[0].squared() },
    ]

    static let matmul: [GradientCase] = [
        GradientCase("matmul A·B", [Inputs.normal([3, 4], seed: 30), Inputs.normal([4, 2], seed: 31)]) { _, v in v[0].matmul(v[1]) },
        GradientCase("matmul Aᵀ·B", [Inputs.normal([4, 3], seed: 32), Inputs.normal([4, 2], seed: 33)]) { _, v in
            v[0].matmul(v[1], transposeA: true) },
        GradientCase("matmul A·Bᵀ", [Inputs.normal([3, 4], seed: 34), Inputs.normal([2, 4], seed: 35)]) { _, v in
            v[0].matmul(v[1], transposeB: true) },
        GradientCase("matmul Aᵀ·Bᵀ", [Inputs.normal([4, 3], seed: 36), Inputs.normal([2, 4], seed: 37)]) { _, v in
            v[0].matmul(v[1], transposeA: true, transposeB: true) },
        GradientCase("batched [2,3,4]·[2,4,2]", [Inputs.normal([2, 3, 4], seed: 38), Inputs.normal([2, 4, 2], seed: 39)]) { _, v in
            v[0].matmul(v[1]) },
        GradientCase("batched [2,4,3]ᵀ·[2,2,4]ᵀ", [Inputs.normal([2, 4, 3], seed: 40), Inputs.normal([2, 2, 4], seed: 41)]) { _, v in
            v[0].matmul(v[1], transposeA: true, transposeB: true) },
        GradientCase("batched [2,3,4]·[4,2] shared B", [Inputs.normal([2, 3, 4], seed: 42), Inputs.normal([4, 2], seed: 43)]) { _, v in
            v[0].matmul(v[1]) },
        GradientCase("batched [2,3,4]·[2,4]ᵀ shared B", [Inputs.normal([2, 3, 4], seed: 44), Inputs.normal([2, 4], seed: 45)]) { _, v in
            v[0].matmul(v[1], transposeB: true) },
        GradientCase("batched [2,4,3]ᵀ·[4,2] shared B", [Inputs.normal([2, 4, 3], seed: 46), Inputs.normal([4, 2], seed: 47)]) { _, v in
            v[0].matmul(v[1], transposeA: true) },
        GradientCase("batched [3,4]·[2,4,2] shared A", [Inputs.normal([3, 4], seed: 48), Inputs.normal([2, 4, 2], seed: 49)]) { _, v in
            v[0].matmul(v[1]) },
        GradientCase("matmul reused A·Aᵀ", [Inputs.normal([3, 4], seed: 50)]) { _, v in v[0].matmul(v[0], transposeB: true) },
    ]

    static let reductions: [GradientCase] = [
        GradientCase("sum all", [Inputs.normal([2, 3], seed: 51)]) { _, v in v[0].sum() },
        GradientCase("mean all", [Inputs.normal([2, 3], seed: 52)]) { _, v in v[0].mean() },
        GradientCase("sum axis 0", [Inputs.normal([3, 4], seed: 53)]) { _, v in v[0].sum(alongAxis: 0) },
        GradientCase("sum axis 1 keeping", [Inputs.normal([2, 3, 4], seed: 54)]) { _, v in v[0].sum(alongAxis: 1, keepingDimension: true) },
        GradientCase("mean axis −1", [Inputs.normal([3, 4], seed: 55)]) { _, v in v[0].mean(alongAxis: -1) },
        GradientCase("max axis 1", [Inputs.distinct([3, 5], seed: 56)]) { _, v in v[0].max(alongAxis: 1) },
        GradientCase("max axis 0 of [4,2,3]", [Inputs.distinct([4, 2, 3], seed: 57)]) { _, v in v[0].max(alongAxis: 0) },
    ]

    static let softmax: [GradientCase] = [
        GradientCase("softmax axis −1", [Inputs.normal([3, 5], seed: 60)]) { _, v in v[0].softmax() },
        GradientCase("softmax axis 0", [Inputs.normal([3, 5], seed: 61)]) { _, v in v[0].softmax(alongAxis: 0) },
        GradientCase("softmax masked, one row fully masked", [Inputs.normal([3, 5], seed: 62)]) { _, v in v[0].softmax(mask: mask) },
        GradientCase("softmax mask [5] broadcast", [Inputs.normal([3, 5], seed: 63)]) { _, v in
            v[0].softmax(mask: Tensor([1, 0, 1, 1, 0])) },
        GradientCase("logSoftmax", [Inputs.normal([3, 5], seed: 64)]) { _, v in v[0].logSoftmax() },
        GradientCase("logSoftmax masked, one row fully masked", [Inputs.normal([3, 5], seed: 65)]) { _, v in
            v[0].logSoftmax(mask: mask) },
        GradientCase("logSumExp axis 1", [Inputs.normal([3, 5], seed: 66)]) { _, v in v[0].logSumExp(alongAxis: 1) },
        GradientCase("logSumExp axis 0 keeping", [Inputs.normal([3, 5], seed: 67)]) { _, v in
            v[0].logSumExp(alongAxis: 0, keepingDimension: true) },
        GradientCase("crossEntropy", [Inputs.normal([4, 3], seed: 68)]) { _, v in v[0].crossEntropy(targets: [0, 2, 1, 2]) },
        GradientCase("l2Normalized", [Inputs.normal([3, 4], seed: 69)]) { _, v in v[0].l2Normalized() },
        GradientCase("l2Normalized axis 0", [Inputs.normal([3, 4], seed: 70)]) { _, v in v[0].l2Normalized(alongAxis: 0) },
    ]

    static let shapes: [GradientCase] = [
        GradientCase("reshape", [Inputs.normal([2, 6], seed: 71)]) { _, v in v[0].reshaped(to: [3, -1]) * v[0].reshaped(to: [3, 4]) },
        GradientCase("transpose [2,3,4]", [Inputs.normal([2, 3, 4], seed: 72)]) { _, v in v[0].transposed() },
        GradientCase("concat axis 1", [Inputs.normal([2, 3], seed: 73), Inputs.normal([2, 2], seed: 74)]) { _, v in
            Variable.concatenated([v[0], v[1], v[0]], alongAxis: 1) },
        GradientCase("split axis 0", [Inputs.normal([5, 2], seed: 75)]) { _, v in
            let parts = v[0].split(sizes: [2, 3], alongAxis: 0)
            return parts[0].sum(alongAxis: 0) * parts[1].squared().sum(alongAxis: 0)
        },
        GradientCase("slice axis 1", [Inputs.normal([2, 5], seed: 76)]) { _, v in v[0].slice(alongAxis: 1, 1..<4) },
        GradientCase("gather rows with repeats", [Inputs.normal([4, 3], seed: 77)]) { _, v in v[0].gathering(rows: [3, 0, 3, 1]) },
        GradientCase("scatter-add rows", [Inputs.normal([4, 3], seed: 78)]) { _, v in v[0].scatteringAdd(rows: [2, 0, 2, 4], rowCount: 5) },
    ]

    static let segmentOps: [GradientCase] = [
        GradientCase("segmentSum", [Inputs.normal([8, 3], seed: 80)]) { _, v in v[0].segmentSum(segments) },
        GradientCase("segmentMean", [Inputs.normal([8, 3], seed: 81)]) { _, v in v[0].segmentMean(segments) },
        GradientCase("segmentMax", [Inputs.distinct([8, 3], seed: 82)]) { _, v in v[0].segmentMax(segments) },
        GradientCase("segmentFirst", [Inputs.normal([8, 3], seed: 83)]) { _, v in v[0].segmentFirst(segments) },
        GradientCase("segmentLast", [Inputs.normal([8, 3], seed: 84)]) { _, v in v[0].segmentLast(segments) },
        GradientCase("broadcastToRows", [Inputs.normal([4, 3], seed: 85)]) { _, v in v[0].broadcastToRows(segments) },
        GradientCase("segmentSoftmax 2 heads", [Inputs.normal([8, 2], seed: 86)]) { _, v in v[0].segmentSoftmax(segments) },
        GradientCase("segmentWeightedSum 1 head", [Inputs.normal([8, 4], seed: 87), Inputs.normal([8, 1], seed: 88)]) { _, v in
            v[0].segmentWeightedSum(segments, weights: v[1]) },
        GradientCase("segmentWeightedSum 3 heads", [Inputs.normal([8, 6], seed: 89), Inputs.normal([8, 3], seed: 90)]) { _, v in
            v[0].segmentWeightedSum(segments, weights: v[1]) },
        GradientCase("segmentWeightedSum reused values", [Inputs.normal([8, 2], seed: 91)]) { _, v in
            v[0].segmentWeightedSum(segments, weights: v[0]) },
    ]

    /// Additive attention pooling: `score_t = vᵀ tanh(W h_t + b)`, softmax within each sentence, `Σ w_t h_t`.
    static let composite: [GradientCase] = [
        GradientCase("additive attention", [
            Inputs.normal([8, 4], seed: 92), Inputs.normal([4, 3], seed: 93),
            Inputs.normal([3], seed: 94), Inputs.normal([3, 2], seed: 95),
        ]) { _, v in
            let scores = (v[0].matmul(v[1]) + v[2]).tanh().matmul(v[3])  // [T, heads]
            return v[0].segmentWeightedSum(segments, weights: scores.segmentSoftmax(segments))  // [batch, dim]
        },
        GradientCase("cosine similarity", [Inputs.normal([3, 4], seed: 96), Inputs.normal([3, 4], seed: 97)]) { _, v in
            (v[0].l2Normalized() * v[1].l2Normalized()).sum(alongAxis: 1)
        },
    ]

    static let all = arithmetic + elementwise + matmul + reductions + softmax + shapes + segmentOps + composite
}

@Suite("Gradients against central differences")
struct GradientTests {
    @Test("analytic gradient matches numeric", arguments: GradientCase.all)
    func gradient(_ testCase: GradientCase) {
        let report = GradientChecker().check(testCase.name, inputs: testCase.inputs, testCase.function)
        #expect(report.passed, "\(report)")
    }

    @Test("the checker catches a wrong pullback and names op, input and index")
    func catchesWrongPullback() {
        let report = GradientChecker().check("wrong", inputs: [Inputs.normal([2, 2], seed: 1)]) { tape, v in
            tape.record(v[0].value.squared(), inputs: [v[0]]) { dY, sink in sink.accumulate(dY, forInput: 0) }  // should be 2x·dY
        }
        #expect(!report.passed)
        #expect(report.description.contains("wrong"))
        #expect(report.description.contains("index ["))
        #expect(report.largestDifference > 0.1)
    }
}

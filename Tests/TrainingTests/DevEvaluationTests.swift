import Autodiff
import Pooling
import Testing
@testable import Training

@Suite("dev evaluation")
struct DevEvaluationTests {
    @Test("fixed halves: one worker and two give the same bits, for any block size", arguments: [HeadKind.additive, .multihead])
    func workersAgree(_ kind: HeadKind) {
        let split = SyntheticPairs.split(pairs: 60, dim: 16, seed: 5)
        let head = makeHead(HeadConfiguration(kind: kind, dim: 16, hidden: 8, heads: 4, keyDim: 8), seed: 2)
        for blockSize in [7, 1024] {
            let one = DevEvaluation.spearman(of: head, on: split, workers: 1, blockSize: blockSize)
            let two = DevEvaluation.spearman(of: head, on: split, workers: 2, blockSize: blockSize)
            #expect(one.isFinite)
            #expect(one == two, "block size \(blockSize)")
        }
    }
}

import Autodiff
import Testing
@testable import Pooling

@Suite("attention weights")
struct AttentionWeightsTests {
    static let kinds: [HeadConfiguration] = [
        HeadConfiguration(kind: .additive, dim: 6, hidden: 4),
        HeadConfiguration(kind: .multihead, dim: 6, heads: 2, keyDim: 3),
    ]

    @Test("each head's weights sum to 1 within every sentence; a fresh head weights uniformly",
          arguments: kinds)
    func weights(_ configuration: HeadConfiguration) {
        let rows = Fixture.rows(Fixture.segments, dim: configuration.dim)
        let heads = configuration.kind == .additive ? 1 : configuration.heads
        let trained = Fixture.perturbedHead(configuration).attentionWeights(rows, segments: Fixture.segments)
        #expect(trained.shape == [Fixture.segments.rowCount, heads])
        let fresh = makeHead(configuration, seed: 1).attentionWeights(rows, segments: Fixture.segments)
        for s in 0..<Fixture.segments.count {
            let range = Fixture.segments.rows(s)
            for k in 0..<heads {
                let column = range.map { trained.scalars[$0 * heads + k] }
                #expect(abs(column.reduce(0, +) - 1) < 1e-5)
                for t in range {
                    #expect(abs(fresh.scalars[t * heads + k] - 1 / Float(range.count)) < 1e-6)
                }
            }
        }
    }

    @Test("pooling with the weights reproduces the head's output", arguments: kinds)
    func consistentWithPooled(_ configuration: HeadConfiguration) {
        let head = Fixture.perturbedHead(configuration)
        let rows = Fixture.rows(Fixture.segments, dim: configuration.dim)
        let weights = head.attentionWeights(rows, segments: Fixture.segments)
        let manual = rows.segmentWeightedSum(Fixture.segments, weights: weights)
        #expect(Fixture.maxDifference(manual, head.pooled(rows, segments: Fixture.segments)) < 1e-5)
    }
}

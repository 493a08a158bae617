import Autodiff
import Pooling
import Testing
@testable import Training

@Suite("sharded step")
struct ShardedStepTests {
    static let split = SyntheticPairs.split(pairs: 40, dim: 16, seed: 9)

    @Test("two threads give the same bits as one, and the gradients of a single tape", arguments: [HeadKind.additive, .multihead])
    func shardsAgree(_ kind: HeadKind) {
        var head = makeHead(HeadConfiguration(kind: kind, dim: 16, hidden: 8, heads: 4, keyDim: 8, projection: true), seed: 3)
        var generator = Xoshiro256StarStar(seed: 4)
        // Non-zero score paths, so the attention is not uniform.
        head.parameters = head.parameters.mapValues { $0 + Tensor.randomNormal($0.shape, standardDeviation: 0.1, using: &generator) }
        let batch = PairBatch(Array(0..<40)[...], of: Self.split)
        let objective = TrainingObjective(Fixture.configuration(), scoreRange: 0...5)
        let one = ShardedStep(workers: 1).lossAndGradients(head: head, split: Self.split, batch: batch, objective: objective)
        let two = ShardedStep(workers: 2).lossAndGradients(head: head, split: Self.split, batch: batch, objective: objective)
        #expect(one.loss == two.loss)
        #expect(one.gradients == two.gradients)

        let tape = Tape()
        let variables = head.parameterVariables(on: tape)
        let (rows, segments) = Self.split.packedRows(of: batch.sentences)
        let loss = objective.loss(head.forward(tape.constant(rows), segments: segments, parameters: variables).embeddings, batch).total
        tape.backward(loss)
        #expect(abs(loss.value.scalar - one.loss) < 1e-4)
        for (name, variable) in variables {
            let reference = tape.gradient(of: variable)
            let sharded = one.gradients?[name] ?? Tensor.zeros(reference.shape)
            let worst = zip(reference.scalars, sharded.scalars).map { abs($0 - $1) }.max() ?? 0
            let scale = reference.scalars.map(abs).max() ?? 0
            #expect(worst <= 1e-4 * max(1, scale), "\(name): largest difference \(worst)")
        }
    }

    @Test("shards split the batch by token count into contiguous, non-empty ranges")
    func partition() {
        let ranges = ShardedStep.partition(Array(0..<10), Self.split)
        #expect(ranges.count == 2)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 10 && ranges[0].upperBound == ranges[1].lowerBound)
        #expect(ranges.allSatisfy { !$0.isEmpty })
        #expect(ShardedStep.partition([3], Self.split) == [0..<1])
    }
}

import Autodiff
import Testing
@testable import Pooling

@Suite("learned attention heads")
struct AttentionHeadTests {
    static let names = Fixture.configurations.keys.sorted()

    static func configuration(_ name: String) -> HeadConfiguration {
        guard let configuration = Fixture.configurations[name] else { preconditionFailure("no configuration \(name)") }
        return configuration
    }

    @Test("a fresh head is exactly mean pooling", arguments: names)
    func startsAsMean(name: String) {
        var configuration = Self.configuration(name)
        configuration.normalize = false
        let head = makeHead(configuration, seed: 42)
        let rows = Fixture.rows(Fixture.segments, dim: configuration.dim)
        let mean = rows.segmentMean(Fixture.segments)
        #expect(Fixture.maxDifference(head.pooled(rows, segments: Fixture.segments), mean) <= 1e-6)
        let tape = Tape()
        let trained = head.forward(tape.constant(rows), segments: Fixture.segments, parameters: head.parameterVariables(on: tape)).embeddings
        #expect(Fixture.maxDifference(trained.value, mean) <= 1e-6)
    }

    @Test("training forward (tape) equals inference forward", arguments: names)
    func tapeEqualsInference(name: String) {
        let configuration = Self.configuration(name)
        let head = Fixture.perturbedHead(configuration)
        let segments = Segments(lengths: [1, 7, 2, 4, 1])
        let rows = Fixture.rows(segments, dim: configuration.dim, seed: 5)
        let tape = Tape()
        let trained = head.forward(tape.parameter(rows), segments: segments, parameters: head.parameterVariables(on: tape)).embeddings
        let inferred = head.pooled(rows, segments: segments)
        #expect(inferred.shape == [segments.count, configuration.dim])
        #expect(Fixture.maxDifference(trained.value, inferred) <= 1e-5)
        // Not mean pooling any more.
        #expect(Fixture.maxDifference(inferred, rows.segmentMean(segments)) > 1e-3 || configuration.normalize)
    }

    @Test("gradients of parameters and inputs match central differences", arguments: names)
    func gradientCheck(name: String) {
        let configuration = Self.configuration(name)
        let head = Fixture.perturbedHead(configuration)
        let rows = Fixture.rows(Fixture.segments, dim: configuration.dim, seed: 9)
        let parameterNames = head.parameters.keys.sorted()
        let inputs = [rows] + parameterNames.compactMap { head.parameters[$0] }
        let report = GradientChecker().check("\(name) head", inputs: inputs) { _, variables in
            let parameters = Dictionary(uniqueKeysWithValues: zip(parameterNames, variables.dropFirst()))
            return head.forward(variables[0], segments: Fixture.segments, parameters: parameters).embeddings
        }
        #expect(report.passed, "\(report)")
    }

    @Test("multihead rms scores do not depend on a row's norm; raw scores do (a huge row takes the head)")
    func scoreNormalizationIsScaleInvariant() {
        let segments = Segments(lengths: [5, 3])
        var scalars = Fixture.rows(segments, dim: 6, seed: 11).scalars
        let weights = { (configuration: HeadConfiguration, scalars: [Float]) -> Tensor in
            Fixture.perturbedHead(configuration).attentionWeights(Tensor(shape: [8, 6], scalars: scalars), segments: segments)
        }
        let rms = HeadConfiguration(kind: .multihead, dim: 6, heads: 2, keyDim: 3)
        let raw = HeadConfiguration(kind: .multihead, dim: 6, heads: 2, keyDim: 3, scoreNormalization: .none)
        let before = (weights(rms, scalars), weights(raw, scalars))
        for j in 0..<6 { scalars[j] *= 1000 }  // sentence 0's first row: an attention sink's size
        let after = (weights(rms, scalars), weights(raw, scalars))
        #expect(Fixture.maxDifference(before.0, after.0) <= 1e-5)
        #expect(Fixture.maxDifference(before.1, after.1) > 0.1)
    }

    @Test("a batch of one-token sentences: weights are 1, output is the rows")
    func oneTokenSentences() {
        for name in Self.names {
            var configuration = Self.configuration(name)
            configuration.projection = false
            configuration.normalize = false
            let head = Fixture.perturbedHead(configuration)
            let segments = Segments(lengths: [1, 1, 1])
            let rows = Fixture.rows(segments, dim: configuration.dim)
            #expect(Fixture.maxDifference(head.pooled(rows, segments: segments), rows) <= 1e-6, "\(name)")
        }
    }

    @Test("weight-decay exclusions and parameter shapes follow the configuration")
    func parameterNames() {
        let additive = makeHead(HeadConfiguration(kind: .additive, dim: 8, hidden: 3, projection: true), seed: 1)
        #expect(additive.parameters.mapValues(\.shape) == ["attention.weight": [3, 8], "attention.bias": [3], "attention.v": [3],
                                                          "projection.weight": [8, 8], "projection.bias": [8]])
        #expect(additive.parametersWithoutDecay == ["attention.bias", "attention.v", "projection.bias"])
        let multihead = makeHead(HeadConfiguration(kind: .multihead, dim: 8, heads: 2, keyDim: 5), seed: 1)
        #expect(multihead.parameters.mapValues(\.shape) == ["keys.weight": [5, 8], "queries": [2, 5]])
        #expect(multihead.parametersWithoutDecay == ["queries"])
        // Seeded: same seed, same weights; other seed, other weights.
        #expect(makeHead(multihead.configuration, seed: 1).parameters == multihead.parameters)
        #expect(makeHead(multihead.configuration, seed: 2).parameters != multihead.parameters)
    }
}

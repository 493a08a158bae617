import Autodiff
import Foundation
import Testing
@testable import Pooling

/// The output projection both heads share (`--projection`): `y = x Pᵀ + c`, P initialised to I.
@Suite("output projection")
struct ProjectionTests {
    static let configurations: [String: HeadConfiguration] = [
        "additive+projection": HeadConfiguration(kind: .additive, dim: 6, hidden: 4, projection: true),
        "multihead+projection": HeadConfiguration(kind: .multihead, dim: 6, heads: 2, keyDim: 3, projection: true),
    ]
    static let names = configurations.keys.sorted()

    static func configuration(_ name: String) -> HeadConfiguration {
        guard let configuration = configurations[name] else { preconditionFailure("no configuration \(name)") }
        return configuration
    }

    static func identity(_ dim: Int) -> Tensor {
        var identity = Tensor.zeros([dim, dim])
        for i in 0..<dim { identity[i, i] = 1 }
        return identity
    }

    @Test("initialised to exactly the identity and a zero bias, whatever the seed", arguments: names)
    func identityAtInitialisation(name: String) throws {
        let configuration = Self.configuration(name)
        for seed: UInt64 in [0, 1, 42] {
            let head = makeHead(configuration, seed: seed)
            #expect(head.parameters["projection.weight"] == Self.identity(configuration.dim))
            #expect(head.parameters["projection.bias"] == Tensor.zeros([configuration.dim]))
            // So the fresh head is still mean pooling, bit for bit up to rounding.
            let rows = Fixture.rows(Fixture.segments, dim: configuration.dim, seed: seed &+ 1)
            #expect(Fixture.maxDifference(head.pooled(rows, segments: Fixture.segments),
                                          rows.segmentMean(Fixture.segments)) <= 1e-6)
        }
        var without = configuration
        without.projection = false
        #expect(makeHead(without, seed: 0).parameters.keys.allSatisfy { !$0.hasPrefix("projection.") })
    }

    @Test("applies y = x Pᵀ + c after the attention pooling", arguments: names)
    func formula(name: String) throws {
        let configuration = Self.configuration(name)
        let head = Fixture.perturbedHead(configuration)
        var attentionOnly = configuration
        attentionOnly.projection = false
        var pooling = makeHead(attentionOnly, seed: 0)
        for key in pooling.parameters.keys { pooling.parameters[key] = head.parameters[key] }
        let weight = try #require(head.parameters["projection.weight"])  // [dim, dim]
        let bias = try #require(head.parameters["projection.bias"])      // [dim]
        let rows = Fixture.rows(Fixture.segments, dim: configuration.dim, seed: 4)
        let x = pooling.pooled(rows, segments: Fixture.segments)         // [batch, dim]
        var expected = Tensor.zeros(x.shape)
        for b in 0..<x.shape[0] {
            for i in 0..<configuration.dim {
                var sum = bias[i]
                for j in 0..<configuration.dim { sum += x[b, j] * weight[i, j] }
                expected[b, i] = sum
            }
        }
        #expect(Fixture.maxDifference(head.pooled(rows, segments: Fixture.segments), expected) <= 1e-5)
    }

    @Test("gradients of P, c, the attention parameters and the inputs match central differences", arguments: names)
    func gradientCheck(name: String) {
        let configuration = Self.configuration(name)
        let head = Fixture.perturbedHead(configuration, seed: 8)
        let rows = Fixture.rows(Fixture.segments, dim: configuration.dim, seed: 12)
        let parameterNames = head.parameters.keys.sorted()
        #expect(parameterNames.contains("projection.weight") && parameterNames.contains("projection.bias"))
        let inputs = [rows] + parameterNames.compactMap { head.parameters[$0] }
        let report = GradientChecker().check("\(name) (no normalisation)", inputs: inputs) { _, variables in
            let parameters = Dictionary(uniqueKeysWithValues: zip(parameterNames, variables.dropFirst()))
            return head.forward(variables[0], segments: Fixture.segments, parameters: parameters).embeddings
        }
        #expect(report.passed, "\(report)")
    }

    @Test("exported as projection.weight [dim, dim] and projection.bias [dim], loaded back exactly", arguments: names)
    func exportAndLoad(name: String) throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = Self.configuration(name)
        let head = Fixture.perturbedHead(configuration)
        try HeadExport.write(head, to: folder)
        let weights = try SafeTensors.read(folder.appendingPathComponent("model.safetensors"))
        #expect(weights.tensors["projection.weight"]?.shape == [configuration.dim, configuration.dim])
        #expect(weights.tensors["projection.bias"]?.shape == [configuration.dim])
        let loaded = try HeadExport.load(from: folder)
        #expect(loaded.configuration.projection)
        #expect(loaded.parameters["projection.weight"] == head.parameters["projection.weight"])
        let rows = Fixture.rows(Fixture.segments, dim: configuration.dim)
        #expect(loaded.pooled(rows, segments: Fixture.segments) == head.pooled(rows, segments: Fixture.segments))
    }

    @Test("a configuration with projection refuses weights without it or of the wrong shape")
    func loadErrors() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let head = Fixture.perturbedHead(HeadConfiguration(kind: .additive, dim: 4, hidden: 3, projection: true))
        try HeadExport.write(head, to: folder)
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        var contents = HeadExport.weights(head)

        contents.tensors["projection.bias"] = nil
        try SafeTensors.write(contents, to: weightsURL)
        #expect(throws: PoolingError.missingTensor(path: weightsURL.path, name: "projection.bias", expectedShape: [4])) {
            try HeadExport.load(from: folder)
        }

        contents.tensors["projection.bias"] = .init(shape: [4], values: [0, 0, 0, 0])
        contents.tensors["projection.weight"] = .init(shape: [4, 3], values: [Float](repeating: 0, count: 12))
        try SafeTensors.write(contents, to: weightsURL)
        #expect(throws: PoolingError.wrongShape(path: weightsURL.path, name: "projection.weight", expected: [4, 4],
                                                actual: [4, 3])) {
            try HeadExport.load(from: folder)
        }
    }
}

import Autodiff
import Foundation
@testable import Pooling

/// Seeded packed rows and small helpers shared by the pooling tests.
enum Fixture {
    /// Uneven lengths including a one-token sentence.
    static let segments = Segments(lengths: [1, 3, 5, 2])

    static func rows(_ segments: Segments, dim: Int, seed: UInt64 = 11) -> Tensor {
        var generator = Xoshiro256StarStar(seed: seed)
        return Tensor.randomNormal([segments.rowCount, dim], using: &generator)
    }

    /// A head whose score path is non-zero (so it is not mean pooling) and whose projection is
    /// not the identity.
    static func perturbedHead(_ configuration: HeadConfiguration, seed: UInt64 = 3) -> any PoolingHead {
        var head = makeHead(configuration, seed: seed)
        var generator = Xoshiro256StarStar(seed: seed &+ 100)
        for name in head.parameters.keys.sorted() {
            guard let value = head.parameters[name] else { continue }
            head.parameters[name] = value + Tensor.randomNormal(value.shape, standardDeviation: 0.5, using: &generator)
        }
        return head
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("pooling-tests-\(UUID().uuidString)")
    }

    /// Named configurations covering both kinds with and without projection / normalisation.
    static let configurations: [String: HeadConfiguration] = [
        "additive": HeadConfiguration(kind: .additive, dim: 6, hidden: 4),
        "additive+projection+normalize": HeadConfiguration(kind: .additive, dim: 6, hidden: 4, projection: true, normalize: true),
        "multihead": HeadConfiguration(kind: .multihead, dim: 6, heads: 2, keyDim: 3),
        "multihead+projection+normalize": HeadConfiguration(kind: .multihead, dim: 6, heads: 3, keyDim: 4,
                                                            projection: true, normalize: true),
        "multihead 1 head": HeadConfiguration(kind: .multihead, dim: 6, heads: 1, keyDim: 2),
        "multihead raw scores": HeadConfiguration(kind: .multihead, dim: 6, heads: 2, keyDim: 3, scoreNormalization: .none),
    ]
}

import Autodiff
import Testing
@testable import Pooling

@Suite("fixed pooling strategies")
struct FixedPoolingTests {
    // Two sentences, dim 2: lengths 3 and 1.
    static let rows = Tensor([[1, 2], [3, -4], [5, 0], [7, 8]])
    static let segments = Segments(lengths: [3, 1])

    static func expectClose(_ a: Tensor, _ b: [[Float]], tolerance: Float = 1e-6) {
        #expect(a.shape == [b.count, b.first?.count ?? 0])
        #expect(Fixture.maxDifference(a, Tensor(b)) <= tolerance, "\(a) vs \(b)")
    }

    @Test("each strategy against a hand computation")
    func handComputed() {
        func pooled(_ s: PoolingStrategy, special: SpecialTokenPositions = .none) -> Tensor {
            s.pooled(Self.rows, segments: Self.segments, specialTokens: special)
        }
        Self.expectClose(pooled(.cls), [[1, 2], [7, 8]])
        Self.expectClose(pooled(.last), [[5, 0], [7, 8]])
        Self.expectClose(pooled(.mean), [[3, -2.0 / 3], [7, 8]])
        Self.expectClose(pooled(.max), [[5, 2], [7, 8]])
        Self.expectClose(pooled(.meanSqrtLen), [[9 / Float(3).squareRoot(), -2 / Float(3).squareRoot()], [7, 8]])
        // weights 1/6, 2/6, 3/6
        Self.expectClose(pooled(.weightedMean), [[(1 + 6 + 15) / Float(6), (2 - 8 + 0) / Float(6)], [7, 8]])
        // [CLS] first, [SEP] last: sentence 0 keeps row 1 only; sentence 1 (one token) keeps itself.
        Self.expectClose(pooled(.meanNoSpecial, special: .clsFirstSepLast), [[3, -4], [7, 8]])
        Self.expectClose(pooled(.maxNoSpecial, special: SpecialTokenPositions(first: true, last: false)), [[5, 0], [7, 8]])
    }

    @Test("concatenation and L2 normalisation")
    func concatenation() throws {
        let pooling = try FixedPooling(parsing: "mean+max", normalize: true)
        let y = pooling.pooled(Self.rows, segments: Self.segments)
        #expect(y.shape == [2, 4])
        #expect(pooling.outputDim(inputDim: 2) == 4)
        let raw: [Float] = [3, -2.0 / 3, 5, 2]
        let norm = raw.map { $0 * $0 }.reduce(0, +).squareRoot()
        Self.expectClose(y.slice(alongAxis: 0, 0..<1), [raw.map { $0 / norm }])
        #expect(pooling.name == "mean+max")
    }

    @Test("padded input, left or right padding, equals packed input", arguments: ["left", "right"])
    func padded(side: String) throws {
        let dim = 3
        let segments = Segments(lengths: [2, 4, 1])
        let rows = Fixture.rows(segments, dim: dim)
        let tokens = 4
        var padded = Tensor(repeating: 99, shape: [3, tokens, dim])  // padding rows hold garbage
        var mask = Tensor.zeros([3, tokens])
        for b in 0..<3 {
            let length = segments.rows(b).count
            let start = side == "left" ? tokens - length : 0
            for (i, t) in segments.rows(b).enumerated() {
                mask[b, start + i] = 1
                for j in 0..<dim { padded[b, start + i, j] = rows[t, j] }
            }
        }
        for strategy in PoolingStrategy.allCases {
            let pooling = try FixedPooling([strategy], specialTokens: .clsFirstSepLast)
            #expect(Fixture.maxDifference(pooling.pooled(padded: padded, mask: mask),
                                          pooling.pooled(rows, segments: segments)) == 0, "\(strategy)")
        }
        let head = Fixture.perturbedHead(HeadConfiguration(kind: .additive, dim: dim, hidden: 2))
        #expect(Fixture.maxDifference(head.pooled(padded: padded, mask: mask), head.pooled(rows, segments: segments)) <= 1e-6)
    }

    @Test("parsing errors name the problem and list valid strategies")
    func parsingErrors() {
        #expect(throws: PoolingError.unknownStrategy(name: "avg", valid: PoolingStrategy.allCases.map(\.rawValue))) {
            try FixedPooling(parsing: "mean+avg")
        }
        #expect(throws: PoolingError.emptyStrategy(text: "mean+")) { try FixedPooling(parsing: "mean+") }
        #expect(throws: PoolingError.specialTokensUnknown(strategy: "mean-nospecial")) {
            try FixedPooling(parsing: "mean-nospecial")
        }
        let description = PoolingError.unknownStrategy(name: "avg", valid: PoolingStrategy.allCases.map(\.rawValue)).description
        #expect(description.contains("weighted-mean") && description.contains("avg"))
    }

    @Test("special-token attribute parsing")
    func specialTokens() throws {
        #expect(try SpecialTokenPositions(parsing: "cls_first,sep_last") == .clsFirstSepLast)
        #expect(try SpecialTokenPositions(parsing: " bos_first ") == SpecialTokenPositions(first: true, last: false))
        #expect(try SpecialTokenPositions(parsing: "none").isEmpty)
        #expect(throws: PoolingError.self) { try SpecialTokenPositions(parsing: "cls_first,middle") }
        #expect(SpecialTokenPositions.clsFirstSepLast.contentRows(length: 5) == 1..<4)
        #expect(SpecialTokenPositions.clsFirstSepLast.contentRows(length: 2) == 0..<2)
    }
}

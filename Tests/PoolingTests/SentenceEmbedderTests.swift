import Autodiff
import Foundation
import Testing
@testable import Pooling

@Suite("SentenceEmbedder (app API)")
struct SentenceEmbedderTests {
    @Test("one sentence and a batch give the packed pooling's rows")
    func singleAndBatch() throws {
        let folder = Fixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let head = Fixture.perturbedHead(HeadConfiguration(kind: .multihead, dim: 6, heads: 2, keyDim: 3, normalize: true))
        try HeadExport.write(head, to: folder)
        let embedder = try SentenceEmbedder(contentsOf: folder)
        let segments = Segments(lengths: [3, 1, 4])
        let rows = Fixture.rows(segments, dim: 6)
        let expected = head.pooled(rows, segments: segments)
        let sentences = (0..<3).map { b in
            (hidden: Array(rows.scalars[(segments.offsets[b] * 6)..<(segments.offsets[b + 1] * 6)]), tokens: segments.rows(b).count)
        }
        let batch = try embedder.embeddings(of: sentences)
        for b in 0..<3 {
            let single = try embedder.embedding(of: sentences[b].hidden, tokens: sentences[b].tokens)
            let row = Array(expected.scalars[(b * 6)..<((b + 1) * 6)])
            #expect(zip(single, row).allSatisfy { abs($0 - $1) <= 1e-6 })
            #expect(zip(batch[b], row).allSatisfy { abs($0 - $1) <= 1e-6 })
        }
        #expect(embedder.inputDim == 6)
    }

    @Test("wrong dimension and wrong length are typed errors")
    func errors() throws {
        let embedder = SentenceEmbedder(head: makeHead(HeadConfiguration(kind: .additive, dim: 4, hidden: 2), seed: 1))
        #expect(throws: PoolingError.dimensionMismatch(source: "input", expected: 4, actual: 3)) {
            try embedder.embedding(of: [Float](repeating: 1, count: 6), tokens: 2)
        }
        #expect(throws: PoolingError.badInputLength(tokens: 2, dim: 4, count: 7)) {
            try embedder.embeddings(of: [([Float](repeating: 1, count: 8), 2), ([Float](repeating: 1, count: 7), 2)])
        }
        let mean = try SentenceEmbedder(pooling: FixedPooling(parsing: "mean+cls"))
        #expect(try mean.embedding(of: [1, 2, 3, 4], tokens: 2) == [2, 3, 1, 2])
    }
}

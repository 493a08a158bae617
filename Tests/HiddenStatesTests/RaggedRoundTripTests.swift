import Foundation
import HiddenStates
import Testing

@Suite("ragged layout: write, then read back")
struct RaggedRoundTripTests {
    @Test("float16 and float32 round trip exactly, with texts, pairs, scores and attributes",
          arguments: [StorageType.float16, .float32])
    func roundTrip(storage: StorageType) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ragged.h5")
        let batch = Fixtures.batch(count: 37, dim: 8)
        try Fixtures.writeRagged(batch, to: path, options: .init(storage: storage, chunkRows: 16))
        let file = try HiddenStatesFile(path: path)
        let meta = file.metadata
        #expect(meta.layout == .ragged)
        #expect(meta.sentences == 37)
        #expect(meta.tokens == batch.tokenCount)
        #expect(meta.dim == 8)
        #expect(meta.dtype == (storage == .float16 ? .float16 : .float32))
        #expect(meta.storage.chunk == [16, 8])
        #expect(meta.storage.filters == [.shuffle, .gzip(level: 4)])
        #expect(meta.pairs == 2)
        #expect(meta.hasScores)
        #expect(meta.specialTokens?.items == ["cls_first", "sep_last"])
        #expect(meta.specialTokens?.firstIsSpecial == true)
        #expect(meta.attributes["model"] == .string("test-model"))
        #expect(meta.attributes["max_length"] == .int(128))
        #expect(meta.attributes["hidden_size"] == .int(8))
        #expect(file.offsets == batch.offsets)
        #expect(try file.readAll() == batch)
        #expect(try file.pairs() == [SentencePair(0, 1), SentencePair(1, 2)])
        #expect(try file.scores() == [4.5, 1.25])
        #expect(try file.sentenceTexts() == Fixtures.texts(37))
    }

    @Test("a batch in any order (with repeats) packs exactly those sentences in that order")
    func randomAccess() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ragged.h5")
        let batch = Fixtures.batch(count: 50, dim: 4)
        try Fixtures.writeRagged(batch, to: path, options: .init(chunkRows: 8))
        let file = try HiddenStatesFile(path: path)
        let wanted = [7, 3, 4, 5, 49, 0, 7]
        let read = try file.read(sentences: wanted)
        #expect(read.sentences == wanted)
        #expect(read.count == wanted.count)
        for (k, sentence) in wanted.enumerated() {
            #expect(read.length(of: k) == batch.length(of: sentence))
            #expect(Array(read.tokens(of: k)) == Array(batch.tokens(of: sentence)))
        }
        #expect(try file.read(sentences: []).tokenCount == 0)
    }

    @Test("streaming batches cover every sentence once, in the given order")
    func streaming() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ragged.h5")
        let batch = Fixtures.batch(count: 41, dim: 3)
        try Fixtures.writeRagged(batch, to: path, options: .init(chunkRows: 8))
        let file = try HiddenStatesFile(path: path, options: .init(chunkCacheBytes: 1 << 10))
        var generator = SeededGenerator(seed: 7)
        let order = file.localityShuffledOrder(using: &generator, window: 10)
        #expect(order.sorted() == Array(0..<41))
        var batches = file.batches(size: 8, order: order)
        #expect(batches.count == 6)
        var seen: [Int] = []
        while let next = try batches.next() {
            #expect(next.count <= 8)
            for k in 0..<next.count {
                #expect(Array(next.tokens(of: k)) == Array(batch.tokens(of: next.sentences[k])))
            }
            seen += next.sentences
        }
        #expect(seen == order)
    }

    @Test("a file with only sentences: no pairs, no scores, no texts")
    func sentencesOnly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("only.h5")
        let batch = Fixtures.batch(count: 5, dim: 2)
        try Fixtures.writeRagged(batch, to: path, pairs: nil, scores: nil, texts: false)
        let file = try HiddenStatesFile(path: path)
        #expect(file.metadata.pairs == nil)
        #expect(!file.metadata.hasScores)
        #expect(!file.metadata.hasSentenceTexts)
        #expect(try file.readAll() == batch)
        expectHiddenStatesError([path, "/pairs"], { _ = try file.pairs() }) {
            if case .missingDataset(_, "/pairs", _) = $0 { return true } else { return false }
        }
        #expect(file.validate().isValid)
    }

    @Test("contiguous float64 tokens and int32 offsets written by h5py-like tools are read too")
    func contiguousFloat64() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("f64.h5")
        try Fixtures.writeRaw(to: path, tokensType: .float64, offsetsType: .int32)
        let file = try HiddenStatesFile(path: path)
        #expect(file.metadata.dtype == .float64)
        #expect(file.metadata.storage.chunk == nil)
        #expect(file.metadata.storage.description == "contiguous, uncompressed")
        #expect(file.metadata.specialTokens == nil)
        let all = try file.readAll()
        #expect(all.tokens == (0..<12).map { Float($0) / 8 })
        #expect(all.offsets == [0, 2, 6])
    }

    @Test("token ids are written and read back per row")
    func inputIDs() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ids.h5")
        let writer = try RaggedWriter(path: path, dim: 2, options: .init(storage: .float32, chunkRows: 2))
        try writer.append(sentence: [1, 2, 3, 4], text: "a b", inputIDs: [101, 102])
        try writer.append(sentence: [5, 6], text: "c", inputIDs: [7])
        try writer.finish()
        let file = try HiddenStatesFile(path: path)
        #expect(file.metadata.hasInputIDs)
        #expect(try file.inputIDs() == [101, 102, 7])
        #expect(try file.sentenceTexts() == ["a b", "c"])
        #expect(try file.readAll().tokens == [1, 2, 3, 4, 5, 6])
    }

    @Test("writing is atomic: no temporary file remains, a cancelled writer leaves nothing")
    func atomicWrite() throws {
        let directory = try TemporaryDirectory()
        try Fixtures.writeRagged(Fixtures.batch(count: 3, dim: 2), to: directory.path("done.h5"))
        let cancelled = try RaggedWriter(path: directory.path("cancelled.h5"), dim: 2)
        try cancelled.append(sentence: [1, 2])
        cancelled.cancel()
        do {
            let dropped = try RaggedWriter(path: directory.path("dropped.h5"), dim: 2)
            try dropped.append(sentence: [1, 2])
        }
        #expect(try directory.contents() == ["done.h5"])
    }

    @Test("a writer into a missing directory fails with the path and a hint")
    func missingDirectory() {
        let path = "/nonexistent-dir-\(UUID().uuidString)/out.h5"
        expectHiddenStatesError([path, "does not exist"], { _ = try RaggedWriter(path: path, dim: 2) }) {
            if case .writeFailed = $0 { return true } else { return false }
        }
    }

    @Test("a Fletcher-32 protected file reads back and reports its checksum")
    func fletcher32() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("checked.h5")
        let batch = Fixtures.batch(count: 9, dim: 4)
        try Fixtures.writeRagged(batch, to: path, options: .init(chunkRows: 4, fletcher32: true))
        let file = try HiddenStatesFile(path: path)
        #expect(file.metadata.storage.isChecksummed)
        #expect(try file.readAll() == batch)
    }
}

@Suite("padded layout")
struct PaddedLayoutTests {
    @Test("left- and right-padded files read as the same packed rows",
          arguments: [PaddingSide.right, .left])
    func padded(side: PaddingSide) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("padded.h5")
        let batch = Fixtures.batch(count: 23, dim: 5, maxLength: 7)
        try PaddedWriter.write(batch, to: path, length: 9, side: side, padValue: .nan, chunkSentences: 4,
                               attributes: ["special_tokens": .string("cls_first")])
        let file = try HiddenStatesFile(path: path)
        #expect(file.metadata.layout == .padded)
        #expect(file.metadata.paddingSide == side)
        #expect(file.metadata.paddedLength == 9)
        #expect(file.metadata.sentences == 23)
        #expect(file.metadata.tokens == batch.tokenCount)
        #expect(file.metadata.specialTokens?.lastIsSpecial == false)
        // NaN padding is never read: only real rows are packed.
        #expect(try file.readAll() == batch)
        let picked = try file.read(sentences: [22, 3, 4])
        #expect(Array(picked.tokens(of: 0)) == Array(batch.tokens(of: 22)))
        #expect(Array(picked.tokens(of: 2)) == Array(batch.tokens(of: 4)))
        #expect(file.validate().isValid)
    }

    @Test("uint8 masks and float16 states are accepted")
    func maskTypes() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("padded.h5")
        let batch = Fixtures.batch(count: 6, dim: 3)
        try PaddedWriter.write(batch, to: path, side: .right, storage: .float16, maskType: .uint8)
        let file = try HiddenStatesFile(path: path)
        #expect(file.metadata.dtype == .float16)
        #expect(try file.readAll() == batch)
    }
}

@Suite("embeddings writer")
struct EmbeddingsWriterTests {
    @Test("blocks are appended into /embeddings [N, D] with their texts, atomically")
    func embeddings() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("embeddings.h5")
        let writer = try EmbeddingsWriter(path: path, dim: 3, chunkRows: 2, attributes: ["pooling": .string("mean")])
        try writer.append([1, 2, 3, 4, 5, 6], texts: ["a", "b"])
        try writer.append([7, 8, 9], texts: ["c"])
        #expect(writer.rowCount == 3)
        #expect(!FileManager.default.fileExists(atPath: path))
        try writer.finish()
        #expect(try directory.contents() == ["embeddings.h5"])
        // Read back with the low-level reader the hidden-states file uses.
        let reader = try HDF5Reader(path: path)
        #expect(try reader.shape("/embeddings") == [3, 3])
        #expect(try reader.floats("/embeddings") == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(try reader.strings("/sentences") == ["a", "b", "c"])
        #expect(try reader.attribute("pooling") == .string("mean"))
    }
}

@Suite("token length statistics")
struct TokenLengthStatisticsTests {
    @Test("min, mean, max and equal-width bins")
    func statistics() {
        let statistics = TokenLengthStatistics(offsets: [0, 5, 7, 17, 20], bins: 4)
        #expect(statistics.minimum == 2)
        #expect(statistics.maximum == 10)
        #expect(statistics.mean == 5)
        #expect(statistics.histogram.map(\.count).reduce(0, +) == 4)
        #expect(statistics.histogram.first?.lengths == 2...4)
        #expect(statistics.histogram.last?.lengths.upperBound == 10)
    }

    @Test("special tokens are parsed from the attribute text")
    func specialTokens() {
        let tokens = SpecialTokens(parsing: " cls_first, sep_last ,")
        #expect(tokens.items == ["cls_first", "sep_last"])
        #expect(tokens.contentRows(length: 5) == 1..<4)
        #expect(tokens.contentRows(length: 2) == 1..<1)
        #expect(SpecialTokens(parsing: "").description == "none")
    }
}

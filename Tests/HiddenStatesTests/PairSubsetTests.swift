import Foundation
import HiddenStates
import Testing

@Suite("pair subsets")
struct PairSubsetTests {
    @Test("a subset keeps the chosen pairs, their scores and just their sentences, renumbered")
    func subset() throws {
        let directory = try TemporaryDirectory()
        let batch = Fixtures.batch(count: 6, dim: 4)
        let pairs = [SentencePair(0, 1), SentencePair(2, 3), SentencePair(4, 5), SentencePair(5, 2)]
        try Fixtures.writeRagged(batch, to: directory.path("full.h5"), pairs: pairs, scores: [1, 2, 3, 4])
        let source = try HiddenStatesFile(path: directory.path("full.h5"))

        let summary = try PairSubset.write(
            from: source, pairs: [1, 3], to: directory.path("part.h5"), attributes: ["subset_of": .string("full.h5")])
        #expect(summary.pairs == 2 && summary.sentences == 3)

        let part = try HiddenStatesFile(path: directory.path("part.h5"))
        // Sentences 2, 3, 5 of the source become 0, 1, 2.
        #expect(try part.pairs() == [SentencePair(0, 1), SentencePair(2, 0)])
        #expect(try part.scores() == [2, 4])
        #expect(try part.sentenceTexts() == [2, 3, 5].map { Fixtures.texts(6)[$0] })
        #expect(try part.readAll().tokens == (try source.read(sentences: [2, 3, 5])).tokens)
        #expect(part.metadata.attributes["subset_of"] == .string("full.h5"))
        #expect(part.metadata.attributes["model"] == .string("test-model"))
    }

    @Test("a pair index past the end is a typed error and writes nothing")
    func outOfRange() throws {
        let directory = try TemporaryDirectory()
        try Fixtures.writeRagged(Fixtures.batch(count: 3, dim: 4), to: directory.path("full.h5"))
        let source = try HiddenStatesFile(path: directory.path("full.h5"))
        #expect(throws: HiddenStatesError.self) {
            try PairSubset.write(from: source, pairs: [0, 7], to: directory.path("part.h5"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("part.h5")))
    }
}

@Suite("stored vocabulary")
struct VocabularyTests {
    @Test("a vocabulary written with the file reads back, survives a subset, and is nil when absent")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let batch = Fixtures.batch(count: 3, dim: 4)
        let writer = try RaggedWriter(path: directory.path("v.h5"), dim: 4)
        try writer.append(batch)
        try writer.finish(pairs: [SentencePair(0, 1)], scores: [3], vocabulary: ["[PAD]", "hello", "wörld"])
        let file = try HiddenStatesFile(path: directory.path("v.h5"))
        #expect(try file.vocabulary() == ["[PAD]", "hello", "wörld"])

        _ = try PairSubset.write(from: file, pairs: [0], to: directory.path("part.h5"))
        #expect(try HiddenStatesFile(path: directory.path("part.h5")).vocabulary() == ["[PAD]", "hello", "wörld"])

        try Fixtures.writeRagged(batch, to: directory.path("plain.h5"))
        #expect(try HiddenStatesFile(path: directory.path("plain.h5")).vocabulary() == nil)
    }
}

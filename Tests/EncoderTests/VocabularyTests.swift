import Encoder
import Foundation
import Testing

@Suite struct VocabularyTests {
    @Test func sampleVocabularyHasBertUncasedIds() throws {
        let vocabulary = try Vocabulary(contentsOf: SampleVocabulary.vocabularyFile)
        #expect(vocabulary.count == 30522)
        #expect(vocabulary.id(of: "[PAD]") == 0)
        #expect(vocabulary.id(of: "[UNK]") == 100)
        #expect(vocabulary.id(of: "[CLS]") == 101)
        #expect(vocabulary.id(of: "##ing") == 2075)
        #expect(vocabulary.token(for: 2075) == "##ing")
        #expect(vocabulary.token(for: 30522) == nil)
        #expect(vocabulary.token(for: -1) == nil)
        #expect(vocabulary.id(of: "no-such-token") == nil)
    }

    /// Python compares code points; Swift's `String ==` compares canonical equivalence, under
    /// which U+1F71 and U+03AC are equal. The vocabulary must keep them apart.
    @Test func canonicallyEquivalentTokensStayDistinct() throws {
        let vocabulary = try Vocabulary(tokens: ["[PAD]", "\u{1F71}", "\u{3AC}", "e\u{301}", "\u{E9}"])
        #expect(vocabulary.id(of: "\u{1F71}") == 1)
        #expect(vocabulary.id(of: "\u{3AC}") == 2)
        #expect(vocabulary.id(of: "e\u{301}") == 3)
        #expect(vocabulary.id(of: "\u{E9}") == 4)
    }

    @Test func duplicateTokenMapsToItsLastLineAsInHuggingFace() throws {
        let vocabulary = try Vocabulary(tokens: ["a", "b", "a"])
        #expect(vocabulary.id(of: "a") == 2)
        #expect(vocabulary.token(for: 0) == "a")
    }

    @Test func emptyOrInvalidFilesAreErrorsNamingThem() throws {
        let folder = try SampleVocabulary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty.txt")
        try Data().write(to: empty)
        #expect(throws: EncoderError.vocabularyUnreadable(path: empty.path, reason: "it holds no token")) {
            try Vocabulary(contentsOf: empty)
        }
        let invalid = folder.appendingPathComponent("latin1.txt")
        try Data([0x61, 0x0A, 0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: invalid)
        #expect(throws: EncoderError.vocabularyUnreadable(path: invalid.path, reason: "line 2 is not valid UTF-8")) {
            try Vocabulary(contentsOf: invalid)
        }
        let absent = folder.appendingPathComponent("absent.txt")
        do {
            _ = try Vocabulary(contentsOf: absent)
            Issue.record("expected an error")
        } catch let error as EncoderError {
            #expect(error.description.contains(absent.path))
        }
    }
}

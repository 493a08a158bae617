import Encoder
import Foundation
import Testing

@Suite struct WordPieceTokenizerTests {
    @Test func wordPiecesAreVocabularyTokensWithoutSpecialTokens() throws {
        let tokenizer = try SampleVocabulary.tokenizer()
        #expect(tokenizer.wordPieces(of: "Unaffable tokenization!") == ["una", "##ffa", "##ble", "token", "##ization", "!"])
        #expect(tokenizer.wordPieces(of: "  \t\u{200B}") == [])
        #expect(tokenizer.classifierID == 101)
        #expect(tokenizer.separatorID == 102)
        #expect(tokenizer.unknownID == 100)
        #expect(tokenizer.paddingID == 0)
    }

    @Test func truncationKeepsTheFirstPiecesAndCountsTheRest() throws {
        let tokenizer = try SampleVocabulary.tokenizer()
        // una ##ffa ##ble token ##ization ! : 6 pieces.
        let text = "Unaffable tokenization!"
        let full = try tokenizer.encode(text, maxLength: 512, source: "t")
        #expect(full.ids == [101, 14477, 20961, 3468, 19204, 3989, 999, 102])
        #expect(!full.isTruncated)

        let cut = try tokenizer.encode(text, maxLength: 5, source: "t")
        #expect(cut.ids == [101, 14477, 20961, 3468, 102])
        #expect(cut.truncatedTokens == 3)
        #expect(cut.isTruncated)

        let exact = try tokenizer.encode(text, maxLength: 8, source: "t")
        #expect(exact.ids == full.ids)
        #expect(exact.truncatedTokens == 0)

        let smallest = try tokenizer.encode(text, maxLength: 3, source: "t")
        #expect(smallest.ids == [101, 14477, 102])
        #expect(smallest.truncatedTokens == 5)
    }

    @Test func emptyTextIsAnErrorNamingTheSource() throws {
        let tokenizer = try SampleVocabulary.tokenizer()
        for text in ["", "   ", "\t\n\r", "\u{200B}\u{0}\u{FFFD}\u{7}"] {
            #expect(throws: EncoderError.emptyText(source: "texts.txt:7")) {
                try tokenizer.encode(text, maxLength: 128, source: "texts.txt:7")
            }
        }
    }

    @Test func maxLengthBelowThreeIsAnError() throws {
        let tokenizer = try SampleVocabulary.tokenizer()
        for maxLength in [-1, 0, 1, 2] {
            #expect(throws: EncoderError.maxLengthTooSmall(maxLength: maxLength, minimum: 3)) {
                try tokenizer.encode("hello", maxLength: maxLength, source: "t")
            }
        }
        let message = EncoderError.maxLengthTooSmall(maxLength: 2, minimum: 3).description
        #expect(message.contains("2") && message.contains("Hint:"))
    }

    @Test func vocabularyWithoutUnknownTokenIsAnErrorNamingTheFile() throws {
        let folder = try SampleVocabulary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("vocab.txt")
        try "[PAD]\n[CLS]\n[SEP]\nhello\n".write(to: file, atomically: true, encoding: .utf8)
        let vocabulary = try Vocabulary(contentsOf: file)
        #expect(vocabulary.count == 4)
        let expected = EncoderError.missingSpecialToken(path: file.path, role: "unknown (unk_token)", token: "[UNK]")
        #expect(throws: expected) {
            try WordPieceTokenizer(vocabulary: vocabulary, configuration: TokenizerConfiguration())
        }
        #expect(expected.description.contains(file.path))
        #expect(expected.description.contains("[UNK]"))
        #expect(expected.description.contains("Hint:"))
    }

    @Test func modelFolderReadsVocabularyAndConfiguration() throws {
        let folder = try SampleVocabulary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Without tokenizer_config.json: BertTokenizer's defaults (lower-case, strip accents).
        #expect(throws: EncoderError.self) { try WordPieceTokenizer(modelFolder: folder) }
        try "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\ncafe\r\ncafé\r\n##s\r\n".write(
            to: folder.appendingPathComponent("vocab.txt"), atomically: true, encoding: .utf8)
        let defaults = try WordPieceTokenizer(modelFolder: folder)
        #expect(defaults.configuration == TokenizerConfiguration())
        #expect(defaults.wordPieces(of: "CAFÉS") == ["cafe", "##s"])
        #expect(defaults.paddingID == 0)

        try #"{"do_lower_case": true, "strip_accents": false, "model_max_length": 512, "unk_token": {"content": "[UNK]", "__type": "AddedToken"}}"#
            .write(to: folder.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        let keepingAccents = try WordPieceTokenizer(modelFolder: folder)
        #expect(keepingAccents.configuration.stripsAccents == false)
        #expect(keepingAccents.wordPieces(of: "CAFÉS Cafe") == ["café", "##s", "cafe"])
    }

    @Test func missingVocabularyFileIsAnErrorNamingIt() throws {
        let folder = try SampleVocabulary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try WordPieceTokenizer(modelFolder: folder)
            Issue.record("expected an error")
        } catch let error as EncoderError {
            guard case let .missingFile(path, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path.hasSuffix("vocab.txt"))
        }
    }
}

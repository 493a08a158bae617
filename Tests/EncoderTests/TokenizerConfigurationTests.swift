import Encoder
import Foundation
import Testing

@Suite struct TokenizerConfigurationTests {
    private func configuration(_ json: String) throws -> TokenizerConfiguration {
        let folder = try SampleVocabulary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("tokenizer_config.json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        return try TokenizerConfiguration(contentsOf: file)
    }

    /// Throws the error `configuration(json)` throws, with the temporary path replaced by `FILE`.
    private func error(_ json: String) -> EncoderError? {
        do {
            _ = try configuration(json)
            return nil
        } catch let error as EncoderError {
            switch error {
            case let .invalidTokenizerSetting(_, field, expected, actual):
                return .invalidTokenizerSetting(path: "FILE", field: field, expected: expected, actual: actual)
            case let .tokenizerConfigurationUnreadable(path, reason):
                #expect(path.hasSuffix("tokenizer_config.json"))
                return .tokenizerConfigurationUnreadable(path: "FILE", reason: reason)
            default:
                return error
            }
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func minilmConfigurationReadsAsUncasedBert() throws {
        // all-MiniLM-L6-v2's tokenizer_config.json.
        let read = try configuration(#"""
            {"clean_up_tokenization_spaces": true, "cls_token": "[CLS]", "do_basic_tokenize": true,
             "do_lower_case": true, "mask_token": "[MASK]", "max_length": 128, "model_max_length": 512,
             "never_split": null, "pad_to_multiple_of": null, "pad_token": "[PAD]", "sep_token": "[SEP]",
             "strip_accents": null, "tokenize_chinese_chars": true, "tokenizer_class": "BertTokenizer",
             "unk_token": "[UNK]"}
            """#)
        #expect(read == TokenizerConfiguration())
        #expect(read.stripsAccentsEffectively)
    }

    @Test func stripAccentsNullFollowsLowerCasing() throws {
        let cased = try configuration(#"{"do_lower_case": false, "strip_accents": null}"#)
        #expect(cased.lowercases == false)
        #expect(cased.stripsAccents == nil)
        #expect(!cased.stripsAccentsEffectively)
        let stripped = try configuration(#"{"do_lower_case": false, "strip_accents": true, "tokenize_chinese_chars": false}"#)
        #expect(stripped.stripsAccentsEffectively)
        #expect(!stripped.splitsCJKIdeographs)
    }

    @Test func specialTokensMayBeAddedTokenObjects() throws {
        let read = try configuration(#"{"cls_token": {"content": "<s>", "lstrip": false, "__type": "AddedToken"}, "sep_token": "</s>"}"#)
        #expect(read.classifierToken == "<s>")
        #expect(read.separatorToken == "</s>")
        #expect(read.unknownToken == "[UNK]")
    }

    @Test func wrongTypesAreErrorsNamingTheField() {
        #expect(error(#"{"do_lower_case": "yes"}"#)
            == .invalidTokenizerSetting(path: "FILE", field: "do_lower_case", expected: "true or false",
                                        actual: "the string \"yes\""))
        #expect(error(#"{"do_lower_case": 1}"#)
            == .invalidTokenizerSetting(path: "FILE", field: "do_lower_case", expected: "true or false",
                                        actual: "the number 1.0"))
        #expect(error(#"{"strip_accents": "false"}"#)
            == .invalidTokenizerSetting(path: "FILE", field: "strip_accents", expected: "true, false or null",
                                        actual: "the string \"false\""))
        #expect(error(#"{"tokenize_chinese_chars": null}"#)
            == .invalidTokenizerSetting(path: "FILE", field: "tokenize_chinese_chars", expected: "true or false",
                                        actual: "null"))
        #expect(error(#"{"unk_token": 5}"#)
            == .invalidTokenizerSetting(path: "FILE", field: "unk_token",
                                        expected: "a string or an object with a string \"content\"",
                                        actual: "the number 5.0"))
        #expect(error(#"{"do_basic_tokenize": false}"#)
            == .invalidTokenizerSetting(path: "FILE", field: "do_basic_tokenize",
                                        expected: "true (this tokenizer always runs basic tokenization)", actual: "false"))
    }

    @Test func unreadableFileIsAnErrorNamingIt() throws {
        #expect(error(#"["do_lower_case"]"#)
            == .tokenizerConfigurationUnreadable(path: "FILE", reason: "the top level is an array, not an object"))
        guard case let .tokenizerConfigurationUnreadable(_, reason)? = error(#"{"do_lower_case": tru"#) else {
            Issue.record("expected tokenizerConfigurationUnreadable")
            return
        }
        #expect(reason.hasPrefix("not valid JSON"))

        // Through the model folder: the message names tokenizer_config.json and gives a hint.
        let folder = try SampleVocabulary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: SampleVocabulary.vocabularyFile, to: folder.appendingPathComponent("vocab.txt"))
        try "{not json".write(to: folder.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        do {
            _ = try WordPieceTokenizer(modelFolder: folder)
            Issue.record("expected an error")
        } catch let error as EncoderError {
            #expect(error.description.contains(folder.appendingPathComponent("tokenizer_config.json").path))
            #expect(error.description.contains("Hint:"))
        }
    }
}

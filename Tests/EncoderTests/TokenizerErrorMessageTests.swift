import Encoder
import Testing

@Suite struct TokenizerErrorMessageTests {
    static let errors: [(EncoderError, mentions: [String])] = [
        (.vocabularyUnreadable(path: "model/vocab.txt", reason: "line 3 is not valid UTF-8"), ["model/vocab.txt", "line 3"]),
        (.missingSpecialToken(path: "model/vocab.txt", role: "unknown (unk_token)", token: "[UNK]"),
         ["model/vocab.txt", "[UNK]", "unk_token"]),
        (.tokenizerConfigurationUnreadable(path: "model/tokenizer_config.json", reason: "not valid JSON"),
         ["model/tokenizer_config.json", "not valid JSON"]),
        (.invalidTokenizerSetting(path: "model/tokenizer_config.json", field: "do_lower_case", expected: "true or false",
                                  actual: "the string \"yes\""),
         ["model/tokenizer_config.json", "do_lower_case", "true or false", "\"yes\""]),
        (.maxLengthTooSmall(maxLength: 2, minimum: 3), ["2", "3"]),
    ]

    @Test func messagesNameWhatFailedAndGiveAHint() {
        for (error, mentions) in Self.errors {
            for text in mentions + ["Hint:"] {
                #expect(error.description.contains(text), "\(error.description) should mention \(text)")
            }
        }
    }
}

import Encoder
import Foundation
import Testing

/// Texts with the ids Hugging Face's slow `BertTokenizer` (transformers 5.24,
/// `BertTokenizerLegacy`) gives them with all-MiniLM-L6-v2's vocabulary, committed so that the
/// tests need no Python. Each comment shows the word pieces between `[CLS]` and `[SEP]`.
@Suite struct WordPieceReferenceTests {
    enum Settings: String, CustomStringConvertible {
        case uncased, cased, casedStripped, lowercasedKeepingAccents, noCJKSplit

        var configuration: TokenizerConfiguration {
            switch self {
            case .uncased: TokenizerConfiguration()
            case .cased: TokenizerConfiguration(lowercases: false)
            case .casedStripped: TokenizerConfiguration(lowercases: false, stripsAccents: true)
            case .lowercasedKeepingAccents: TokenizerConfiguration(stripsAccents: false)
            case .noCJKSplit: TokenizerConfiguration(splitsCJKIdeographs: false)
            }
        }

        var description: String { rawValue }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let settings: Settings
        let text: String
        let ids: [Int32]

        init(_ name: String, _ settings: Settings, _ text: String, _ ids: [Int32]) {
            self.name = name
            self.settings = settings
            self.text = text
            self.ids = ids
        }

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // cafe naive ang ##strom
        Case("accents", .uncased, "Café naïve Ångström",
             [101, 7668, 15743, 17076, 15687, 102]),
        // 我 [UNK] 北 京 天 安 [UNK]
        Case("cjk", .uncased, "我爱北京 天安门",
             [101, 1855, 100, 1781, 1755, 1811, 1820, 100, 102]),
        // “ quotes ” — ¿ que ? « ok » … don ' t
        Case("unicodePunctuation", .uncased, "“quotes” — ¿qué? «ok»… don't",
             [101, 1523, 16614, 1524, 1517, 1094, 10861, 1029, 1077, 7929, 1090, 1529, 2123, 1005, 1056, 102]),
        // ab c def ##gh i j k
        Case("controlAndOddWhitespace", .uncased, "a\u{200B}b\u{9}c\u{A0}d\u{7}e\u{FFFD}f\u{0}g\u{85}h\u{2028}i\u{3000}j\u{D}\u{A}k",
             [101, 11113, 1039, 13366, 5603, 1045, 1046, 1047, 102]),
        // hello [CLS] world [SEP] [ cl ##s ] [MASK] x a [PAD] b [CLS] [UNK]
        // (BertTokenizerFast differs here: hello [CLS] world [SEP] [ cl ##s ] [MASK] x a [PAD] b [ cl ##s ] [UNK])
        Case("literalSpecialTokens", .uncased, "hello [CLS] world [SEP] [cls] [MASK]x a[PAD]b [CL\u{200B}S] [UNK]",
             [101, 7592, 101, 2088, 102, 1031, 18856, 2015, 1033, 103, 1060, 1037, 0, 1038, 101, 100, 102]),
        // σ ##α ##ς ο ##δ ##υ ##σ ##σ ##ε ##υ ##ς
        // (BertTokenizerFast differs here: σ ##α ##σ ο ##δ ##υ ##σ ##σ ##ε ##υ ##σ)
        Case("finalSigma", .uncased, "ΣΑΣ ΟΔΥΣΣΕΥΣ",
             [101, 1173, 14608, 19579, 1169, 29722, 29735, 29733, 29733, 29723, 29735, 19579, 102]),
        // istanbul
        Case("dottedCapitalI", .uncased, "İstanbul",
             [101, 9960, 102]),
        // et ##e abc
        Case("combiningAccentComposed", .uncased, "e\u{301}té \u{301}abc",
             [101, 3802, 2063, 5925, 102]),
        // xx, then ##xx 49 times
        Case("wordOf100Characters", .uncased, String(repeating: "x", count: 100),
             [101, 22038] + Array(repeating: 20348, count: 49) + [102]),
        // ok [UNK] ok
        Case("wordOf101Characters", .uncased, "ok " + String(repeating: "x", count: 101) + " ok",
             [101, 7929, 100, 7929, 102]),
        // [UNK] 5 ##€ $ 5 a + b = c ^ _ ^ ~ | `
        Case("asciiSymbolsArePunctuation", .uncased, "☃ 5€ $5 a+b=c ^_^ ~|`",
             [101, 100, 1019, 30102, 1002, 1019, 1037, 1009, 1038, 1027, 1039, 1034, 1035, 1034, 1066, 1064, 1036, 102]),
        // una ##ffa ##ble token ##ization
        Case("greedyLongestMatch", .uncased, "unaffable tokenization",
             [101, 14477, 20961, 3468, 19204, 3989, 102]),
        // ok [UNK] [UNK]
        Case("noMatchIsUnknown", .uncased, "ok x☃ ☃",
             [101, 7929, 100, 100, 102]),
        // i [UNK] ny [UNK]
        Case("emoji", .uncased, "I ❤\u{FE0F} NY 😀",
             [101, 1045, 100, 6396, 100, 102]),
        // ひ ##ら ##か ##な ᄒ ##ᅡ ##ᆫ ##ᄀ ##ᅮ ##ᆨ ##ᄋ ##ᅥ
        Case("kanaAndHangul", .uncased, "ひらがな 한국어",
             [101, 1673, 30211, 30177, 30193, 1469, 30006, 30021, 29991, 30014, 30020, 29999, 30008, 102]),
        // [UNK] hello [UNK] [UNK]
        Case("casedKeepsCaseAndAccents", .cased, "Café hello naïve HELLO",
             [101, 100, 7592, 100, 100, 102]),
        // [UNK] hello naive [UNK]
        Case("casedStripsAccents", .casedStripped, "Café hello naïve HELLO",
             [101, 100, 7592, 15743, 100, 102]),
        // [UNK] hello [UNK] hello
        Case("lowercasedKeepsAccents", .lowercasedKeepingAccents, "Café hello naïve HELLO",
             [101, 100, 7592, 100, 7592, 102]),
        // [UNK] [UNK]
        Case("cjkNotSplit", .noCJKSplit, "我爱北京 天安门",
             [101, 100, 100, 102]),
        // α α
        Case("greekOxia", .uncased, "\u{1F71} ά",
             [101, 1155, 1155, 102]),
        // अ ##ी ि ##ो ﬁ ##ो ##ग  (continuations starting with a spacing mark, which joins "##" in one Character)
        Case("devanagariSpacingMarks", .uncased, "\u{905}\u{941}\u{940} \u{93F}\u{94B} \u{FB01}\u{94B}\u{917}",
             [101, 1311, 29878, 1341, 29879, 1984, 29879, 29853, 102]),
    ]

    @Test(arguments: cases)
    func idsMatchBertTokenizer(_ reference: Case) throws {
        let tokenizer = try SampleVocabulary.tokenizer(reference.settings.configuration)
        let encoded = try tokenizer.encode(reference.text, maxLength: 512, source: reference.name)
        #expect(encoded.ids == reference.ids,
                "\(reference.name) (\(reference.settings)): \(reference.text.debugDescription)\n got \(encoded.ids)\n want \(reference.ids)")
        #expect(encoded.truncatedTokens == 0)
    }
}

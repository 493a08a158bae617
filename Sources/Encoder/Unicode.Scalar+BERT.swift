/// The character classes of BERT's basic tokenizer, as Hugging Face's `tokenization_bert.py`
/// defines them (`_is_control`, `_is_whitespace`, `_is_punctuation`, `_is_chinese_char`) and as
/// Python's `str.split()` splits.
///
/// Categories come from Swift's Unicode tables, which may be a newer Unicode version than the
/// Python that produced a reference: a character assigned since then is category Cn (dropped as
/// a control character) in Python but not here.
extension Unicode.Scalar {
    /// Removed by text cleanup: U+0000, U+FFFD and every category C* (control, format,
    /// surrogate, private use, unassigned) except `\t`, `\n`, `\r`, which are whitespace.
    var isBERTRemoved: Bool {
        let v = value
        if v < 0x80 { return (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || v == 0x7F || v == 0 }
        if v == 0xFFFD { return true }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return true
        default: return false
        }
    }

    /// Turned into a space by text cleanup: space, `\t`, `\n`, `\r` and category Zs
    /// (e.g. U+00A0, U+3000). Zero-width space U+200B is Cf, so it is removed, not a space.
    var isBERTWhitespace: Bool {
        let v = value
        if v < 0x80 { return v == 0x20 || v == 0x09 || v == 0x0A || v == 0x0D }
        return properties.generalCategory == .spaceSeparator
    }

    /// Where Python's `str.split()` splits (`str.isspace`): what remains of it after cleanup is
    /// the space and the line and paragraph separators U+2028, U+2029 (categories Zl, Zp).
    var isPythonWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// A word of its own: the ASCII ranges 33–47, 58–64, 91–96, 123–126 (which include symbols
    /// such as `$`, `+`, `^`, `|`) and every Unicode category P* (e.g. “ ” — ¿).
    var isBERTPunctuation: Bool {
        let v = value
        if v < 0x80 { return (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) }
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// A CJK ideograph (the CJK Unified Ideographs blocks and extensions A–E, and the compatibility
    /// ideographs): the ranges of BERT's `_is_chinese_char`. Hangul, hiragana and katakana are not.
    var isCJKIdeograph: Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}

import Foundation

/// Where the tokenizer put special tokens in each sentence, so `*-nospecial` poolings can leave
/// them out. Parsed from the hidden-states file attribute `special_tokens`, e.g.
/// `"cls_first,sep_last"` (BERT: `[CLS] … [SEP]`).
public struct SpecialTokenPositions: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Each sentence's first row is special (`cls_first`, `bos_first`).
    public var first: Bool
    /// Each sentence's last row is special (`sep_last`, `eos_last`).
    public var last: Bool

    public init(first: Bool, last: Bool) {
        self.first = first
        self.last = last
    }

    /// No special tokens recorded.
    public static let none = SpecialTokenPositions(first: false, last: false)

    /// BERT's layout: `[CLS]` first, `[SEP]` last.
    public static let clsFirstSepLast = SpecialTokenPositions(first: true, last: true)

    /// Parses a comma-separated attribute such as `"cls_first,sep_last"`; `""` and `"none"` mean none.
    /// - Throws: ``PoolingError/unknownSpecialToken(item:text:)`` for any other item.
    public init(parsing text: String) throws {
        var first = false
        var last = false
        for raw in text.split(separator: ",") {
            let item = raw.trimmingCharacters(in: .whitespaces)
            switch item {
            case "cls_first", "bos_first": first = true
            case "sep_last", "eos_last": last = true
            case "", "none": break
            default: throw PoolingError.unknownSpecialToken(item: item, text: text)
            }
        }
        self.init(first: first, last: last)
    }

    /// Whether any position is marked special.
    public var isEmpty: Bool { !first && !last }

    /// The attribute text: `"cls_first,sep_last"`, `"cls_first"`, `"sep_last"` or `"none"`.
    public var description: String {
        let items = (first ? ["cls_first"] : []) + (last ? ["sep_last"] : [])
        return items.isEmpty ? "none" : items.joined(separator: ",")
    }

    /// The rows of a sentence of `length` tokens that are not special. A sentence that holds only
    /// special tokens (length ≤ 2 for `[CLS] … [SEP]`) keeps all its rows, so its pooled vector
    /// is never a meaningless zero.
    public func contentRows(length: Int) -> Range<Int> {
        let lower = first ? 1 : 0
        let upper = length - (last ? 1 : 0)
        return lower < upper ? lower..<upper : 0..<length
    }
}

import Foundation

/// Where the tokenizer put its special tokens, from the `special_tokens` root attribute
/// (e.g. `"cls_first,sep_last"`), so poolings can leave them out.
public struct SpecialTokens: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The comma-separated items, trimmed, in file order (unknown ones kept).
    public var items: [String]

    /// Parses `"cls_first,sep_last"`; empty items are dropped.
    public init(parsing text: String) {
        items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// True when each sentence's first row is a `[CLS]`-like token (`cls_first`, `bos_first`).
    public var firstIsSpecial: Bool { items.contains { $0 == "cls_first" || $0 == "bos_first" } }
    /// True when each sentence's last row is a `[SEP]`-like token (`sep_last`, `eos_last`).
    public var lastIsSpecial: Bool { items.contains { $0 == "sep_last" || $0 == "eos_last" } }

    /// Rows of a sentence of `length` tokens that are not special; empty when only specials remain.
    public func contentRows(length: Int) -> Range<Int> {
        let lower = firstIsSpecial ? 1 : 0
        let upper = length - (lastIsSpecial ? 1 : 0)
        return lower < upper ? lower..<upper : lower..<lower
    }

    public var description: String { items.isEmpty ? "none" : items.joined(separator: ", ") }
}

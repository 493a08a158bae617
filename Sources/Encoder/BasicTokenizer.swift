import Foundation

/// BERT's "basic tokenizer": cleans a text and splits it into words, before WordPiece.
///
/// The steps, in Hugging Face `BasicTokenizer.tokenize`'s order:
/// ```
/// 1. cleanup     drop U+0000, U+FFFD, category C* except \t \n \r; whitespace (Zs, \t \n \r) → " "
/// 2. CJK         " " + ideograph + " " for each CJK ideograph          (when splitsCJKIdeographs)
/// 3. NFC         Unicode canonical composition of the whole text
/// 4. split       on whitespace (Python str.split)
/// 5. per word    lower-case (Python str.lower: full mappings, final sigma)  (when lowercases)
///                NFD, then drop category Mn                               (when stripsAccents)
///                split off every punctuation character as a word of its own
/// ```
/// A word (step 4) equal to a special token skips step 5, as `never_split` does.
///
/// Works on Unicode scalars, which are what Python's `str` holds.
struct BasicTokenizer: Sendable {
    let lowercases: Bool
    let stripsAccents: Bool
    let splitsCJKIdeographs: Bool
    /// Words kept whole (the special tokens), as scalars.
    let neverSplit: [[Unicode.Scalar]]

    init(configuration: TokenizerConfiguration) {
        lowercases = configuration.lowercases
        stripsAccents = configuration.stripsAccentsEffectively
        splitsCJKIdeographs = configuration.splitsCJKIdeographs
        neverSplit = configuration.specialTokens.map { Array($0.unicodeScalars) }
    }

    /// Calls `body` with each word of `text`, in order; a word is never empty.
    func forEachWord(in text: ArraySlice<Unicode.Scalar>, _ body: (ArraySlice<Unicode.Scalar>) -> Void) {
        let normalized = composed(cleaned(text))
        // Lower-cased words, each followed by a space, waiting for accent stripping and the
        // punctuation split: stripping a run of words takes one NFD call instead of one per word
        // (NFD works word by word anyway, a space being a starter).
        var pending: [Unicode.Scalar] = []
        pending.reserveCapacity(normalized.count)
        var start = normalized.startIndex
        while start < normalized.endIndex {
            guard !normalized[start].isPythonWhitespace else {
                start += 1
                continue
            }
            var end = start + 1
            while end < normalized.endIndex, !normalized[end].isPythonWhitespace { end += 1 }
            let token = normalized[start..<end]
            if neverSplit.contains(where: { $0.elementsEqual(token) }) {
                splitPending(&pending, body)
                body(token)
            } else {
                if lowercases { appendLowercased(token, to: &pending) } else { pending.append(contentsOf: token) }
                pending.append(" ")
            }
            start = end
        }
        splitPending(&pending, body)
    }

    /// Strips the accents of the pending words when configured, splits them on punctuation
    /// and whitespace, and empties `pending`.
    private func splitPending(_ pending: inout [Unicode.Scalar], _ body: (ArraySlice<Unicode.Scalar>) -> Void) {
        guard !pending.isEmpty else { return }
        if stripsAccents { pending = accentsStripped(pending) }
        splitOnPunctuation(pending[...], body)
        pending.removeAll(keepingCapacity: true)
    }

    /// Steps 1 and 2: cleanup and spaces around CJK ideographs.
    private func cleaned(_ text: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        let space: Unicode.Scalar = " "
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        for scalar in text {
            if scalar.isBERTRemoved { continue }
            if scalar.isBERTWhitespace {
                output.append(space)
            } else if splitsCJKIdeographs, scalar.isCJKIdeograph {
                output.append(space)
                output.append(scalar)
                output.append(space)
            } else {
                output.append(scalar)
            }
        }
        return output
    }

    /// Step 3: NFC. Text below U+0300 (where the combining marks begin) is already composed.
    private func composed(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: { $0.value >= 0x300 }) else { return text }
        return Array(String(scalars: text).precomposedStringWithCanonicalMapping.unicodeScalars)
    }

    /// Python's `str.lower()`: each scalar's full lowercase mapping (`İ` → `i` U+0307), and
    /// capital sigma → final `ς` when a cased letter precedes it and none follows (skipping
    /// case-ignorable scalars both ways), else `σ`.
    private func appendLowercased(_ token: ArraySlice<Unicode.Scalar>, to output: inout [Unicode.Scalar]) {
        for index in token.indices {
            let scalar = token[index]
            let v = scalar.value
            if v < 0x80 {
                output.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 0x20)) : scalar)
            } else if v == 0x3A3 {
                output.append(Self.isFinalSigma(at: index, in: token) ? "\u{3C2}" : "\u{3C3}")
            } else {
                output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
    }

    /// Python's Final_Sigma context: `\p{cased} \p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased})`.
    private static func isFinalSigma(at index: Int, in token: ArraySlice<Unicode.Scalar>) -> Bool {
        var before = index - 1
        while before >= token.startIndex, token[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= token.startIndex, token[before].properties.isCased else { return false }
        var after = index + 1
        while after < token.endIndex, token[after].properties.isCaseIgnorable { after += 1 }
        return after == token.endIndex || !token[after].properties.isCased
    }

    /// NFD, then drop nonspacing marks (category Mn). Text below U+00C0 has no decomposition.
    private func accentsStripped(_ words: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard words.contains(where: { $0.value >= 0xC0 }) else { return words }
        return String(scalars: words).decomposedStringWithCanonicalMapping.unicodeScalars
            .filter { $0.value < 0x300 || $0.properties.generalCategory != .nonspacingMark }
    }

    /// Each punctuation scalar becomes a word; the runs between them are words. Whitespace (which
    /// Python's second `str.split()` would split on) also ends a run.
    private func splitOnPunctuation(_ word: ArraySlice<Unicode.Scalar>, _ body: (ArraySlice<Unicode.Scalar>) -> Void) {
        var runStart = word.startIndex
        for index in word.indices {
            let scalar = word[index]
            if scalar.isBERTPunctuation {
                if runStart < index { body(word[runStart..<index]) }
                body(word[index...index])
                runStart = index + 1
            } else if scalar.isPythonWhitespace {
                if runStart < index { body(word[runStart..<index]) }
                runStart = index + 1
            }
        }
        if runStart < word.endIndex { body(word[runStart...]) }
    }
}

extension String {
    /// The string of `scalars`, in order.
    init(scalars: [Unicode.Scalar]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count * 2)
        for scalar in scalars { bytes.append(contentsOf: scalar.utf8) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}

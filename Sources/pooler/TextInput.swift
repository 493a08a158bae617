import Foundation

/// Sentences or scored pairs read from a text file, each remembering its line.
///
/// Formats (`--format`; `auto` guesses from the extension and the first line, as the Python
/// extractor does):
/// ```
/// sentences  one sentence a line
/// pairs      sentence1 <TAB> sentence2 [<TAB> score], no header
/// stsb       STS-B: genre, file, year, id, score, sentence1, sentence2 [, extra fields ignored]
/// tsv, csv   a header row naming `sentence`, or `sentence1`, `sentence2` [, `score`]
/// jsonl      one JSON object a line with those keys
/// ```
/// Every line must be valid UTF-8 and no sentence may be empty: such a line is an error naming the
/// file and the line, never skipped. Sentences are stripped of surrounding white space.
struct TextInput {
    enum Format: String, CaseIterable {
        case auto, sentences, pairs, stsb, tsv, csv, jsonl
    }

    /// A sentence and where it came from (`file:line`).
    struct Sentence {
        var text: String
        var source: String
    }

    var path: String
    /// Every sentence in file order (pairs contribute both of theirs).
    var sentences: [Sentence] = []
    /// For pair formats: indices into ``sentences`` of each pair's two sentences.
    var pairs: [(first: Int, second: Int)] = []
    /// Gold scores, one per pair, when the file has them.
    var scores: [Float]?
    /// The format read (never `.auto`).
    var format: Format = .sentences

    var isPairs: Bool { format != .sentences && !pairs.isEmpty }

    /// Each distinct sentence once, in order of first appearance, and for every sentence of
    /// ``sentences`` the index of its distinct copy (so pairs can index the distinct ones).
    func distinctSentences() -> (sentences: [Sentence], index: [Int]) {
        var position: [String: Int] = [:]
        var distinct: [Sentence] = []
        var index: [Int] = []
        index.reserveCapacity(sentences.count)
        for sentence in sentences {
            if let known = position[sentence.text] {
                index.append(known)
            } else {
                position[sentence.text] = distinct.count
                index.append(distinct.count)
                distinct.append(sentence)
            }
        }
        return (distinct, index)
    }

    /// Reads `path` in `format`.
    /// - Throws: ``TextInputError`` naming the file and line.
    init(path: String, format requested: Format) throws {
        self.path = path
        if let kind = OutputPaths.kind(of: path), kind != "regular file" {
            throw TextInputError.unreadable(path: path, reason: "it is a \(kind), not a text file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = OutputPaths.kind(of: path) == nil ? "no such file" : "it cannot be read (permissions?)"
            throw TextInputError.unreadable(path: path, reason: reason)
        }
        let lines = try Self.lines(of: data, path: path)
        guard lines.contains(where: { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw TextInputError.empty(path: path)
        }
        format = requested == .auto ? Self.guess(path: path, first: lines.first { !$0.text.isEmpty }?.text ?? "") : requested
        switch format {
        case .auto, .sentences:
            for line in lines { try addSentence(line.text, line: line.number, column: nil) }
        case .pairs, .stsb:
            for line in lines where !(line.isLast && line.text.isEmpty) {
                let fields = line.text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                if format == .stsb {
                    guard fields.count >= 7 else { throw TextInputError.fields(path: path, line: line.number, expected: "at least 7 tab-separated fields (STS-B)", actual: fields.count) }
                    try addPair(fields[5], fields[6], score: fields[4], line: line.number)
                } else {
                    guard fields.count == 2 || fields.count == 3 else {
                        throw TextInputError.fields(path: path, line: line.number, expected: "2 or 3 tab-separated fields (sentence1, sentence2, score)", actual: fields.count)
                    }
                    try addPair(fields[0], fields[1], score: fields.count == 3 ? fields[2] : nil, line: line.number)
                }
            }
        case .tsv, .csv:
            try readTable(lines)
        case .jsonl:
            try readJSONLines(lines)
        }
    }

    /// The file's lines (without `\n` or `\r\n`), each checked to be UTF-8; a final newline makes no extra line.
    static func lines(of data: Data, path: String) throws -> [(number: Int, text: String, isLast: Bool)] {
        var result: [(Int, String, Bool)] = []
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }  // UTF-8 byte-order mark
        let pieces = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let count = bytes.last == 0x0A ? pieces.count - 1 : pieces.count
        for (index, piece) in pieces.prefix(count).enumerated() {
            var line = Array(piece)
            if line.last == 0x0D { line.removeLast() }
            guard let text = String(validating: line, as: UTF8.self) else {
                throw TextInputError.invalidUTF8(path: path, line: index + 1)
            }
            result.append((index + 1, text, index == count - 1))
        }
        return result
    }

    static func guess(path: String, first: String) -> Format {
        let fields = first.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let headers: Set = ["sentence", "sentence1", "sentence2"]
        if path.hasSuffix(".jsonl") || path.hasSuffix(".json") || first.hasPrefix("{") { return .jsonl }
        if fields.count >= 7 && headers.isDisjoint(with: fields) { return .stsb }
        if !headers.isDisjoint(with: fields) { return .tsv }
        if fields.count == 2 || fields.count == 3 { return .pairs }
        if path.hasSuffix(".csv") { return .csv }
        return .sentences
    }

    private mutating func addSentence(_ raw: String, line: Int, column: String?) throws {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw TextInputError.emptySentence(path: path, line: line, column: column) }
        sentences.append(Sentence(text: text, source: "\(path):\(line)"))
    }

    private mutating func addPair(_ first: String, _ second: String, score: String?, line: Int) throws {
        try addSentence(first, line: line, column: "sentence1")
        try addSentence(second, line: line, column: "sentence2")
        pairs.append((sentences.count - 2, sentences.count - 1))
        if let score {
            guard let value = Float(score.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw TextInputError.badScore(path: path, line: line, value: score)
            }
            if scores == nil && pairs.count > 1 { throw TextInputError.badScore(path: path, line: line, value: "(missing on earlier lines)") }
            scores = (scores ?? []) + [value]
        } else if scores != nil {
            throw TextInputError.badScore(path: path, line: line, value: "(missing)")
        }
    }

    private mutating func readTable(_ lines: [(number: Int, text: String, isLast: Bool)]) throws {
        let separator: Character = format == .tsv ? "\t" : ","
        let rows = lines.filter { !$0.text.isEmpty }
        guard let header = rows.first else { throw TextInputError.empty(path: path) }
        let names = header.text.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func column(_ name: String) -> Int? { names.firstIndex(of: name) }
        for row in rows.dropFirst() {
            let fields = format == .csv ? Self.csvFields(row.text) : row.text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            func field(_ index: Int?, _ name: String) throws -> String {
                guard let index, index < fields.count else {
                    throw TextInputError.fields(path: path, line: row.number, expected: "a '\(name)' column", actual: fields.count)
                }
                return fields[index]
            }
            if let a = column("sentence1"), let b = column("sentence2") {
                try addPair(try field(a, "sentence1"), try field(b, "sentence2"),
                            score: try column("score").map { try field($0, "score") }, line: row.number)
            } else if let s = column("sentence") {
                try addSentence(try field(s, "sentence"), line: row.number, column: "sentence")
            } else {
                throw TextInputError.columns(path: path, found: names)
            }
        }
    }

    private mutating func readJSONLines(_ lines: [(number: Int, text: String, isLast: Bool)]) throws {
        for line in lines where !(line.isLast && line.text.isEmpty) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.text.utf8)) as? [String: Any] else {
                throw TextInputError.invalidJSON(path: path, line: line.number)
            }
            if let a = object["sentence1"], let b = object["sentence2"] {
                guard let first = a as? String, let second = b as? String else {
                    throw TextInputError.invalidJSON(path: path, line: line.number)
                }
                let score = object["score"].map { value -> String in
                    (value as? NSNumber).map { "\($0)" } ?? (value as? String) ?? "\(value)"
                }
                try addPair(first, second, score: score, line: line.number)
            } else if let s = object["sentence"] {
                guard let text = s as? String else { throw TextInputError.invalidJSON(path: path, line: line.number) }
                try addSentence(text, line: line.number, column: "sentence")
            } else {
                throw TextInputError.columns(path: path, found: object.keys.sorted())
            }
        }
    }

    /// Fields of one CSV line with standard quoting (`"a, b"`, `""` for a quote).
    static func csvFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { current.append(character) }
            } else if character == "\"" { quoted = true }
            else if character == "," { fields.append(current); current = "" }
            else { current.append(character) }
        }
        fields.append(current)
        return fields
    }
}

/// A text input that cannot be used, with the file and line.
enum TextInputError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case invalidUTF8(path: String, line: Int)
    case emptySentence(path: String, line: Int, column: String?)
    case fields(path: String, line: Int, expected: String, actual: Int)
    case badScore(path: String, line: Int, value: String)
    case columns(path: String, found: [String])
    case invalidJSON(path: String, line: Int)

    var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): cannot read the texts: \(reason). Hint: give a UTF-8 text file."
        case let .empty(path):
            return "\(path): no sentences (the file is empty or blank). Hint: one sentence a line, or pairs (see --format)."
        case let .invalidUTF8(path, line):
            return "\(path):\(line): not valid UTF-8. Nothing was written. Hint: convert the file, e.g. `iconv -f latin1 -t utf-8`."
        case let .emptySentence(path, line, column):
            let which = column.map { " (\($0))" } ?? ""
            return "\(path):\(line): empty sentence\(which). Nothing was written. Hint: remove the line or fill it in."
        case let .fields(path, line, expected, actual):
            return "\(path):\(line): expected \(expected), found \(actual) field(s). Hint: check --format."
        case let .badScore(path, line, value):
            return "\(path):\(line): score \(value) is not a finite number (every pair needs one, or none does)."
        case let .columns(path, found):
            return "\(path): no 'sentence' or 'sentence1' + 'sentence2' columns (found \(found.joined(separator: ", "))). "
                + "Hint: name the columns, or use --format sentences / pairs."
        case let .invalidJSON(path, line):
            return "\(path):\(line): not a JSON object with string fields 'sentence' or 'sentence1' and 'sentence2'."
        }
    }
}

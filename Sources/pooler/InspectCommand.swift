import ArgumentParser
import Foundation
import HiddenStates

/// `pooler inspect FILE…`: what each hidden-states file holds, and whether it is valid.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe hidden-states files (layout, sizes, storage, attributes, lengths) and validate them.",
        discussion: """
            Validation reads every hidden state (streamed) to find NaN/Inf and checksum failures. \
            Exits with status 1 when any file is invalid.
            """
    )

    @Argument(help: "HDF5 files in the ragged or padded layout.")
    var files: [String]

    @Flag(help: "Print a JSON array with one object per file instead of text (snake_case keys).")
    var json = false

    @Flag(help: "Print JSON Lines: one object per file, one per line.")
    var jsonl = false

    @Flag(help: "Skip the full scan of hidden states (structure checks only).")
    var quick = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one file.") }
        if json && jsonl { throw ValidationError("--json and --jsonl exclude each other: one array, or one object per line.") }
    }

    func run() throws {
        var anyInvalid = false
        var reports: [FileReport] = []
        for path in files {
            let report = FileReport(path: path, scan: !quick)
            anyInvalid = anyInvalid || !report.valid
            if jsonl {
                print(report.json())
            } else if json {
                reports.append(report)
            } else {
                print(report.text())
            }
        }
        if json { print(FileReport.jsonArray(reports)) }
        if anyInvalid { throw ExitCode(1) }
    }
}

/// What `inspect` found about one file; the JSON keys are its property names in snake_case, and
/// HDF5 attributes keep their types (numbers as numbers, arrays as arrays).
struct FileReport: Encodable {
    struct Lengths: Encodable {
        var min: Int
        var mean: Double
        var max: Int
        var histogram: [Bar]
    }

    struct Bar: Encodable {
        var from: Int
        var to: Int
        var count: Int
    }

    var path: String
    var layout: String?
    var paddingSide: String?
    var paddedLength: Int?
    var sentences: Int?
    var tokens: Int?
    var pairs: Int?
    var scores: Bool?
    var dim: Int?
    var dtype: String?
    var storage: String?
    var chunk: [Int]?
    var filters: [String]?
    var specialTokens: [String]?
    var attributes: [String: AttributeJSON]?
    var lengths: Lengths?
    var valid: Bool
    var scanned: Bool
    var nonFiniteValues: Int?
    var errors: [String]

    init(path: String, scan: Bool) {
        self.path = path
        scanned = false
        do {
            try InputProbe.check([path])
            let file = try HiddenStatesFile(path: path)
            defer { file.close() }
            let meta = file.metadata
            layout = meta.layout.rawValue
            paddingSide = meta.paddingSide?.rawValue
            paddedLength = meta.paddedLength
            sentences = meta.sentences
            tokens = meta.tokens
            pairs = meta.pairs
            scores = meta.hasScores
            dim = meta.dim
            dtype = meta.dtype.description
            storage = meta.storage.description
            chunk = meta.storage.chunk
            filters = meta.storage.filters.map(\.description)
            specialTokens = meta.specialTokens?.items
            attributes = meta.attributes.mapValues(AttributeJSON.init)
            let statistics = TokenLengthStatistics(offsets: file.offsets)
            lengths = Lengths(min: statistics.minimum, mean: statistics.mean, max: statistics.maximum,
                              histogram: statistics.histogram.map {
                                  Bar(from: $0.lengths.lowerBound, to: $0.lengths.upperBound, count: $0.count)
                              })
            if scan {
                let report = file.validate()
                scanned = true
                nonFiniteValues = report.nonFiniteValues
                errors = report.errors.map(\.description)
            } else {
                errors = []
            }
        } catch {
            errors = [String(describing: error)]
        }
        valid = errors.isEmpty
    }

    enum CodingKeys: String, CodingKey {
        case path, layout, sentences, tokens, pairs, scores, dim, dtype, storage, chunk, filters, attributes, lengths
        case valid, scanned, errors
        case paddingSide = "padding_side"
        case paddedLength = "padded_length"
        case specialTokens = "special_tokens"
        case nonFiniteValues = "non_finite_values"
    }

    /// One line of JSON (`--jsonl`).
    func json() -> String { Self.encoded(self, pretty: false) }

    /// One JSON array of the reports (`--json`).
    static func jsonArray(_ reports: [FileReport]) -> String { encoded(reports, pretty: true) }

    private static func encoded(_ value: some Encodable, pretty: Bool) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            // Encoding strings and finite numbers cannot fail; keep the contract anyway.
            return #"{"valid":false,"errors":["could not encode the report: \#(error)"]}"#
        }
    }

    func text() -> String {
        var lines = [path]
        func add(_ label: String, _ value: String) {
            lines.append("  " + (label + ":").padding(toLength: 17, withPad: " ", startingAt: 0) + value)
        }
        if let layout {
            var layoutText = layout
            if let paddingSide, let paddedLength { layoutText += " (length L = \(paddedLength), padding: \(paddingSide))" }
            add("layout", layoutText)
            add("sentences N", sentences.map(String.init) ?? "?")
            add("token rows T", tokens.map(String.init) ?? "?")
            add("pairs P", pairs.map { "\($0)" + (scores == true ? " (with scores)" : " (no scores)") } ?? "none")
            add("dim D", dim.map(String.init) ?? "?")
            add("dtype", dtype ?? "?")
            add("storage", storage ?? "?")
            add("special tokens", specialTokens.map { $0.isEmpty ? "none" : $0.joined(separator: ", ") } ?? "not recorded")
            if let attributes, !attributes.isEmpty {
                lines.append("  attributes:")
                for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
                    lines.append("    \(name) = \(value.value)")
                }
            }
            if let lengths {
                add("tokens/sentence", "min \(lengths.min), mean \(String(format: "%.1f", lengths.mean)), max \(lengths.max)")
                let widest = lengths.histogram.map(\.count).max() ?? 1
                for bar in lengths.histogram {
                    let label = bar.from == bar.to ? "\(bar.from)" : "\(bar.from)–\(bar.to)"
                    let width = widest > 0 ? Int((Double(bar.count) / Double(widest) * 30).rounded(.up)) : 0
                    lines.append("    " + label.padding(toLength: 8, withPad: " ", startingAt: 0)
                        + String(repeating: "█", count: width) + " \(bar.count)")
                }
            }
        }
        if valid {
            add("valid", scanned ? "yes (structure checked, every value finite, checksums ok)" : "yes (structure only; --quick)")
        } else {
            add("valid", "NO")
            for error in errors { lines.append("    error: \(error)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// An HDF5 attribute in JSON with its type: a string, a number, or an array of them (non-finite
/// floats, which JSON cannot hold, as `null`).
struct AttributeJSON: Encodable {
    var value: AttributeValue

    init(_ value: AttributeValue) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        func number(_ x: Double) -> Double? { x.isFinite ? x : nil }
        var container = encoder.singleValueContainer()
        switch value {
        case .string(let text): try container.encode(text)
        case .int(let n): try container.encode(n)
        case .double(let x): try container.encode(number(x))
        case .strings(let texts): try container.encode(texts)
        case .ints(let ns): try container.encode(ns)
        case .doubles(let xs): try container.encode(xs.map(number))
        }
    }
}

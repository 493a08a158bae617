import Foundation

/// How `pooler evaluate` prints its results.
public enum ReportFormat: String, CaseIterable, Codable, Sendable {
    /// An aligned table for a terminal.
    case table
    case markdown
    /// `{"results": [...]}` with one object per (dataset, strategy).
    case json
    case csv

    /// The results rendered in this format (ends with a newline).
    public func render(_ results: [StrategyResult]) throws -> String {
        switch self {
        case .table: return ReportTable(results).text(markdown: false)
        case .markdown: return ReportTable(results).text(markdown: true)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(["results": results])
            return String(decoding: data, as: UTF8.self) + "\n"
        case .csv: return Self.csv(results)
        }
    }

    static func csv(_ results: [StrategyResult]) -> String {
        let header = [
            "dataset", "strategy", "pairs", "spearman_cosine", "spearman_cosine_ci_lower",
            "spearman_cosine_ci_upper", "pearson_cosine", "pearson_cosine_ci_lower", "pearson_cosine_ci_upper",
            "spearman_dot", "pearson_dot", "spearman_euclidean", "pearson_euclidean",
            "spearman_manhattan", "pearson_manhattan", "baseline", "spearman_cosine_diff",
            "spearman_cosine_diff_ci_lower", "spearman_cosine_diff_ci_upper", "p_value", "significant", "note",
        ]
        func quoted(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        func number(_ value: Double?) -> String { value.flatMap { $0.isFinite ? String($0) : nil } ?? "" }
        var lines = [header.joined(separator: ",")]
        for r in results {
            let fields: [String] = [
                quoted(r.dataset), quoted(r.strategy), String(r.pairs), number(r.spearmanCosine),
                number(r.spearmanCosineCI.lower), number(r.spearmanCosineCI.upper), number(r.pearsonCosine),
                number(r.pearsonCosineCI.lower), number(r.pearsonCosineCI.upper),
                number(r.spearmanDot), number(r.pearsonDot), number(r.spearmanEuclidean),
                number(r.pearsonEuclidean), number(r.spearmanManhattan), number(r.pearsonManhattan),
                quoted(r.baseline ?? ""), number(r.spearmanCosineDifference),
                number(r.spearmanCosineDifferenceCI?.lower), number(r.spearmanCosineDifferenceCI?.upper),
                number(r.pValue), r.isSignificant.map { String($0) } ?? "", quoted(r.note ?? ""),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The comparison table: the main score with its interval, and each difference from the baseline.
struct ReportTable {
    let header: [String]
    let rows: [[String]]
    let footnote: String

    init(_ results: [StrategyResult]) {
        let level = Int(((results.first?.confidenceLevel ?? 0.95) * 100).rounded())
        let baseline = results.compactMap(\.baseline).first ?? "baseline"
        header = [
            "dataset", "strategy", "Spearman cos", "\(level)% CI", "Pearson cos",
            "Δ vs \(baseline)", "Δ \(level)% CI", "p", "",
        ]
        func f(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "n/a" }
        func interval(_ i: PairResampling.Interval?) -> String {
            guard let i else { return "" }
            return i.isDefined ? "[\(f(i.lower)), \(f(i.upper))]" : "n/a"
        }
        rows = results.map { r in
            let difference = r.spearmanCosineDifference.map { $0.isFinite ? ($0 >= 0 ? "+" : "") + f($0) : "n/a" } ?? ""
            let p = r.pValue.map { $0 < 0.001 ? "<0.001" : String(format: "%.3f", $0) } ?? ""
            let mark = r.isSignificant == true ? "*" : ""
            return [r.dataset, r.strategy, f(r.spearmanCosine), interval(r.spearmanCosineCI),
                    f(r.pearsonCosine), difference, interval(r.spearmanCosineDifferenceCI), p, mark]
        }
        let resamples = results.first?.resamples ?? 0
        var notes: [String] = []
        for r in results {
            if let note = r.note, !notes.contains(where: { $0.hasSuffix(note) }) { notes.append("n/a (\(r.dataset)): \(note)") }
        }
        footnote = (["Spearman/Pearson ×100 of cosine similarity vs gold; intervals: paired bootstrap over "
            + "pairs, \(resamples) resamples; * = the \(level)% interval of Δ excludes 0."] + notes).joined(separator: "\n")
    }

    func text(markdown: Bool) -> String {
        let numeric: Set<Int> = [2, 4, 5, 7]
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return numeric.contains(c) ? pad + cell : cell + pad
            }
            return markdown ? "| " + padded.joined(separator: " | ") + " |"
                : padded.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var lines = [line(header)]
        if markdown {
            lines.append("|" + widths.enumerated().map { c, w in
                String(repeating: "-", count: max(w, 1) + 1) + (numeric.contains(c) ? ":" : "-")
            }.joined(separator: "|") + "|")
        } else {
            lines.append(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
        }
        var previousDataset: String?
        for row in rows {
            if !markdown, let previous = previousDataset, previous != row[0] { lines.append("") }
            previousDataset = row[0]
            lines.append(line(row))
        }
        lines.append("")
        lines.append(footnote)
        return lines.joined(separator: "\n") + "\n"
    }
}

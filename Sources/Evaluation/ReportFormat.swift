import Foundation

/// How `pooler evaluate` prints its results.
public enum ReportFormat: String, CaseIterable, Codable, Sendable {
    /// An aligned table for a terminal.
    case table
    case markdown
    /// `{"results": [...]}` with one object per (dataset, strategy).
    case json
    case csv
    /// MTEB's result JSON, one file per dataset and method (``MTEBResult``); `render` gives
    /// those files' contents one after another, for a look; `evaluate` writes them to a folder.
    case mteb

    /// A report with STS results and results of other tasks: each task's section in turn (JSON:
    /// `{"results": [STS...], "retrieval": [...], "classification": [...]}`, the keys of absent
    /// tasks left out; CSV: one task at a time, others in the long format of ``csv(_:)-tasks``).
    public func render(_ report: EvaluationReport) throws -> String {
        guard !report.tasks.isEmpty else { return try render(report.sts) }
        let byTask = EvaluationTask.allCases.filter { $0 != .sts }.compactMap { task -> (EvaluationTask, [TaskResult])? in
            let rows = report.tasks.filter { $0.task == task }
            return rows.isEmpty ? nil : (task, rows)
        }
        switch self {
        case .table, .markdown:
            var sections = report.sts.isEmpty ? [] : [try render(report.sts)]
            sections += byTask.map { TaskTable($0.1).table.text(markdown: self == .markdown) }
            return sections.joined(separator: "\n")
        case .json, .mteb:
            struct Document: Encodable {
                var results: [StrategyResult]?
                var retrieval: [TaskResult]?
                var classification: [TaskResult]?
            }
            let document = Document(
                results: report.sts.isEmpty ? nil : report.sts,
                retrieval: byTask.first { $0.0 == .retrieval }?.1, classification: byTask.first { $0.0 == .classification }?.1)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
        case .csv:
            return Self.csv(report.tasks)
        }
    }

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
        case .mteb:
            return try results.map { try MTEBResult(result: $0).json() }.joined()
        }
    }

    /// Retrieval / classification results in long form: one line per (dataset, strategy, metric).
    static func csv(_ results: [TaskResult]) -> String {
        func number(_ value: Double?) -> String { value.flatMap { $0.isFinite ? String($0) : nil } ?? "" }
        func quoted(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = ["task,dataset,strategy,metric,value,ci_lower,ci_upper,baseline,diff,diff_ci_lower,diff_ci_upper,p_value,significant,note"]
        for r in results {
            for m in r.metrics {
                lines.append([
                    r.task.rawValue, quoted(r.dataset), quoted(r.strategy), m.name, number(m.value), number(m.ci.lower),
                    number(m.ci.upper), quoted(r.baseline ?? ""), number(m.difference), number(m.differenceCI?.lower),
                    number(m.differenceCI?.upper), number(m.pValue), m.isSignificant.map { String($0) } ?? "", quoted(r.note ?? ""),
                ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csv(_ results: [StrategyResult]) -> String {
        let header = [
            "dataset", "strategy", "pairs", "spearman_cosine", "spearman_cosine_ci_lower",
            "spearman_cosine_ci_upper", "pearson_cosine", "pearson_cosine_ci_lower", "pearson_cosine_ci_upper",
            "spearman_dot", "pearson_dot", "spearman_euclidean", "pearson_euclidean",
            "spearman_manhattan", "pearson_manhattan", "baseline", "spearman_cosine_diff",
            "spearman_cosine_diff_ci_lower", "spearman_cosine_diff_ci_upper", "p_value", "significant", "note",
            "spearman_max", "pearson_max", "normalized",
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
                number(r.spearmanMax), number(r.pearsonMax), String(r.normalized),
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
    /// Columns aligned right.
    var numeric: Set<Int> = [2, 4, 5, 7]

    init(header: [String], rows: [[String]], footnote: String, numeric: Set<Int>) {
        self.header = header
        self.rows = rows
        self.footnote = footnote
        self.numeric = numeric
    }

    static func f(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "n/a" }
    static func interval(_ i: PairResampling.Interval?) -> String {
        guard let i else { return "" }
        return i.isDefined ? "[\(f(i.lower)), \(f(i.upper))]" : "n/a"
    }

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
        let vectors = results.contains(where: \.normalized)
            ? "embeddings L2-normalised (--normalize; dot/euclidean/manhattan in JSON and CSV score the normalised vectors)"
            : "embeddings as pooled, not normalised (dot/euclidean/manhattan in JSON and CSV score the raw vectors; --normalize scores unit vectors)"
        footnote = (["Spearman/Pearson ×100 of cosine similarity vs gold; intervals: paired bootstrap over "
            + "pairs, \(resamples) resamples; * = the \(level)% interval of Δ excludes 0.", vectors] + notes).joined(separator: "\n")
    }

    func text(markdown: Bool) -> String {
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

/// A retrieval or classification table: every metric, the main one's interval, and the main
/// metric's difference from the baseline.
struct TaskTable {
    let table: ReportTable

    init(_ results: [TaskResult]) {
        let level = Int(((results.first?.confidenceLevel ?? 0.95) * 100).rounded())
        let baseline = results.compactMap(\.baseline).first ?? "baseline"
        let names = results.first?.metrics.map(\.name) ?? []
        let main = results.first?.mainMetric ?? ""
        let header = ["dataset", "strategy"] + names + ["\(main) \(level)% CI", "Δ \(main) vs \(baseline)", "Δ \(level)% CI", "p", ""]
        let rows = results.map { r -> [String] in
            let first = r.metrics.first
            let difference = first?.difference.map { $0.isFinite ? ($0 >= 0 ? "+" : "") + ReportTable.f($0) : "n/a" } ?? ""
            let p = first?.pValue.map { $0 < 0.001 ? "<0.001" : String(format: "%.3f", $0) } ?? ""
            return [r.dataset, r.strategy] + r.metrics.map { ReportTable.f($0.value) }
                + [ReportTable.interval(first?.ci), difference, ReportTable.interval(first?.differenceCI), p,
                   first?.isSignificant == true ? "*" : ""]
        }
        let task = results.first?.task ?? .retrieval
        let threshold = String(format: "%g", results.first?.relevantAt ?? 4)
        let what: String
        switch task {
        case .retrieval:
            let queries = results.first?.counts["queries"] ?? 0, corpus = results.first?.counts["corpus"] ?? 0
            what = "Pair retrieval (×100, cosine): \(queries) queries (first sentences of pairs with gold ≥ \(threshold)) "
                + "against \(corpus) second sentences; relevant: paired at gold ≥ \(threshold)."
        case .classification, .sts:
            what = "Pair classification (×100, cosine): positive = gold ≥ \(threshold) (or label 1); "
                + "ap = average precision, accuracy and f1 at their best thresholds."
        }
        var notes: [String] = []
        for r in results {
            if let note = r.note, !notes.contains(where: { $0.hasSuffix(note) }) { notes.append("n/a (\(r.dataset)): \(note)") }
        }
        let resamples = results.first?.resamples ?? 0
        let footnote = ([what, "Intervals: paired bootstrap over \(task == .retrieval ? "queries" : "pairs"), \(resamples) "
            + "resamples; * = the \(level)% interval of Δ excludes 0."] + notes).joined(separator: "\n")
        let numeric = Set((2..<(2 + names.count)).map { $0 } + [2 + names.count + 1, 2 + names.count + 3])
        table = ReportTable(header: header, rows: rows, footnote: footnote, numeric: numeric)
    }
}

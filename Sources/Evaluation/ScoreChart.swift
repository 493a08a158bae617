import Foundation

/// An SVG chart of each strategy's Spearman (cosine) with its bootstrap interval, per dataset.
///
/// One panel per dataset; one row per strategy: a dot at the score and a whisker over the
/// interval; the baseline's score is a dashed vertical line, labelled with its name, so overlaps are
/// easy to see. Each panel has an axis title; a legend explains the colours; the caption and notes
/// are wrapped to the chart's width.
public enum ScoreChart {
    /// `text` with `&`, `<` and `>` escaped, for SVG text content (every chart's labels).
    public static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    public static func svg(_ results: [StrategyResult]) -> String {
        let datasets = results.map(\.dataset).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let labelWidth = 190.0, plotWidth = 460.0, rowHeight = 22.0, panelGap = 36.0, margin = 16.0
        let finite = results.flatMap { [$0.spearmanCosineCI.lower, $0.spearmanCosineCI.upper, $0.spearmanCosine] }
            .filter(\.isFinite)
        let low = ((finite.min() ?? 0) - 0.5).rounded(.down)
        let high = ((finite.max() ?? 100) + 0.5).rounded(.up)
        let span = max(high - low, 1)
        func x(_ value: Double) -> Double { margin + labelWidth + (value - low) / span * plotWidth }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }

        var body: [String] = []
        var y = margin + 14
        for dataset in datasets {
            let rows = results.filter { $0.dataset == dataset }
            body.append("<text x=\"\(f(margin))\" y=\"\(f(y))\" font-weight=\"bold\">\(escaped(dataset))</text>")
            y += 22  // room for the baseline's label above the dashed line
            let top = y
            let bottom = y + Double(rows.count) * rowHeight
            let baselineName = rows.compactMap(\.baseline).first
            if let baseline = rows.first(where: { $0.strategy == baselineName }), baseline.spearmanCosine.isFinite {
                body.append("<line x1=\"\(f(x(baseline.spearmanCosine)))\" y1=\"\(f(top))\" "
                    + "x2=\"\(f(x(baseline.spearmanCosine)))\" y2=\"\(f(bottom))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>")
                body.append("<text x=\"\(f(x(baseline.spearmanCosine)))\" y=\"\(f(top - 2))\" text-anchor=\"middle\" "
                    + "font-size=\"10\" fill=\"#777\">baseline: \(escaped(baseline.strategy))</text>")
            }
            for row in rows {
                let center = y + rowHeight / 2
                // Green: significantly better than the baseline; red: significantly worse.
                let color = row.isSignificant == true
                    ? ((row.spearmanCosineDifference ?? 0) > 0 ? "#1e8449" : "#c0392b") : "#2c3e50"
                body.append("<text x=\"\(f(margin))\" y=\"\(f(center + 4))\">\(escaped(row.strategy))</text>")
                if row.spearmanCosineCI.lower.isFinite && row.spearmanCosineCI.upper.isFinite {
                    body.append("<line x1=\"\(f(x(row.spearmanCosineCI.lower)))\" y1=\"\(f(center))\" "
                        + "x2=\"\(f(x(row.spearmanCosineCI.upper)))\" y2=\"\(f(center))\" stroke=\"\(color)\" stroke-width=\"2\"/>")
                }
                if row.spearmanCosine.isFinite {
                    body.append("<circle cx=\"\(f(x(row.spearmanCosine)))\" cy=\"\(f(center))\" r=\"4\" fill=\"\(color)\"/>")
                    body.append("<text x=\"\(f(margin + labelWidth + plotWidth + 8))\" y=\"\(f(center + 4))\">"
                        + "\(String(format: "%.2f", row.spearmanCosine))</text>")
                } else {
                    // Undefined: no point; the note below the chart says why.
                    body.append("<text x=\"\(f(margin + labelWidth + 8))\" y=\"\(f(center + 4))\" fill=\"#888\">"
                        + "undefined (see note)</text>")
                }
                y += rowHeight
            }
            // axis with ticks
            body.append("<line x1=\"\(f(x(low)))\" y1=\"\(f(y))\" x2=\"\(f(x(high)))\" y2=\"\(f(y))\" stroke=\"#333\"/>")
            let step = span > 20 ? 5.0 : (span > 8 ? 2.0 : 1.0)
            var tick = (low / step).rounded(.up) * step
            while tick <= high {
                body.append("<line x1=\"\(f(x(tick)))\" y1=\"\(f(y))\" x2=\"\(f(x(tick)))\" y2=\"\(f(y + 4))\" stroke=\"#333\"/>")
                body.append("<text x=\"\(f(x(tick)))\" y=\"\(f(y + 16))\" text-anchor=\"middle\" font-size=\"11\">"
                    + "\(Int(tick))</text>")
                tick += step
            }
            body.append("<text x=\"\(f(x((low + high) / 2)))\" y=\"\(f(y + 30))\" text-anchor=\"middle\" font-size=\"11\">"
                + "Spearman ×100 (cosine similarity vs gold)</text>")
            y += panelGap + 14
        }
        let width = margin * 2 + labelWidth + plotWidth + 60
        let level = Int(((results.first?.confidenceLevel ?? 0.95) * 100).rounded())
        let baselineName = results.compactMap(\.baseline).first
        // Legend: what each colour and the dashed line mean.
        var legend: [(color: String, text: String)] = [("#2c3e50", baselineName == nil ? "score" : "not significantly different")]
        if let baselineName {
            legend = [("#1e8449", "significantly better than \(baselineName)"), ("#c0392b", "significantly worse than \(baselineName)")]
                + legend
        }
        var legendX = margin
        for item in legend {
            if legendX > margin && legendX + 12 + Double(item.text.count) * 6 > width - margin {
                legendX = margin  // wrap the legend rather than cut it at the edge
                y += 16
            }
            body.append("<circle cx=\"\(f(legendX + 4))\" cy=\"\(f(y - 4))\" r=\"4\" fill=\"\(item.color)\"/>")
            body.append("<text x=\"\(f(legendX + 12))\" y=\"\(f(y))\" font-size=\"11\">\(escaped(item.text))</text>")
            legendX += 12 + Double(item.text.count) * 6 + 18
        }
        if let baselineName {
            body.append("<line x1=\"\(f(legendX))\" y1=\"\(f(y - 8))\" x2=\"\(f(legendX))\" y2=\"\(f(y + 2))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>")
            body.append("<text x=\"\(f(legendX + 6))\" y=\"\(f(y))\" font-size=\"11\">\(escaped(baselineName))'s score</text>")
        }
        y += 18
        var lines = Self.wrapped("Spearman ×100 of cosine similarity with \(level)% percentile bootstrap intervals over pairs; "
            + "significance: the paired \(level)% interval of the difference from the baseline excludes 0.",
            width: width - 2 * margin)
        for row in results {
            if let note = row.note { lines += Self.wrapped("\(row.dataset), \(row.strategy): \(note)", width: width - 2 * margin) }
        }
        for line in lines.prefix(14) {
            body.append("<text x=\"\(f(margin))\" y=\"\(f(y))\" font-size=\"11\" fill=\"#555\">\(escaped(line))</text>")
            y += 15
        }
        let height = y + margin
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            font-family="sans-serif" font-size="13">
            <rect width="100%" height="100%" fill="white"/>
            \(body.joined(separator: "\n"))
            </svg>

            """
    }

    /// `text` broken at spaces into lines of at most `width` points in an 11-point sans-serif
    /// (about 6 points a character, a safe upper bound for such fonts' average advance).
    static func wrapped(_ text: String, width: Double) -> [String] {
        let limit = max(20, Int(width / 6))
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + 1 + word.count > limit {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

import Foundation

/// An SVG chart of each strategy's Spearman (cosine) with its bootstrap interval, per dataset.
///
/// One panel per dataset; one row per strategy: a dot at the score and a whisker over the
/// interval; the baseline's score is a dashed vertical line so overlaps are easy to see.
public enum ScoreChart {
    public static func svg(_ results: [StrategyResult]) -> String {
        let datasets = results.map(\.dataset).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let labelWidth = 190.0, plotWidth = 460.0, rowHeight = 22.0, panelGap = 36.0, margin = 16.0
        let finite = results.flatMap { [$0.spearmanCosineCI.lower, $0.spearmanCosineCI.upper, $0.spearmanCosine] }
            .filter(\.isFinite)
        let low = ((finite.min() ?? 0) - 0.5).rounded(.down)
        let high = ((finite.max() ?? 100) + 0.5).rounded(.up)
        let span = max(high - low, 1)
        func x(_ value: Double) -> Double { margin + labelWidth + (value - low) / span * plotWidth }
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }

        var body: [String] = []
        var y = margin + 14
        for dataset in datasets {
            let rows = results.filter { $0.dataset == dataset }
            body.append("<text x=\"\(f(margin))\" y=\"\(f(y))\" font-weight=\"bold\">\(escaped(dataset))</text>")
            y += 10
            let top = y
            let bottom = y + Double(rows.count) * rowHeight
            let baselineName = rows.compactMap(\.baseline).first
            if let baseline = rows.first(where: { $0.strategy == baselineName }), baseline.spearmanCosine.isFinite {
                body.append("<line x1=\"\(f(x(baseline.spearmanCosine)))\" y1=\"\(f(top))\" "
                    + "x2=\"\(f(x(baseline.spearmanCosine)))\" y2=\"\(f(bottom))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>")
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
            y += panelGap
        }
        let level = Int(((results.first?.confidenceLevel ?? 0.95) * 100).rounded())
        body.append("<text x=\"\(f(margin))\" y=\"\(f(y))\" font-size=\"11\" fill=\"#555\">Spearman ×100 of cosine "
            + "similarity with \(level)% bootstrap intervals; green / red: significantly better / worse than the baseline (dashed).</text>")
        var notes: [String] = []
        for row in results { if let note = row.note { notes.append("\(row.dataset), \(row.strategy): \(note)") } }
        for note in notes.prefix(10) {
            y += 16
            body.append("<text x=\"\(f(margin))\" y=\"\(f(y))\" font-size=\"11\" fill=\"#555\">\(escaped(note))</text>")
        }
        let width = margin * 2 + labelWidth + plotWidth + 60
        let height = y + margin
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            font-family="sans-serif" font-size="13">
            <rect width="100%" height="100%" fill="white"/>
            \(body.joined(separator: "\n"))
            </svg>

            """
    }
}

import Evaluation
import Foundation

extension SweepReport {
    /// An SVG line chart of Spearman (cosine, ×100) by layer, one line per method: solid on test
    /// (with its bootstrap interval as a whisker at each layer), dotted on dev; on dev alone when
    /// there is no test split. The choice made on dev is ringed. Undefined figures leave a gap in
    /// their line, and a note says so.
    public func svg() -> String {
        let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
        let methods = self.methods
        let layerNumbers = layers.map(\.layer)
        let margin = 16.0, left = 56.0, plotWidth = 560.0, plotHeight = 300.0, top = 44.0
        let legendWidth = 270.0
        func scores(_ pick: (MethodResult) -> StrategyResult?) -> [Double] {
            layers.flatMap { $0.methods.compactMap(pick) }.flatMap { [$0.spearmanCosine, $0.spearmanCosineCI.lower, $0.spearmanCosineCI.upper] }
        }
        let finite = (scores(\.dev) + scores(\.test)).filter(\.isFinite)
        let low = (((finite.min() ?? 0) - 2) / 10).rounded(.down) * 10
        let high = (((finite.max() ?? 100) + 2) / 10).rounded(.up) * 10
        let minLayer = Double(layerNumbers.min() ?? 0), maxLayer = Double(layerNumbers.max() ?? 1)
        func x(_ layer: Int) -> Double {
            let inset = 14.0  // keeps the first and last points off the axes
            return maxLayer > minLayer
                ? margin + left + inset + (Double(layer) - minLayer) / (maxLayer - minLayer) * (plotWidth - 2 * inset)
                : margin + left + plotWidth / 2
        }
        func y(_ value: Double) -> Double { top + (high - value) / max(high - low, 1) * plotHeight }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        let escaped = ScoreChart.escaped
        var body: [String] = []
        let split = hasTest ? "test" : "dev"
        body.append("<text x=\"\(f(margin))\" y=\"\(f(margin + 8))\" font-weight=\"bold\">Spearman (cosine) ×100 by layer, on \(split)"
            + (hasTest ? " (solid, with \(Int((confidenceLevel * 100).rounded()))% intervals) and dev (dotted)" : "") + "</text>")
        // Axes and grid.
        var tick = low
        while tick <= high + 1e-9 {
            body.append("<line x1=\"\(f(margin + left))\" y1=\"\(f(y(tick)))\" x2=\"\(f(margin + left + plotWidth))\" y2=\"\(f(y(tick)))\" stroke=\"#eee\"/>")
            body.append("<text x=\"\(f(margin + left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\" font-size=\"11\">\(Int(tick))</text>")
            tick += (high - low) > 40 ? 10 : 5
        }
        let every = max(1, Int((Double(layerNumbers.count) / 16).rounded(.up)))
        for (i, layer) in layerNumbers.enumerated() where i % every == 0 || i == layerNumbers.count - 1 {
            body.append("<text x=\"\(f(x(layer)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\" font-size=\"11\">\(layer)</text>")
        }
        body.append("<line x1=\"\(f(margin + left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(margin + left + plotWidth))\" y2=\"\(f(top + plotHeight))\" stroke=\"#333\"/>")
        body.append("<line x1=\"\(f(margin + left))\" y1=\"\(f(top))\" x2=\"\(f(margin + left))\" y2=\"\(f(top + plotHeight))\" stroke=\"#333\"/>")
        body.append("<text x=\"\(f(margin + left + plotWidth / 2))\" y=\"\(f(top + plotHeight + 34))\" text-anchor=\"middle\">layer (0: embeddings)</text>")

        var undefined: [String] = []
        for (m, method) in methods.enumerated() {
            let color = palette[m % palette.count]
            func polyline(_ pick: (MethodResult) -> StrategyResult?, dashed: Bool) {
                var segment: [String] = []
                func flush() {
                    if segment.count > 1 {
                        body.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(dashed ? 1.2 : 2)\""
                            + (dashed ? " stroke-dasharray=\"2 3\"" : "") + " points=\"\(segment.joined(separator: " "))\"/>")
                    }
                    segment = []
                }
                for layer in layers {
                    guard let result = layer.methods.first(where: { $0.method == method }).flatMap(pick) else { continue }
                    guard result.spearmanCosine.isFinite else {
                        let entry = "L\(layer.layer) \(method)" + (result.note.map { " (\($0))" } ?? "")
                        if !undefined.contains(entry) { undefined.append(entry) }
                        flush()
                        continue
                    }
                    segment.append("\(f(x(layer.layer))),\(f(y(result.spearmanCosine)))")
                    if !dashed {
                        let ci = result.spearmanCosineCI
                        if ci.isDefined {
                            body.append("<line x1=\"\(f(x(layer.layer)))\" y1=\"\(f(y(ci.lower)))\" x2=\"\(f(x(layer.layer)))\" "
                                + "y2=\"\(f(y(ci.upper)))\" stroke=\"\(color)\" stroke-opacity=\"0.45\"/>")
                        }
                        body.append("<circle cx=\"\(f(x(layer.layer)))\" cy=\"\(f(y(result.spearmanCosine)))\" r=\"2.5\" fill=\"\(color)\"/>")
                    }
                }
                flush()
            }
            if hasTest {
                polyline(\.dev, dashed: true)
                polyline(\.test, dashed: false)
            } else {
                polyline(\.dev, dashed: false)
            }
            let legendY = top + 10 + Double(m) * 18
            let legendX = margin + left + plotWidth + 20
            body.append("<line x1=\"\(f(legendX))\" y1=\"\(f(legendY))\" x2=\"\(f(legendX + 18))\" y2=\"\(f(legendY))\" stroke=\"\(color)\" stroke-width=\"2\"/>")
            body.append("<text x=\"\(f(legendX + 24))\" y=\"\(f(legendY + 4))\" font-size=\"12\">\(escaped(method))</text>")
        }
        if let best, let value = hasTest ? best.testSpearmanCosine : best.devSpearmanCosine {
            body.append("<circle cx=\"\(f(x(best.layer)))\" cy=\"\(f(y(value)))\" r=\"7\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\"/>")
            let legendY = top + 10 + Double(methods.count) * 18 + 8
            let legendX = margin + left + plotWidth + 20
            body.append("<circle cx=\"\(f(legendX + 9))\" cy=\"\(f(legendY))\" r=\"6\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\"/>")
            body.append("<text x=\"\(f(legendX + 24))\" y=\"\(f(legendY + 4))\" font-size=\"12\">chosen on dev: L\(best.layer) \(escaped(best.method))</text>")
        }
        var height = top + plotHeight + 48
        if !undefined.isEmpty {
            for entry in undefined.prefix(4) {
                body.append("<text x=\"\(f(margin))\" y=\"\(f(height))\" font-size=\"11\" fill=\"#777\">"
                    + "Undefined, left out: \(escaped(entry)).</text>")
                height += 15
            }
            if undefined.count > 4 {
                body.append("<text x=\"\(f(margin))\" y=\"\(f(height))\" font-size=\"11\" fill=\"#777\">"
                    + "… and \(undefined.count - 4) more undefined figures (null in report.json).</text>")
                height += 15
            }
        }
        let width = margin * 2 + left + plotWidth + legendWidth + 40
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" \
            font-family="Helvetica, Arial, sans-serif" font-size="13">
            <rect width="100%" height="100%" fill="#fff"/>
            \(body.joined(separator: "\n"))
            </svg>

            """
    }
}

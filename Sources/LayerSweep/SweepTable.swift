import Evaluation
import Foundation
import Pooling

extension SweepReport {
    /// The report as a plain-text (or Markdown) table: one row per (layer, method) with dev and
    /// test Spearman (cosine, ×100) and their bootstrap intervals; the choice made on dev is marked
    /// `<- best`, each layer's best on dev `·`; then the choice, the best head, the reference and
    /// their paired comparison on test, in words.
    public func table(markdown: Bool = false) -> String {
        let level = Int((confidenceLevel * 100).rounded())
        func f(_ value: Double?) -> String { value.map { $0.isFinite ? String(format: "%.2f", $0) : "n/a" } ?? "n/a" }
        func score(_ result: StrategyResult?) -> String {
            guard let result else { return "" }
            let ci = result.spearmanCosineCI
            return f(result.spearmanCosine) + (ci.isDefined ? String(format: " [%.2f, %.2f]", ci.lower, ci.upper) : "")
        }
        let header = ["layer", "method", "dev (\(level)% CI)"] + (hasTest ? ["test (\(level)% CI)"] : []) + [""]
        var rows: [[String]] = []
        for layer in layers {
            let layerBest = SweepSelection.best([layer])
            for (m, result) in layer.methods.enumerated() {
                let isBest = best.map { $0.layer == layer.layer && $0.method == result.method } ?? false
                let mark = isBest ? "<- best" : (layerBest?.method == result.method ? "·" : "")
                rows.append([m == 0 ? "L\(layer.layer)" : "", result.method, score(result.dev)]
                    + (hasTest ? [score(result.test)] : []) + [mark])
            }
        }
        var lines: [String] = []
        lines.append("Layer sweep of \(root): \(layers.count) layers × \(methods.count) methods; Spearman (cosine) ×100, "
            + "\(level)% bootstrap intervals over \(resamples) resamples; chosen on dev.")
        if let headDescription { lines.append("Head: \(headDescription), trained on each layer's train.h5.") }
        if let template, template != HeadProvenance.noTemplate { lines.append("States: every sentence wrapped in the template '\(template)'.") }
        for layer in layers where layer.referenceOnly == true {
            lines.append("L\(layer.layer): the model's last layer, not among --layers: fixed strategies only, as the reference.")
        }
        lines.append("")
        if markdown {
            lines.append("| " + header.joined(separator: " | ") + " |")
            lines.append("|" + header.map { _ in "---" }.joined(separator: "|") + "|")
            lines += rows.map { "| " + $0.joined(separator: " | ") + " |" }
        } else {
            let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
            func render(_ row: [String]) -> String {
                let text = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                return String(text.reversed().drop(while: { $0 == " " }).reversed())
            }
            lines.append(render(header))
            lines += rows.map(render)
        }
        lines.append("")
        func describe(_ choice: SweepChoice) -> String {
            var text = "L\(choice.layer) \(choice.method): dev \(f(choice.devSpearmanCosine))"
            if hasTest {
                text += ", test \(f(choice.testSpearmanCosine))"
                if let ci = choice.testSpearmanCosineCI { text += String(format: " [%.2f, %.2f]", ci.lower, ci.upper) }
            }
            return text
        }
        if let best { lines.append("best on dev: " + describe(best)) }
        if let bestHead, bestHead != best { lines.append("best head on dev: " + describe(bestHead)) }
        if let lastLayerBestFixed { lines.append("last layer's best fixed pooling (on dev): " + describe(lastLayerBestFixed)) }
        if let comparison { lines.append(comparison.sentence(level: level)) }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension SweepComparison {
    /// The comparison in one sentence: the difference on test with its interval and p-value, and
    /// whether it is distinguishable from noise (the interval excludes 0).
    public func sentence(level: Int) -> String {
        let choiceName = "L\(choice.layer) \(choice.method)"
        let referenceName = "L\(reference.layer) \(reference.method)"
        guard let difference else {
            return "on test, \(choiceName) vs \(referenceName): \(note ?? "undefined")."
        }
        if choice.layer == reference.layer && choice.method == reference.method {
            return "the choice is the last layer's best fixed pooling: no sweep or head is needed on this model."
        }
        var text = "on test, \(choiceName) − \(referenceName) = " + String(format: "%+.2f", difference)
        if let differenceCI { text += String(format: " (%d%% CI [%.2f, %.2f]", level, differenceCI.lower, differenceCI.upper) }
        if let pValue { text += pValue < 0.001 ? "; p < 0.001" : String(format: "; p = %.3f", pValue) }
        if differenceCI != nil { text += ")" }
        text += significant == true ? (difference > 0 ? ": significantly better." : ": significantly worse.")
            : ": within noise on these pairs."
        return text
    }
}

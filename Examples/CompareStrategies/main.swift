// Compare pooling strategies on your own file of scored pairs.
//
//   swift run CompareStrategies data/stsb-minilm-l6-sample/test.h5
//
// The file needs /pairs and /scores (see the README's layouts). Prints Spearman of cosine with a
// 95 % bootstrap interval for each strategy, and each one's difference from mean pooling.
import Evaluation
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let path = arguments.first else {
    FileHandle.standardError.write(Data("usage: CompareStrategies FILE.h5\n".utf8))
    exit(2)
}
do {
    let run = ComparisonRun(
        datasets: [path],
        strategies: ["mean", "max", "cls", "last", "mean+max"],  // "+" concatenates strategies
        heads: [],
        baseline: "mean",
        evaluator: SimilarityEvaluator(resamples: 1000, confidenceLevel: 0.95),
        seed: 0)
    let results = try run.run()
    print(try ReportFormat.table.render(results), terminator: "")
    if let best = results.max(by: { $0.spearmanCosine < $1.spearmanCosine }) {
        let verdict = best.isSignificant == true ? "significantly" : "not significantly"
        print("best: \(best.strategy) (\(String(format: "%.2f", best.spearmanCosine))), "
            + (best.baseline == nil ? "the baseline itself" : "\(verdict) different from mean"))
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}

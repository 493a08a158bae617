import Evaluation
import Foundation
import Training

/// The paired comparison, on test, of the sweep's choice with the last layer's best fixed pooling:
/// `difference = choice − reference` in Spearman (cosine, ×100) on the same pairs, with its paired
/// bootstrap interval and two-sided p-value (``Evaluation/SimilarityEvaluator``).
public struct SweepComparison: Codable, Equatable, Sendable {
    public var choice: SweepChoice
    public var reference: SweepChoice
    /// nil when undefined or when there is no test split.
    public var difference: Double?
    public var differenceCI: PairResampling.Interval?
    public var pValue: Double?
    /// The interval excludes 0 (nil when undefined).
    public var significant: Bool?
    /// Why a figure is missing, or that choice and reference are the same.
    public var note: String?

    public init(choice: SweepChoice, reference: SweepChoice, difference: Double?, differenceCI: PairResampling.Interval?,
                pValue: Double?, significant: Bool?, note: String?) {
        self.choice = choice
        self.reference = reference
        self.difference = difference.finite
        self.differenceCI = differenceCI.flatMap { $0.isDefined ? $0 : nil }
        self.pValue = pValue.finite
        self.significant = self.difference == nil ? nil : significant
        self.note = note
    }
}

/// A finished sweep: every layer's results, the choice made on dev and its comparison on test.
/// `pooler sweep --format json` prints it (snake_case keys, `null` for undefined figures).
public struct SweepReport: Codable, Equatable, Sendable {
    public var root: String
    /// The learned head's settings (nil: no head was trained, `--no-head`).
    public var headDescription: String?
    /// The prompt template the layers' sentences were wrapped in (their files' `template`
    /// attribute, the same in all); `none` for bare sentences, nil when the files do not say.
    public var template: String?
    public var resamples: Int
    public var confidenceLevel: Double
    public var layers: [LayerResult]
    /// The highest dev Spearman over every layer and method.
    public var best: SweepChoice?
    /// The best head (chosen on dev) over the layers, when heads were trained.
    public var bestHead: SweepChoice?
    /// The best fixed strategy (chosen on dev) of the highest layer.
    public var lastLayerBestFixed: SweepChoice?
    /// ``best`` against ``lastLayerBestFixed`` on test.
    public var comparison: SweepComparison?

    public init(root: String, headDescription: String?, template: String? = nil, resamples: Int, confidenceLevel: Double,
                layers: [LayerResult], comparison: SweepComparison?) {
        self.root = root
        self.headDescription = headDescription
        self.template = template
        self.resamples = resamples
        self.confidenceLevel = confidenceLevel
        self.layers = layers.sorted { $0.layer < $1.layer }
        best = SweepSelection.best(layers)
        bestHead = SweepSelection.best(layers, including: \.learned)
        lastLayerBestFixed = SweepSelection.lastLayerFixed(layers)
        self.comparison = comparison
    }

    /// Reads a `report.json` (``json()``'s output).
    /// - Throws: ``SweepError/resultCorrupt(path:detail:)``.
    public static func read(from url: URL) throws -> SweepReport {
        do {
            return try SweepFiles.decoder().decode(SweepReport.self, from: Data(contentsOf: url))
        } catch {
            throw SweepError.resultCorrupt(path: url.path, detail: "\(error)")
        }
    }

    /// The report as JSON (pretty-printed, sorted snake_case keys).
    public func json() throws -> String {
        do {
            let data = try SnakeCaseJSON.encoder([.prettyPrinted, .sortedKeys]).encode(self)
            return String(decoding: data, as: UTF8.self) + "\n"
        } catch {
            throw SweepError.writeFailed(path: "the JSON report", detail: "\(error)")
        }
    }

    /// The method names in order of first appearance (fixed strategies, then the head).
    public var methods: [String] {
        layers.flatMap { $0.methods.map(\.method) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }

    /// Whether the layers were scored on a test split.
    public var hasTest: Bool { layers.contains { $0.files.test != nil } }
}

import Foundation
import Training

/// What a sweep is run with, recorded in `OUT/sweep.json` when it starts: a resumed sweep must
/// be given the same, so that every layer's figures are comparable.
public struct SweepSettings: Codable, Equatable, Sendable {
    /// The folder holding `L<k>/` (as given).
    public var root: String
    public var layers: [Int]
    /// The model's last layer (the root's highest `L<k>`), whose best fixed strategy the choice is
    /// compared with; evaluated with the fixed strategies even when not among ``layers``.
    public var referenceLayer: Int
    /// Fixed strategies in command-line form, in the order they are reported.
    public var strategies: [String]
    /// The head trained on every layer (its `head.dim` is set per layer from the files); nil: no head.
    public var training: TrainingConfiguration?
    public var resamples: Int
    public var confidenceLevel: Double
    /// Seed of every bootstrap (each layer and the final comparison restart from it).
    public var bootstrapSeed: UInt64

    public init(root: String, layers: [Int], referenceLayer: Int? = nil, strategies: [String], training: TrainingConfiguration?,
                resamples: Int = 1000, confidenceLevel: Double = 0.95, bootstrapSeed: UInt64 = 0) {
        self.root = root
        self.layers = layers
        self.referenceLayer = referenceLayer ?? layers.max() ?? 0
        self.strategies = strategies
        self.training = training
        self.resamples = resamples
        self.confidenceLevel = confidenceLevel
        self.bootstrapSeed = bootstrapSeed
    }

    /// The name the learned head carries in results: its kind, with `+projection` and `+normalize`
    /// when set (`additive+projection`, `multihead`); nil without a head.
    public var headName: String? { training.map(Self.headName(of:)) }

    /// The name of the head `configuration` describes (``headName``).
    public static func headName(of configuration: TrainingConfiguration) -> String {
        ([configuration.head.kind.rawValue] + (configuration.head.projection ? ["projection"] : [])
            + (configuration.head.normalize ? ["normalize"] : [])).joined(separator: "+")
    }

    /// The first setting that differs from `other`'s, as (name, recorded, requested); nil when equal.
    public func firstDifference(from other: SweepSettings) -> (field: String, recorded: String, requested: String)? {
        func text(_ value: [Int]) -> String { value.map(String.init).joined(separator: ",") }
        if layers != other.layers { return ("--layers", text(layers), text(other.layers)) }
        if referenceLayer != other.referenceLayer {
            return ("the last layer under --root", "L\(referenceLayer)", "L\(other.referenceLayer)")
        }
        if strategies != other.strategies {
            return ("--strategies", strategies.joined(separator: ","), other.strategies.joined(separator: ","))
        }
        if resamples != other.resamples { return ("--resamples", "\(resamples)", "\(other.resamples)") }
        if confidenceLevel != other.confidenceLevel { return ("--confidence", "\(confidenceLevel)", "\(other.confidenceLevel)") }
        if bootstrapSeed != other.bootstrapSeed { return ("--bootstrap-seed", "\(bootstrapSeed)", "\(other.bootstrapSeed)") }
        switch (training, other.training) {
        case (nil, nil): break
        case (nil, _?): return ("the head", "none (--no-head)", "a head")
        case (_?, nil): return ("the head", "a head", "none (--no-head)")
        case let (mine?, theirs?):
            if let (field, recorded, requested) = mine.firstDifference(from: theirs) { return (field, recorded, requested) }
        }
        // The root may be spelled differently; the layers' files are checked one by one.
        return nil
    }
}

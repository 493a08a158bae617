import Evaluation
import Foundation
import Training

/// One method's scores at one layer: Spearman (and the rest of ``Evaluation/StrategyResult``) on
/// dev, where the sweep chooses, and on test, where it reports.
public struct MethodResult: Codable, Equatable, Sendable {
    /// A fixed strategy in command-line form (`mean`, `last`), or the learned head's name
    /// (``SweepSettings/headName``, e.g. `additive+projection`).
    public var method: String
    /// Whether `method` is a learned head (trained on this layer's train.h5).
    public var learned: Bool
    public var dev: StrategyResult
    public var test: StrategyResult?

    public init(method: String, learned: Bool, dev: StrategyResult, test: StrategyResult?) {
        self.method = method
        self.learned = learned
        self.dev = dev
        self.test = test
    }
}

/// What is recorded of a layer's learned head: where its training run is and how it went.
public struct HeadRun: Codable, Equatable, Sendable {
    /// The training run folder (`OUT/L<k>/run`), holding `head/`, `log.jsonl`, `summary.json`.
    public var run: String
    public var bestEpoch: Int?
    /// nil when undefined (e.g. constant dev scores), as every statistic here: JSON has no NaN.
    public var bestDevSpearman: Double?
    /// Dev Spearman before training (the head starts out equal to mean pooling).
    public var initialDevSpearman: Double?
    public var epochsCompleted: Int
    public var trainingSeconds: Double

    public init(run: String, bestEpoch: Int?, bestDevSpearman: Double?, initialDevSpearman: Double?,
                epochsCompleted: Int, trainingSeconds: Double) {
        self.run = run
        self.bestEpoch = bestEpoch
        self.bestDevSpearman = bestDevSpearman.finite
        self.initialDevSpearman = initialDevSpearman.finite
        self.epochsCompleted = epochsCompleted
        self.trainingSeconds = trainingSeconds
    }
}

/// The size and modification time of an input file when its layer was evaluated: a resumed sweep
/// compares them to notice a file replaced since (cheaper than hashing every layer's files again;
/// the layer being trained is checked by SHA-256, as `train --resume` does).
public struct InputFingerprint: Codable, Equatable, Sendable {
    public var path: String
    public var bytes: UInt64
    public var modified: Double

    public init(path: String, bytes: UInt64, modified: Double) {
        self.path = path
        self.bytes = bytes
        self.modified = modified
    }

    /// The fingerprint of the file at `path` now (nil when it cannot be read).
    public init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? NSNumber, let date = attributes[.modificationDate] as? Date
        else { return nil }
        self.init(path: path, bytes: size.uint64Value, modified: date.timeIntervalSince1970)
    }

    /// How the file differs now, or nil when it is as recorded.
    public func change() -> String? {
        guard let now = InputFingerprint(path: path) else { return "it can no longer be read" }
        if now.bytes != bytes { return "\(bytes) bytes then, \(now.bytes) now" }
        if now.modified != modified { return "modified since" }
        return nil
    }
}

/// Everything measured at one layer, written to `OUT/L<k>/result.json` once the layer is done
/// (a resumed sweep reads it instead of redoing the layer).
public struct LayerResult: Codable, Equatable, Sendable {
    public var layer: Int
    public var files: SweepLayer
    /// Fixed strategies in the order given, then the learned head (when trained).
    public var methods: [MethodResult]
    public var learnedHead: HeadRun?
    public var inputs: [InputFingerprint]
    /// The model's last layer, outside `--layers`: evaluated with the fixed strategies only, as the
    /// reference of the comparison (nil: a swept layer).
    public var referenceOnly: Bool?

    public init(layer: Int, files: SweepLayer, methods: [MethodResult], learnedHead: HeadRun?, inputs: [InputFingerprint],
                referenceOnly: Bool? = nil) {
        self.referenceOnly = referenceOnly
        self.layer = layer
        self.files = files
        self.methods = methods
        self.learnedHead = learnedHead
        self.inputs = inputs
    }

    /// Reads `url` as written by ``write(to:)``.
    /// - Throws: ``SweepError/resultCorrupt(path:detail:)``.
    public static func read(from url: URL) throws -> LayerResult {
        do {
            return try SweepFiles.decoder().decode(LayerResult.self, from: Data(contentsOf: url))
        } catch {
            throw SweepError.resultCorrupt(path: url.path, detail: "\(error)")
        }
    }

    /// Writes the result atomically (temporary file, then rename).
    /// - Throws: ``SweepError/writeFailed(path:detail:)``.
    public func write(to url: URL) throws {
        try SweepFiles.writeJSON(self, to: url)
    }
}

extension Optional where Wrapped == Double {
    /// The value when it is a finite number, else nil (written `null`).
    var finite: Double? { self.flatMap { $0.isFinite ? $0 : nil } }
}

/// Atomic writes of the sweep folder's files.
enum SweepFiles {
    /// `value` as pretty-printed snake_case JSON (``Training/SnakeCaseJSON``), written atomically.
    static func writeJSON(_ value: some Encodable, to url: URL) throws {
        let data: Data
        do {
            data = try SnakeCaseJSON.encoder([.prettyPrinted, .sortedKeys]).encode(value)
        } catch {
            throw SweepError.writeFailed(path: url.path, detail: "\(error)")
        }
        try write(data + Data("\n".utf8), to: url)
    }

    /// Reads what ``writeJSON(_:to:)`` writes: snake_case keys converted back, except inside the
    /// ``Evaluation/StrategyResult``s (`dev`, `test`) and head configurations (`head`), which name their keys themselves.
    static func decoder() -> JSONDecoder { SnakeCaseJSON.decoder(verbatimInside: ["head", "dev", "test"]) }

    /// Writes `data` atomically, creating the folder if needed.
    static func write(_ data: Data, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw SweepError.writeFailed(path: url.path, detail: error.localizedDescription)
        }
    }
}

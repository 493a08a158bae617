import Foundation

/// The layout of a training run's output directory:
///
/// ```
/// RUN_DIR/head/config.json, model.safetensors   the best head (Pooling's export format)
/// RUN_DIR/log.jsonl                             one EvaluationRecord per line
/// RUN_DIR/summary.json                          RunSummary
/// RUN_DIR/checkpoint/checkpoint.safetensors     Checkpoint (weights, AdamW state, progress, RNG, cursor)
/// ```
public struct RunDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public var head: URL { url.appendingPathComponent("head", isDirectory: true) }
    public var log: URL { url.appendingPathComponent("log.jsonl") }
    public var summary: URL { url.appendingPathComponent("summary.json") }
    public var checkpointFolder: URL { url.appendingPathComponent("checkpoint", isDirectory: true) }
    public var checkpoint: URL { checkpointFolder.appendingPathComponent(Checkpoint.fileName) }

    /// Creates the directory and `checkpoint/`.
    func create() throws {
        do {
            try FileManager.default.createDirectory(at: checkpointFolder, withIntermediateDirectories: true)
        } catch {
            throw TrainingError.writeFailed(path: checkpointFolder.path, detail: error.localizedDescription)
        }
    }

    /// Appends one JSON line to `log.jsonl` (snake_case keys).
    func appendLog(_ record: EvaluationRecord) throws {
        let encoder = SnakeCaseJSON.encoder([.sortedKeys])
        do {
            var line = try encoder.encode(record)
            line.append(0x0A)
            if !FileManager.default.fileExists(atPath: log.path) {
                try line.write(to: log)
                return
            }
            let handle = try FileHandle(forWritingTo: log)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } catch {
            throw TrainingError.writeFailed(path: log.path, detail: error.localizedDescription)
        }
    }

    /// Removes a stale log from an earlier, abandoned run (no checkpoint) before a fresh start.
    func resetLog() {
        try? FileManager.default.removeItem(at: log)
    }

    /// Writes `summary.json` atomically, pretty-printed with sorted snake_case keys.
    func writeSummary(_ summary: RunSummary) throws {
        let encoder = SnakeCaseJSON.encoder([.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        do {
            try encoder.encode(summary).write(to: self.summary, options: .atomic)
        } catch {
            throw TrainingError.writeFailed(path: self.summary.path, detail: error.localizedDescription)
        }
    }
}

/// `summary.json`: what was trained on what, how, and how well (dev only: no test numbers).
public struct RunSummary: Codable, Sendable {
    public struct Input: Codable, Sendable {
        public var path: String
        /// SHA-256 of the file's bytes (`nil` when the split did not come from a readable file).
        public var sha256: String?
        public var sentences: Int
        public var pairs: Int
        public var tokens: Int
        public var dim: Int
    }

    public struct Versions: Codable, Sendable {
        public var pooler: String
        public var headFormat: Int
        public var checkpointFormat: Int
        public var blasCore: String
        public var blasThreads: Int
    }

    public var configuration: TrainingConfiguration
    public var train: Input
    public var dev: Input
    public var seed: UInt64
    public var versions: Versions
    /// Pairs the loss trained on (InfoNCE: the positives only).
    public var trainPairsUsed: Int
    public var initialDevSpearman: Double
    public var bestDevSpearman: Double?
    public var bestEpoch: Int?
    public var bestStep: Int?
    public var stoppedBy: TrainingOutcome.Reason
    public var epochsCompleted: Int
    public var steps: Int
    public var elapsedSeconds: Double
    /// Where the best head was exported (relative to the run directory), when the run finished.
    public var head: String?
    /// The teacher file(s) and their digest, when distilling.
    public var teacher: Teacher?

    /// The teacher of a distillation run.
    public struct Teacher: Codable, Equatable, Sendable {
        public var paths: [String]
        /// The fixed pooling applied to hidden states (`mean`), or `nil` for embeddings files.
        public var pooling: String?
        public var sha256: String?
        public var dim: Int
    }

    /// Reads what ``RunDirectory`` writes to `summary.json` (``SnakeCaseJSON``; camelCase files of
    /// earlier versions too).
    public static func decode(_ data: Data) throws -> RunSummary {
        try SnakeCaseJSON.decoder().decode(RunSummary.self, from: data)
    }
}

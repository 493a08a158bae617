import Autodiff
import Foundation
import Pooling

/// Where training stands: enough, with the tensors of a ``Checkpoint``, to continue bit-identically.
public struct TrainingProgress: Codable, Equatable, Sendable {
    /// The best dev evaluation so far.
    public struct Best: Codable, Equatable, Sendable {
        /// Dev Spearman ×100.
        public var devSpearman: Double
        /// The epoch (1-based) during or after which it was measured.
        public var epoch: Int
        /// Optimiser steps taken when it was measured.
        public var step: Int
    }

    /// Epochs fully completed.
    public var epochsCompleted = 0
    /// Batches of the current epoch already taken (the data cursor).
    public var batchesInEpoch = 0
    /// Optimiser steps taken in total.
    public var step = 0
    /// The shuffling generator as it was before this epoch's shuffle: restoring it and shuffling
    /// again reproduces the epoch's order.
    public var epochStartGenerator: Xoshiro256StarStar
    public var initialDevSpearman: Double
    public var best: Best?
    /// Evaluations since the best one (early stopping counts these).
    public var evaluationsWithoutImprovement = 0
    /// All epochs ran, or early stopping ended the run.
    public var finished = false
    public var stoppedEarly = false
    /// Training wall time so far, across resumes.
    public var elapsedSeconds: Double = 0
    /// Sum and count of the losses since the last log record (so a resumed log continues the mean).
    public var lossSinceRecord: Double = 0
    public var stepsSinceRecord = 0
    /// Sums of each term of a combined loss since the last log record (`nil`: a single loss).
    public var partLossesSinceRecord: [Double]?

    public init(generator: Xoshiro256StarStar, initialDevSpearman: Double) {
        epochStartGenerator = generator
        self.initialDevSpearman = initialDevSpearman
    }
}

/// A resumable training state, stored as one safetensors file written atomically (temporary file,
/// then rename), so a crash never leaves a half-written checkpoint:
///
/// ```
/// tensors   parameters/<name>   current weights          best/<name>   weights of the best dev score
///           adam.m/<name>       AdamW first moments      adam.v/<name> AdamW second moments
/// metadata  "pooler_checkpoint": JSON {format_version, configuration, progress, optimizer_step, inputs}
///           (snake_case, ``SnakeCaseJSON``; camelCase checkpoints of earlier versions still read)
///           "pooler_checkpoint_sha256": SHA-256 of that JSON and every tensor (ContentDigest)
/// ```
/// Float32 values are stored bit-exactly (binary), which `--resume`'s bit-identical guarantee needs.
/// Reading verifies the digest and every field's range, so a flipped bit or an edited cursor is
/// an error naming the checkpoint, never a silently different run.
public struct Checkpoint: Equatable, Sendable {
    public static let formatVersion = 1
    public static let fileName = "checkpoint.safetensors"
    static let metadataKey = "pooler_checkpoint"
    static let digestKey = "pooler_checkpoint_sha256"

    public var configuration: TrainingConfiguration
    public var progress: TrainingProgress
    public var parameters: [String: Tensor]
    public var bestParameters: [String: Tensor]
    public var optimizer: AdamW.State
    /// SHA-256 of the training and dev files the run was started on (`--resume` checks them).
    public var inputs: InputDigests?

    /// The identity of a run's input files.
    public struct InputDigests: Codable, Equatable, Sendable {
        public var train: String
        public var dev: String
        /// The teacher file(s) when distilling (`nil` otherwise, and in checkpoints of earlier versions).
        public var teacher: String?
        public init(train: String, dev: String, teacher: String? = nil) {
            self.train = train
            self.dev = dev
            self.teacher = teacher
        }
    }

    public init(configuration: TrainingConfiguration, progress: TrainingProgress, parameters: [String: Tensor],
                bestParameters: [String: Tensor], optimizer: AdamW.State, inputs: InputDigests? = nil) {
        self.configuration = configuration
        self.progress = progress
        self.parameters = parameters
        self.bestParameters = bestParameters
        self.optimizer = optimizer
        self.inputs = inputs
    }

    private struct Header: Codable {
        var formatVersion: Int
        var configuration: TrainingConfiguration
        var progress: TrainingProgress
        var optimizerStep: Int
        var inputs: InputDigests?
    }

    /// All tensors under their stored names (`parameters/…`, `best/…`, `adam.m/…`, `adam.v/…`).
    private var namedTensors: [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (prefix, group) in zip(Self.groups, [parameters, bestParameters, optimizer.firstMoments, optimizer.secondMoments]) {
            for (name, tensor) in group { tensors[prefix + name] = tensor }
        }
        return tensors
    }

    private static let groups = ["parameters/", "best/", "adam.m/", "adam.v/"]

    /// Writes the checkpoint to `url` atomically.
    /// - Throws: ``TrainingError/writeFailed(path:detail:)``.
    public func write(to url: URL) throws {
        let named = namedTensors
        let tensors = named.mapValues { SafeTensors.Entry(shape: $0.shape, values: $0.scalars) }
        do {
            let header = Header(formatVersion: Self.formatVersion, configuration: configuration, progress: progress,
                                optimizerStep: optimizer.step, inputs: inputs)
            let jsonData = try SnakeCaseJSON.encoder([.sortedKeys]).encode(header)
            let metadata = [Self.metadataKey: String(decoding: jsonData, as: UTF8.self),
                            Self.digestKey: ContentDigest.sha256Hex(tensors: named, prefix: jsonData)]
            try SafeTensors.write(SafeTensors.Contents(tensors: tensors, metadata: metadata), to: url)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.writeFailed(path: url.path, detail: "\(error)")
        }
    }

    /// Reads and checks a checkpoint.
    /// - Throws: ``TrainingError/checkpointMissing(path:)``, ``TrainingError/checkpointCorrupt(path:detail:)``.
    public static func read(from url: URL) throws -> Checkpoint {
        guard FileManager.default.fileExists(atPath: url.path) else { throw TrainingError.checkpointMissing(path: url.path) }
        let contents: SafeTensors.Contents
        do {
            contents = try SafeTensors.read(url)
        } catch {
            throw TrainingError.checkpointCorrupt(path: url.path, detail: "\(error)")
        }
        guard let json = contents.metadata[metadataKey] else {
            throw TrainingError.checkpointCorrupt(path: url.path, detail: "no '\(metadataKey)' metadata (not a pooler checkpoint)")
        }
        let tensors = contents.tensors.mapValues { Tensor(shape: $0.shape, scalars: $0.values) }
        guard let recordedDigest = contents.metadata[digestKey] else {
            throw TrainingError.checkpointCorrupt(path: url.path, detail: "no '\(digestKey)' metadata (written by an older pooler, or edited)")
        }
        let actualDigest = ContentDigest.sha256Hex(tensors: tensors, prefix: Data(json.utf8))
        guard actualDigest == recordedDigest else {
            throw TrainingError.checkpointCorrupt(
                path: url.path, detail: "its SHA-256 does not match the one recorded when it was written "
                    + "(recorded \(recordedDigest.prefix(12))…, now \(actualDigest.prefix(12))…): the file was changed or is corrupt")
        }
        let header: Header
        do {
            header = try SnakeCaseJSON.decoder().decode(Header.self, from: Data(json.utf8))
        } catch {
            throw TrainingError.checkpointCorrupt(path: url.path, detail: "its training state does not decode: \(error)")
        }
        guard header.formatVersion == formatVersion else {
            throw TrainingError.checkpointCorrupt(
                path: url.path, detail: "format version \(header.formatVersion), this pooler reads \(formatVersion)")
        }
        var groups = [[String: Tensor]](repeating: [:], count: Self.groups.count)
        for (key, tensor) in tensors {
            guard let group = Self.groups.firstIndex(where: { key.hasPrefix($0) }) else {
                throw TrainingError.checkpointCorrupt(path: url.path, detail: "unexpected tensor '\(key)'")
            }
            if let bad = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
                throw TrainingError.checkpointCorrupt(path: url.path, detail: "tensor '\(key)' holds \(tensor.scalars[bad]) at index \(bad)")
            }
            groups[group][String(key.dropFirst(Self.groups[group].count))] = tensor
        }
        do {
            try header.configuration.validate()
        } catch {
            throw TrainingError.checkpointCorrupt(path: url.path, detail: "its configuration is invalid: \(error)")
        }
        if let problem = header.progress.inconsistency(epochs: header.configuration.epochs, optimizerStep: header.optimizerStep) {
            throw TrainingError.checkpointCorrupt(path: url.path, detail: problem)
        }
        let expected = header.configuration.head.tensorShapes
        for (group, tensors) in zip(Self.groups, groups) where !(group.hasPrefix("adam") && header.optimizerStep == 0) {
            for (name, shape) in expected where tensors[name]?.shape != shape {
                throw TrainingError.checkpointCorrupt(
                    path: url.path, detail: "tensor '\(group)\(name)' is \(tensors[name]?.shape.description ?? "missing"), expected \(shape)")
            }
        }
        return Checkpoint(configuration: header.configuration, progress: header.progress, parameters: groups[0],
                          bestParameters: groups[1],
                          optimizer: AdamW.State(firstMoments: groups[2], secondMoments: groups[3], step: header.optimizerStep),
                          inputs: header.inputs)
    }
}

extension TrainingProgress {
    /// The first field outside its range, described; `nil` when every field is plausible for a run of
    /// `epochs` epochs. (That the cursor fits the data — `batchesInEpoch < batchesPerEpoch` — is
    /// checked by the trainer, which knows the batch count.)
    func inconsistency(epochs: Int, optimizerStep: Int) -> String? {
        func outside(_ name: String, _ value: Int, _ range: ClosedRange<Int>) -> String? {
            range.contains(value) ? nil : "progress.\(name) = \(value) is outside \(range.lowerBound)…\(range.upperBound)"
        }
        if let problem = outside("epochsCompleted", epochsCompleted, 0...epochs) { return problem }
        if let problem = outside("batchesInEpoch", batchesInEpoch, 0...Int(Int32.max)) { return problem }
        if let problem = outside("step", step, 0...Int(Int32.max)) { return problem }
        if let problem = outside("optimizerStep", optimizerStep, 0...step) { return problem }
        if let problem = outside("evaluationsWithoutImprovement", evaluationsWithoutImprovement, 0...Int(Int32.max)) { return problem }
        if let problem = outside("stepsSinceRecord", stepsSinceRecord, 0...step) { return problem }
        if !epochStartGenerator.state.contains(where: { $0 != 0 }) { return "progress.epochStartGenerator is all zero" }
        if !(elapsedSeconds.isFinite && elapsedSeconds >= 0) { return "progress.elapsedSeconds = \(elapsedSeconds)" }
        if !lossSinceRecord.isFinite { return "progress.lossSinceRecord = \(lossSinceRecord)" }
        if !initialDevSpearman.isFinite { return "progress.initialDevSpearman = \(initialDevSpearman)" }
        if let best {
            if !best.devSpearman.isFinite { return "progress.best.devSpearman = \(best.devSpearman)" }
            if let problem = outside("best.epoch", best.epoch, 0...epochs) { return problem }
            if let problem = outside("best.step", best.step, 0...step) { return problem }
        }
        if stoppedEarly && !finished { return "progress.stoppedEarly is set but progress.finished is not" }
        return nil
    }
}

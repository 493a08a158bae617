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
/// metadata  "pooler_checkpoint": JSON {formatVersion, configuration, progress, optimizerStep}
/// ```
/// Float32 values are stored bit-exactly (binary), which `--resume`'s bit-identical guarantee needs.
public struct Checkpoint: Equatable, Sendable {
    public static let formatVersion = 1
    public static let fileName = "checkpoint.safetensors"
    static let metadataKey = "pooler_checkpoint"

    public var configuration: TrainingConfiguration
    public var progress: TrainingProgress
    public var parameters: [String: Tensor]
    public var bestParameters: [String: Tensor]
    public var optimizer: AdamW.State

    public init(configuration: TrainingConfiguration, progress: TrainingProgress, parameters: [String: Tensor],
                bestParameters: [String: Tensor], optimizer: AdamW.State) {
        self.configuration = configuration
        self.progress = progress
        self.parameters = parameters
        self.bestParameters = bestParameters
        self.optimizer = optimizer
    }

    private struct Header: Codable {
        var formatVersion: Int
        var configuration: TrainingConfiguration
        var progress: TrainingProgress
        var optimizerStep: Int
    }

    private static let groups = ["parameters/", "best/", "adam.m/", "adam.v/"]

    /// Writes the checkpoint to `url` atomically.
    /// - Throws: ``TrainingError/writeFailed(path:detail:)``.
    public func write(to url: URL) throws {
        var tensors: [String: SafeTensors.Entry] = [:]
        for (prefix, group) in zip(Self.groups, [parameters, bestParameters, optimizer.firstMoments, optimizer.secondMoments]) {
            for (name, tensor) in group { tensors[prefix + name] = SafeTensors.Entry(shape: tensor.shape, values: tensor.scalars) }
        }
        do {
            let header = Header(formatVersion: Self.formatVersion, configuration: configuration, progress: progress,
                                optimizerStep: optimizer.step)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let json = String(decoding: try encoder.encode(header), as: UTF8.self)
            try SafeTensors.write(SafeTensors.Contents(tensors: tensors, metadata: [Self.metadataKey: json]), to: url)
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
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(json.utf8))
        } catch {
            throw TrainingError.checkpointCorrupt(path: url.path, detail: "its training state does not decode: \(error)")
        }
        guard header.formatVersion == formatVersion else {
            throw TrainingError.checkpointCorrupt(
                path: url.path, detail: "format version \(header.formatVersion), this pooler reads \(formatVersion)")
        }
        var groups = [[String: Tensor]](repeating: [:], count: Self.groups.count)
        for (key, entry) in contents.tensors {
            guard let group = Self.groups.firstIndex(where: { key.hasPrefix($0) }) else {
                throw TrainingError.checkpointCorrupt(path: url.path, detail: "unexpected tensor '\(key)'")
            }
            groups[group][String(key.dropFirst(Self.groups[group].count))] = Tensor(shape: entry.shape, scalars: entry.values)
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
                          optimizer: AdamW.State(firstMoments: groups[2], secondMoments: groups[3], step: header.optimizerStep))
    }
}

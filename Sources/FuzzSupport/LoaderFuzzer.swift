import Autodiff
import Foundation
import Pooling
import Training

/// The seeded mutation loop over the two non-HDF5 loaders a user's files reach:
/// - a head folder (`config.json` + `model.safetensors`, loaded with `HeadExport.load`), mutating
///   either file (or both);
/// - a training checkpoint (`checkpoint.safetensors`, read with `Checkpoint.read`).
/// Seeds are made here (an additive+projection head, a multihead head, and a checkpoint of each),
/// so the run needs no committed files; each mutant depends only on the seed and the iteration.
/// Every outcome must be a value or a typed error (`PoolingError`, `SafeTensorsError`, `TrainingError`).
public struct LoaderFuzzer {
    public struct Outcomes: Sendable, CustomStringConvertible {
        public var iterations = 0
        public var ok = 0
        public var typedErrors = 0
        public var otherErrors: [String] = []
        public var description: String {
            "\(iterations) inputs: \(ok) loaded, \(typedErrors) typed errors, \(otherErrors.count) other errors"
                + (otherErrors.isEmpty ? "" : " (first: \(otherErrors[0]))")
        }
    }

    public enum Target: String, CaseIterable, Sendable { case head, checkpoint }

    let folder: URL

    /// `folder` receives the seeds and each mutant (use a RAM disk such as /dev/shm for speed).
    public init(folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// The seed files of `target`: `[name: bytes]` sets (a head: config.json + model.safetensors).
    public func seeds(_ target: Target) throws -> [[String: [UInt8]]] {
        let configurations = [HeadConfiguration(kind: .additive, dim: 6, hidden: 4, projection: true, normalize: true),
                              HeadConfiguration(kind: .multihead, dim: 6, heads: 2, keyDim: 3)]
        return try configurations.enumerated().map { index, configuration in
            var head = makeHead(configuration, seed: UInt64(index + 1))
            var generator = Xoshiro256StarStar(seed: 9)
            for name in head.parameters.keys.sorted() {
                guard let value = head.parameters[name] else { continue }
                head.parameters[name] = value + Tensor.randomNormal(value.shape, standardDeviation: 0.1, using: &generator)
            }
            switch target {
            case .head:
                return [HeadExport.configurationFileName: Array(try HeadExport.configurationData(head.configuration)),
                        HeadExport.weightsFileName: Array(try SafeTensors.encode(HeadExport.weights(head)))]
            case .checkpoint:
                let training = TrainingConfiguration(head: configuration, epochs: 3)
                var progress = TrainingProgress(generator: Xoshiro256StarStar(seed: 4), initialDevSpearman: 50)
                progress.step = 7
                progress.batchesInEpoch = 2
                progress.epochsCompleted = 1
                var optimizer = AdamW(hyperparameters: .init())
                var parameters = head.parameters
                optimizer.step(&parameters, gradients: head.parameters, learningRate: 1e-3)
                let checkpoint = Checkpoint(configuration: training, progress: progress, parameters: parameters,
                                            bestParameters: head.parameters, optimizer: optimizer.state,
                                            inputs: .init(train: String(repeating: "a", count: 64), dev: String(repeating: "b", count: 64)))
                let url = folder.appendingPathComponent("seed-checkpoint.safetensors")
                try checkpoint.write(to: url)
                return [Checkpoint.fileName: Array(try Data(contentsOf: url))]
            }
        }
    }

    /// Runs `iterations` mutants of `target`'s seeds from `start`, seeded by `seed`.
    public func run(_ target: Target, iterations: Int, seed: UInt64, start: Int = 0) throws -> Outcomes {
        let seedSets = try seeds(target)
        let names = seedSets[0].keys.sorted()
        var outcomes = Outcomes()
        for iteration in start..<(start + iterations) {
            var mixer = SplitMix64(seed: seed &+ UInt64(iteration))
            let set = seedSets[Int(mixer.next() % UInt64(seedSets.count))]
            let mutated = names.count == 1 ? [names[0]] : (mixer.next() % 3 == 0 ? names : [names[Int(mixer.next() % UInt64(names.count))]])
            let mutantFolder = folder.appendingPathComponent("current")
            try? FileManager.default.removeItem(at: mutantFolder)
            try FileManager.default.createDirectory(at: mutantFolder, withIntermediateDirectories: true)
            for name in names {
                var bytes = set[name] ?? []
                if mutated.contains(name) {
                    let mutator = ByteMutator(seeds: [bytes])
                    bytes = mutator.mutant(seed: mixer.next(), iteration: iteration).bytes
                }
                try Data(bytes).write(to: mutantFolder.appendingPathComponent(name))
            }
            outcomes.iterations += 1
            do {
                switch target {
                case .head: _ = try HeadExport.load(from: mutantFolder)
                case .checkpoint: _ = try Checkpoint.read(from: mutantFolder.appendingPathComponent(Checkpoint.fileName))
                }
                outcomes.ok += 1
            } catch is PoolingError, is SafeTensorsError, is TrainingError {
                outcomes.typedErrors += 1
            } catch {
                if outcomes.otherErrors.count < 5 { outcomes.otherErrors.append("iteration \(iteration): \(error)") }
                else { outcomes.otherErrors.append("") }
            }
        }
        return outcomes
    }
}

import Autodiff
import Foundation
import HiddenStates
import Pooling

/// Files and heads generated for the `embed` / `export` tests (never shared data).
final class PoolingScratch {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pooling-cli-tests-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Sentence lengths of the generated file: uneven, with one-token sentences.
    static let lengths = [3, 1, 7, 2, 5, 1, 4]

    /// A ragged float16 file of `lengths.count` sentences (seeded values), with texts and
    /// `special_tokens` = "cls_first,sep_last" unless `specialTokens` is false.
    func writeHiddenStates(_ name: String, dim: Int, specialTokens: Bool = true, seed: UInt64 = 1) throws -> String {
        let output = path(name)
        var generator = Xoshiro256StarStar(seed: seed)
        let writer = try RaggedWriter(path: output, dim: dim, options: .init(chunkRows: 4),
                                      attributes: specialTokens ? ["special_tokens": .string("cls_first,sep_last")] : [:])
        for (i, length) in Self.lengths.enumerated() {
            let values = Tensor.randomNormal([length, dim], using: &generator).scalars
            try writer.append(sentence: ArraySlice(values), text: "sentence \(i)")
        }
        try writer.finish()
        return output
    }

    /// The packed rows of a file as the reader returns them (float16 already widened).
    static func rows(_ path: String) throws -> (rows: Tensor, segments: Segments) {
        let file = try HiddenStatesFile(path: path)
        let batch = try file.readAll()
        return (Tensor(shape: [batch.tokenCount, batch.dim], scalars: batch.tokens), Segments(offsets: batch.offsets))
    }

    /// A head with every tensor perturbed (non-zero scores: not mean pooling), exported to `name`.
    func exportPerturbedHead(_ configuration: HeadConfiguration, to name: String, seed: UInt64 = 5) throws -> (any PoolingHead, URL) {
        var head = makeHead(configuration, seed: seed)
        var generator = Xoshiro256StarStar(seed: seed &+ 1)
        for key in head.parameters.keys.sorted() {
            guard let value = head.parameters[key] else { continue }
            head.parameters[key] = value + Tensor.randomNormal(value.shape, standardDeviation: 0.5, using: &generator)
        }
        let folder = url.appendingPathComponent(name)
        try HeadExport.write(head, to: folder)
        return (head, folder)
    }

    /// `/embeddings` of an output file, `[N, D]`.
    static func embeddings(_ path: String) throws -> Tensor {
        let reader = try HDF5Reader(path: path)
        return Tensor(shape: try reader.shape("/embeddings"), scalars: try reader.floats("/embeddings"))
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.shape == b.shape else { return .infinity }
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }
}

/// `python3` with numpy, h5py and safetensors, for comparing with `Examples/python/pool.py`.
enum PythonReference {
    /// The repository root, found from this file's path (Tests/CLITests/…).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let script = repositoryRoot.appendingPathComponent("Examples/python/pool.py")

    /// Whether `python3 -c "import numpy, h5py, safetensors"` succeeds.
    static let isAvailable: Bool = {
        do {
            return try run(["-c", "import numpy, h5py, safetensors"]).status == 0
        } catch {
            return false  // no python3 to start: the comparison is skipped, saying why
        }
    }()

    static func run(_ arguments: [String]) throws -> PoolerProcess {
        try PoolerProcess.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + arguments)
    }
}

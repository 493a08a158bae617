import Autodiff
import Foundation
import HiddenStates

/// The seed files of the HDF5 fuzzer: small valid hidden-states files (a few KB each) covering both
/// layouts, float16 and float32, chunked + gzip and contiguous, with and without pairs.
///
/// The committed copies live in `Tests/Fuzz/seeds/hdf5/`; `PoolerBench fuzz-hdf5 --write-seeds DIR`
/// regenerates them with `write(to:)` (deterministic values; HDF5 may still vary a few header bytes).
public enum FuzzSeeds {
    /// The committed seed folder, relative to the package root.
    public static let committedFolder = "Tests/Fuzz/seeds/hdf5"

    /// Writes every seed into `directory` (which must exist) and returns their paths, sorted.
    public static func write(to directory: String) throws -> [String] {
        func path(_ name: String) -> String { URL(fileURLWithPath: directory).appendingPathComponent(name).path }
        var written: [String] = []
        let attributes: [String: AttributeValue] = ["model": .string("fuzz-seed"), "special_tokens": .string("cls_first,sep_last")]

        // Ragged float16, chunked + shuffle + gzip over several chunks (the parallel path), pairs, scores, texts, vocab.
        let small = batch(count: 12, dim: 4, maxLength: 6, seed: 1)
        let ragged16 = path("ragged-f16-gzip-pairs.h5")
        let writer16 = try RaggedWriter(path: ragged16, dim: small.dim,
                                        options: .init(storage: .float16, chunkRows: 8, gzipLevel: 4, shuffle: true),
                                        attributes: attributes)
        for k in 0..<small.count {
            try writer16.append(sentence: small.tokens(of: k), text: "sentence \(k)",
                                inputIDs: (0..<small.length(of: k)).map { Int32($0 + 100) })
        }
        try writer16.finish(pairs: [SentencePair(0, 1), SentencePair(2, 3), SentencePair(4, 11)], scores: [4.5, 1.0, 2.25],
                            vocabulary: ["[PAD]", "[CLS]", "[SEP]", "a", "b"])
        written.append(ragged16)

        // Ragged float32, chunked + gzip + Fletcher-32, no pairs.
        let ragged32 = path("ragged-f32-gzip-fletcher.h5")
        let writer32 = try RaggedWriter(path: ragged32, dim: 3,
                                        options: .init(storage: .float32, chunkRows: 16, gzipLevel: 1, shuffle: false,
                                                       fletcher32: true))
        try writer32.append(batch(count: 8, dim: 3, maxLength: 5, seed: 2))
        try writer32.finish()
        written.append(ragged32)

        // Ragged float32 and float16, contiguous (no chunks, no filters), the first with pairs and scores.
        for (type, name, pairs) in [(HDF5Writer.StoredType.float32, "ragged-f32-contiguous-pairs.h5", true),
                                    (.float16, "ragged-f16-contiguous.h5", false)] {
            let data = batch(count: 5, dim: 3, maxLength: 4, seed: 3)
            let file = path(name)
            let raw = try HDF5Writer(path: file)
            try raw.createDataset("/tokens", shape: [data.tokenCount, data.dim], type: type, values: .floats(data.tokens))
            try raw.createDataset("/offsets", shape: [data.offsets.count], type: .int64,
                                  values: .integers(data.offsets.map { Int64($0) }))
            try raw.createStrings("/sentences", (0..<data.count).map { "text \($0)" })
            if pairs {
                try raw.createDataset("/pairs", shape: [2, 2], type: .int64, values: .integers([0, 1, 3, 4]))
                try raw.createDataset("/scores", shape: [2], type: .float32, values: .floats([0.5, 3]))
            }
            try raw.setAttribute("hidden_size", .int(Int64(data.dim)))
            try raw.close()
            written.append(file)
        }

        // Padded float32, contiguous, right-padded, int64 mask.
        let padded = batch(count: 4, dim: 2, maxLength: 5, seed: 4)
        let padded32 = path("padded-f32-contiguous.h5")
        try PaddedWriter.write(padded, to: padded32, side: .right, storage: .float32, attributes: attributes)
        written.append(padded32)

        // Padded float16, chunked + shuffle + gzip, left-padded, int8 mask, with pairs and scores.
        let padded16 = path("padded-f16-gzip-pairs.h5")
        let mask16 = batch(count: 6, dim: 3, maxLength: 4, seed: 5)
        try writePadded(mask16, to: padded16)
        written.append(padded16)
        return written.sorted()
    }

    /// A padded float16 file written with the low-level writer (PaddedWriter writes no pairs).
    private static func writePadded(_ batch: PackedBatch, to path: String) throws {
        let n = batch.count
        let length = (0..<n).map(batch.length(of:)).max() ?? 1
        var states = [Float](repeating: 0, count: n * length * batch.dim)
        var mask = [Int64](repeating: 0, count: n * length)
        for i in 0..<n {
            let rows = batch.length(of: i)
            let start = length - rows
            let target = (i * length + start) * batch.dim
            states.replaceSubrange(target..<(target + rows * batch.dim), with: batch.tokens(of: i))
            for position in start..<length { mask[i * length + position] = 1 }
        }
        let writer = try HDF5Writer(path: path)
        try writer.createDataset("/hidden_states", shape: [n, length, batch.dim], type: .float16, values: .floats(states),
                                 filters: .init(chunk: [2, length, batch.dim], gzip: 4, shuffle: true))
        try writer.createDataset("/attention_mask", shape: [n, length], type: .int8, values: .integers(mask))
        try writer.createDataset("/pairs", shape: [3, 2], type: .int64, values: .integers([0, 1, 2, 3, 4, 5]))
        try writer.createDataset("/scores", shape: [3], type: .float32, values: .floats([1, 2, 3]))
        try writer.setAttribute("hidden_size", .int(Int64(batch.dim)))
        try writer.close()
    }

    /// `count` sentences of 1…`maxLength` tokens, values multiples of 1/8 in [-4, 4] (exact in float16).
    static func batch(count: Int, dim: Int, maxLength: Int, seed: UInt64) -> PackedBatch {
        var generator = SplitMix64(seed: seed)
        var offsets = [0]
        for _ in 0..<count { offsets.append(offsets[offsets.count - 1] + Int.random(in: 1...maxLength, using: &generator)) }
        let tokens = (0..<((offsets.last ?? 0) * dim)).map { _ in Float(Int.random(in: -32...32, using: &generator)) / 8 }
        return PackedBatch(tokens: tokens, offsets: offsets, dim: dim, sentences: Array(0..<count))
    }
}

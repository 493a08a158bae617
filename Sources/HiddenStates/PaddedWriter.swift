/// Writes the padded layout h5py users produce — `/hidden_states` `[N, L, D]` plus `/attention_mask`
/// `[N, L]` (1 = real token) — padded on the right or on the left, atomically. Meant for fixtures and
/// interoperability tests; pooler itself writes the ragged layout.
public enum PaddedWriter {
    /// Writes `batch` padded to `length` (default: its longest sentence).
    ///
    /// - Parameters:
    ///   - batch: packed sentences, `tokens` `[T, D]`, `offsets` `[N + 1]`.
    ///   - side: `.right` (real tokens first) or `.left` (padding first).
    ///   - storage: element type of `/hidden_states`; padding positions hold `padValue`.
    ///   - maskType: element type of `/attention_mask` (torch's default is int64).
    ///   - chunkSentences: sentences per chunk; nil writes contiguous, uncompressed data.
    public static func write(_ batch: PackedBatch, to path: String, length: Int? = nil, side: PaddingSide = .right,
                             storage: StorageType = .float32, maskType: HDF5Writer.StoredType = .int64,
                             padValue: Float = 0, chunkSentences: Int? = nil,
                             attributes: [String: AttributeValue] = [:]) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        precondition(side == .right || side == .left, "pad on the right or on the left")
        let n = batch.count
        let longest = (0..<n).map(batch.length(of:)).max() ?? 0
        let padded = length ?? longest
        precondition(padded >= longest, "length \(padded) is shorter than the longest sentence (\(longest))")
        let dim = batch.dim
        var states = [Float](repeating: padValue, count: n * padded * dim)
        var mask = [Int64](repeating: 0, count: n * padded)
        for i in 0..<n {
            let rows = batch.length(of: i)
            let start = side == .right ? 0 : padded - rows
            let target = (i * padded + start) * dim
            states.replaceSubrange(target..<(target + rows * dim), with: batch.tokens(of: i))
            for position in start..<(start + rows) { mask[i * padded + position] = 1 }
        }
        let output = try AtomicFile(destination: path)
        do {
            let writer = try HDF5Writer(path: output.temporary)
            let chunked = chunkSentences.map { HDF5Writer.Filters(chunk: [$0, padded, dim], gzip: 4, shuffle: true) }
            try writer.createDataset("/hidden_states", shape: [n, padded, dim],
                                     type: storage == .float16 ? .float16 : .float32, values: .floats(states),
                                     filters: chunked ?? HDF5Writer.Filters())
            try writer.createDataset("/attention_mask", shape: [n, padded], type: maskType, values: .integers(mask))
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
                try writer.setAttribute(name, value)
            }
            try writer.close()
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
    }
}

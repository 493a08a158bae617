import CPlatform
import CHDF5

extension HiddenStatesFile {
    /// The hidden states of `sentences` (file indices, any order, repeats allowed), packed in that order.
    ///
    /// Reads only those sentences' rows (hyperslabs; consecutive indices are read in one call), so
    /// memory is bounded by the batch plus the chunk cache.
    ///
    /// - Returns: `tokens` `[Σ lengths, D]`, `offsets` `[sentences.count + 1]`.
    /// - Throws: `sentenceIndexOutOfRange`, `nonFiniteValue` (when `options.checkFinite`),
    ///   `checksumMismatch`, `hdf5`.
    public func read(sentences: [Int]) throws -> PackedBatch {
        let batch = try readUnchecked(sentences: sentences)
        if options.checkFinite { try checkFinite(batch) }
        return batch
    }

    /// `read(sentences:)` without the NaN/Inf check.
    func readUnchecked(sentences: [Int]) throws -> PackedBatch {
        HDF5.enter()
        defer { HDF5.leave() }
        let n = metadata.sentences
        if let bad = sentences.first(where: { $0 < 0 || $0 >= n }) {
            throw HiddenStatesError.sentenceIndexOutOfRange(path: path, index: bad, sentences: n)
        }
        let dim = metadata.dim
        let name = hiddenStates.name
        var batchOffsets = [Int](repeating: 0, count: sentences.count + 1)
        for (k, sentence) in sentences.enumerated() {
            batchOffsets[k + 1] = try Sizes.sum(batchOffsets[k], offsets[sentence + 1] - offsets[sentence],
                                                path: path, dataset: name, what: "the token rows of the batch")
        }
        let rows = batchOffsets[sentences.count]
        let total = try Sizes.product([rows, dim], path: path, dataset: name, what: "the values of the batch")
        // The packed Floats plus the raw float16 or float64 bits they are converted from.
        let scratchBytes = switch metadata.dtype { case .float16: 2; case .float64: 8; default: 0 }
        try options.memoryBudget.check(count: total, elementBytes: 4 + scratchBytes, path: path, dataset: name,
                                       what: "\(sentences.count) sentences (\(rows) token rows × \(dim))")
        var failure: Error?
        let tokens = [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let base = buffer.baseAddress else {
                initialized = 0
                return
            }
            do {
                try fill(base, sentences: sentences, batchOffsets: batchOffsets)
                initialized = total
            } catch {
                // Hand back defined memory on failure; the array is discarded below.
                base.initialize(repeating: 0, count: total)
                initialized = total
                failure = error
            }
        }
        if let failure { throw failure }
        return PackedBatch(tokens: tokens, offsets: batchOffsets, dim: dim, sentences: sentences)
    }

    /// The hidden states of the contiguous sentences `sentences`, packed.
    public func read(sentences: Range<Int>) throws -> PackedBatch {
        try read(sentences: Array(sentences))
    }

    /// Every sentence's hidden states, packed: `tokens` `[T, D]`, `offsets` `[N + 1]`.
    /// For files that fit in memory; stream larger ones with `batches(size:order:)`.
    public func readAll() throws -> PackedBatch {
        try read(sentences: 0..<metadata.sentences)
    }

    /// Batches of `size` sentences in `order` (default: file order); the last may be smaller.
    ///
    /// For shuffled training over a compressed file larger than the chunk cache, a fully random
    /// order decompresses most chunks for every batch; `localityShuffledOrder(seed:window:)` keeps
    /// batches random while reading each chunk about once per epoch.
    public func batches(size: Int, order: [Int]? = nil) -> SentenceBatches {
        precondition(size > 0, "batch size \(size) must be positive")
        return SentenceBatches(file: self, order: order ?? Array(0..<metadata.sentences), size: size)
    }

    /// A shuffled order of all sentences whose batches stay within windows of `window` consecutive
    /// sentences: windows are visited in random order and shuffled inside, so each chunk is
    /// decompressed about once per epoch. `window` defaults to the sentences in ~4 chunks.
    public func localityShuffledOrder<G: RandomNumberGenerator>(using generator: inout G, window: Int? = nil) -> [Int] {
        let n = metadata.sentences
        guard n > 0 else { return [] }
        let chunkRows = metadata.storage.chunk?.first ?? 4096
        let rowsPerSentence = max(1, metadata.tokens / n)
        let size = max(1, window ?? (4 * chunkRows / rowsPerSentence))
        var windows = stride(from: 0, to: n, by: size).map { $0..<min(n, $0 + size) }
        windows.shuffle(using: &generator)
        var order: [Int] = []
        order.reserveCapacity(n)
        for window in windows { order.append(contentsOf: Array(window).shuffled(using: &generator)) }
        return order
    }

    /// The text of every sentence, `[N]`.
    /// - Throws: `missingDataset` when the file has no `/sentences`.
    public func sentenceTexts() throws -> [String] {
        HDF5.enter()
        defer { HDF5.leave() }
        guard metadata.hasSentenceTexts else {
            throw HiddenStatesError.missingDataset(path: path, dataset: "/sentences",
                                                   hint: "this file stores no texts; pass them separately.")
        }
        return try HDF5Dataset(file: file, path: path, name: "/sentences").readStrings()
    }

    /// The token strings by id stored in `/vocab` (one per id, `vocab.txt` order), or nil when the
    /// file stores none.
    public func vocabulary() throws -> [String]? {
        HDF5.enter()
        defer { HDF5.leave() }
        guard H5Lexists(file.id, Self.vocabularyDataset, hid_t(H5P_DEFAULT)) > 0 else { return nil }
        let dataset = try HDF5Dataset(file: file, path: path, name: Self.vocabularyDataset)
        guard dataset.elementType == .string, dataset.shape.count == 1 else {
            throw HiddenStatesError.wrongType(path: path, dataset: Self.vocabularyDataset, expected: "1-D UTF-8 strings",
                                              actual: dataset.elementType.description)
        }
        return try dataset.readStrings()
    }

    /// Name of the optional vocabulary dataset.
    public static let vocabularyDataset = "/vocab"

    /// Token ids of every row of the ragged layout, `[T]` (`input_ids`), packed like `offsets`.
    /// - Throws: `missingDataset` when absent.
    public func inputIDs() throws -> [Int32] {
        HDF5.enter()
        defer { HDF5.leave() }
        guard metadata.hasInputIDs, metadata.layout == .ragged else {
            throw HiddenStatesError.missingDataset(path: path, dataset: "/input_ids",
                                                   hint: "this file stores no token ids (only ragged files written with them do).")
        }
        return try HDF5Dataset(file: file, path: path, name: "/input_ids").readInt64().map { Int32(truncatingIfNeeded: $0) }
    }

    // MARK: Internals

    /// Reads the rows of `sentences` into `destination` at `batchOffsets`.
    private func fill(_ destination: UnsafeMutablePointer<Float>, sentences: [Int], batchOffsets: [Int]) throws {
        let dim = metadata.dim
        var k = 0
        while k < sentences.count {
            // A run of consecutive file indices is one hyperslab.
            var end = k + 1
            while end < sentences.count, sentences[end] == sentences[end - 1] + 1 { end += 1 }
            let target = destination + batchOffsets[k] * dim
            if let starts = paddedStarts {
                try fillPadded(target, sentences: sentences[k]..<(sentences[end - 1] + 1), starts: starts)
            } else {
                try hiddenStates.readFloatRows(offsets[sentences[k]]..<offsets[sentences[end - 1] + 1],
                                               into: target, scratch: scratch)
            }
            k = end
        }
    }

    /// Padded layout: reads full `[k, L, D]` blocks of consecutive sentences and keeps the real rows.
    private func fillPadded(_ destination: UnsafeMutablePointer<Float>, sentences: Range<Int>, starts: [Int]) throws {
        let length = metadata.paddedLength ?? 0
        let dim = metadata.dim
        // Sizes were checked when the file was opened (L × D fits one read of the whole dataset).
        let perBlock = max(1, (4 << 20) / max(length * dim, 1))  // ≤ 16 MiB of Float per block
        try options.memoryBudget.check(count: min(perBlock, sentences.count) * length * dim, elementBytes: 4,
                                       path: path, dataset: hiddenStates.name, what: "a block of padded rows")
        var target = destination
        var block = [Float](repeating: 0, count: min(perBlock, sentences.count) * length * dim)
        var lower = sentences.lowerBound
        while lower < sentences.upperBound {
            let upper = min(sentences.upperBound, lower + perBlock)
            try block.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                try hiddenStates.readFloatBlock(start: [lower, 0, 0], count: [upper - lower, length, dim],
                                                into: base, scratch: scratch)
                for sentence in lower..<upper {
                    let rows = offsets[sentence + 1] - offsets[sentence]
                    let source = base + ((sentence - lower) * length + starts[sentence]) * dim
                    target.update(from: source, count: rows * dim)
                    target += rows * dim
                }
            }
            lower = upper
        }
    }

    /// Throws `nonFiniteValue` naming the first sentence, token and dim holding NaN or ±Inf.
    func checkFinite(_ batch: PackedBatch) throws {
        try batch.tokens.withUnsafeBufferPointer { values in
            guard let index = FiniteScan.firstNonFinite(values) else { return }
            let row = index / batch.dim
            // The batch sentence owning `row`: last k with offsets[k] ≤ row.
            var k = 0
            while k + 1 < batch.offsets.count - 1, batch.offsets[k + 1] <= row { k += 1 }
            throw HiddenStatesError.nonFiniteValue(path: path, dataset: hiddenStates.name, sentence: batch.sentences[k],
                                                   token: row - batch.offsets[k], dim: index % batch.dim,
                                                   value: values[index])
        }
    }
}

/// Batches of sentences read one at a time from a `HiddenStatesFile`; `next()` returns nil at the end.
public struct SentenceBatches {
    public let file: HiddenStatesFile
    /// The file indices in the order they are served.
    public let order: [Int]
    /// Sentences per batch.
    public let size: Int
    private var position = 0

    init(file: HiddenStatesFile, order: [Int], size: Int) {
        self.file = file
        self.order = order
        self.size = size
    }

    /// Number of batches in total.
    public var count: Int { (order.count + size - 1) / size }

    /// The next batch, or nil when every sentence has been served.
    public mutating func next() throws -> PackedBatch? {
        guard position < order.count else { return nil }
        let upper = min(order.count, position + size)
        let batch = try file.read(sentences: Array(order[position..<upper]))
        position = upper
        // HDF5's per-chunk decompression buffers leave freed, fragmented heap pages behind;
        // returning them keeps a stream of batches within a fixed memory bound (measured on
        // STS-B train, batches of 64: peak 40–43 MiB above baseline instead of 55–73 MiB).
        pooler_release_free_memory()
        return batch
    }
}

import CHDF5
import Foundation

/// An open hidden-states file, ragged or padded, presented the same way: sentences whose token rows
/// are read as packed `[T, D]` Float32 blocks (`PackedBatch`).
///
/// Opening reads only metadata and the sentence boundaries (`/offsets`, or the attention mask);
/// hidden states are read on demand, whole (`readAll()`) or a batch of sentences at a time
/// (`read(sentences:)`, `batches(size:order:)`) with memory bounded by the batch and the chunk cache.
///
/// Not `Sendable`: use one file from one thread at a time. (Every HDF5 call in this module holds one
/// process-wide lock, see `HDF5.lock`, so different files may be used on different threads.)
///
/// ```swift
/// let file = try HiddenStatesFile(path: "train.h5")
/// var batches = file.batches(size: 64, order: shuffledIndices)
/// while let batch = try batches.next() { … batch.tokens [T, D], batch.offsets [65] … }
/// ```
public final class HiddenStatesFile {
    /// How a file is opened.
    public struct Options: Sendable {
        /// Bytes of HDF5 chunk cache for the hidden states: at least two chunks (3 MiB each for
        /// 4096 × 384 float16) so sequential batches, which straddle chunk boundaries, decompress each
        /// chunk once. Default 8 MiB (measured as fast as 16 MiB on train.h5, with less memory).
        public var chunkCacheBytes: Int
        /// Check every read for NaN/±Inf and throw `nonFiniteValue` naming the sentence. Default true.
        public var checkFinite: Bool
        /// Threads that inflate the chunks of large reads (≥ 2 chunks' rows, e.g. `readAll()`) of
        /// chunked `[shuffle,] gzip` float16/float32 hidden states; 1 leaves decompression to HDF5
        /// (one core). Results are bit-identical either way. Default: the active cores.
        public var decompressionThreads: Int
        /// The most one read (`readAll()`, a batch, a whole small dataset, one chunk) may allocate;
        /// larger reads throw `exceedsMemoryBudget` before allocating. Default `MemoryBudget.standard`
        /// (8 GiB, or half the physical memory when less).
        public var memoryBudget: MemoryBudget

        public init(chunkCacheBytes: Int = 8 << 20, checkFinite: Bool = true,
                    decompressionThreads: Int = ProcessInfo.processInfo.activeProcessorCount,
                    memoryBudget: MemoryBudget = .standard) {
            self.chunkCacheBytes = chunkCacheBytes
            self.checkFinite = checkFinite
            self.decompressionThreads = decompressionThreads
            self.memoryBudget = memoryBudget
        }
    }

    public let path: String
    public let options: Options
    public let metadata: HiddenStatesMetadata
    /// Packed row boundaries of every sentence, `[N + 1]` (for padded files, from the attention mask).
    public let offsets: [Int]

    let file: HDF5Handle
    let hiddenStates: HDF5Dataset
    /// Padded layout: position of each sentence's first real token within its `L` positions, `[N]`.
    let paddedStarts: [Int]?
    /// `/pairs` and `/scores`, read and checked when the file is opened (nil when absent).
    let checkedPairs: [SentencePair]?
    let checkedScores: [Float]?
    let scratch = ScratchBuffer()

    /// Opens `path` and checks its structure: datasets, ranks, types, sizes, offsets or mask.
    ///
    /// Every size the file declares is checked (overflow, storage, `options.memoryBudget`) before
    /// anything is allocated for it; `/pairs` and `/scores` are read and checked here, so every reader
    /// of pairs sees the same rules.
    ///
    /// - Throws: `HiddenStatesError` (missing file, a folder or other non-regular file, locked by a
    ///   writer, not HDF5, truncated, unknown layout, wrong rank or type, dimension mismatch, size
    ///   overflow, implausible storage, over the memory budget, invalid offsets, empty sentence, empty
    ///   or non-contiguous mask row, pair index out of range, scores count ≠ pairs count, non-finite score).
    public init(path: String, options: Options = Options()) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        self.path = path
        self.options = options
        file = try InputFile.openHDF5(path)
        let names = try Self.rootNames(file: file, path: path)
        let attributes = try HDF5Attributes.readAll(of: file.id, path: path, objectName: "/",
                                                    budget: options.memoryBudget)
        let layout = try Self.layout(names, path: path)
        let geometry = layout == .ragged
            ? try Self.openRagged(file: file, path: path, names: names, options: options)
            : try Self.openPadded(file: file, path: path, names: names, options: options)
        hiddenStates = geometry.hiddenStates
        offsets = geometry.offsets
        paddedStarts = geometry.paddedStarts
        let sentenceCount = offsets.count - 1
        let dim = try Self.checkedDim(hiddenStates, attributes: attributes, path: path)
        let optional = try Self.optionalDatasets(file: file, path: path, names: names, layout: layout,
                                                 hiddenStates: hiddenStates, sentences: sentenceCount,
                                                 budget: options.memoryBudget)
        (checkedPairs, checkedScores) = try Self.checkedPairsAndScores(
            file: file, path: path, names: names, sentences: sentenceCount, budget: options.memoryBudget)

        metadata = HiddenStatesMetadata(
            path: path, layout: layout, paddingSide: geometry.paddingSide, paddedLength: geometry.paddedLength,
            sentences: sentenceCount, tokens: offsets.last ?? 0, dim: dim, dtype: hiddenStates.elementType,
            storage: try hiddenStates.storage(), pairs: checkedPairs?.count, hasScores: checkedScores != nil,
            hasSentenceTexts: optional.hasTexts, hasInputIDs: optional.hasInputIDs, attributes: attributes,
            specialTokens: attributes["special_tokens"]?.stringValue.map(SpecialTokens.init(parsing:)),
            hiddenStatesDataset: hiddenStates.name)
    }

    /// Where a file's hidden states are and how its rows group into sentences.
    private struct Geometry {
        var hiddenStates: HDF5Dataset
        var offsets: [Int]
        var paddedStarts: [Int]?
        var paddingSide: PaddingSide?
        var paddedLength: Int?
    }

    /// Ragged (`/tokens` or `/offsets`) or padded (`/hidden_states` or `/attention_mask`).
    private static func layout(_ names: [String], path: String) throws -> HiddenStatesLayout {
        if names.contains("tokens") || names.contains("offsets") { return .ragged }
        if names.contains("hidden_states") || names.contains("attention_mask") { return .padded }
        throw HiddenStatesError.unknownLayout(path: path, datasets: names)
    }

    private static func require(_ name: String, in names: [String], path: String, _ hint: String) throws {
        guard names.contains(name) else { throw HiddenStatesError.missingDataset(path: path, dataset: "/" + name, hint: hint) }
    }

    /// `/tokens` [T, D] and `/offsets` [N+1], checked against each other.
    private static func openRagged(file: HDF5Handle, path: String, names: [String], options: Options) throws -> Geometry {
        try require("tokens", in: names, path: path, "a ragged file stores every token's hidden state in /tokens [T, D].")
        try require("offsets", in: names, path: path, "a ragged file stores sentence boundaries in /offsets [N+1] (int64).")
        let tokens = try HDF5Dataset(file: file, path: path, name: "/tokens", cacheBytes: options.chunkCacheBytes,
                                     decompressionThreads: options.decompressionThreads, budget: options.memoryBudget)
        try expect(tokens, rank: 2, floating: true)
        let offsetsDataset = try HDF5Dataset(file: file, path: path, name: "/offsets", budget: options.memoryBudget)
        try expect(offsetsDataset, rank: 1, floating: false)
        let offsets = try checkedOffsets(offsetsDataset.readInt64(), tokens: tokens.shape[0], path: path)
        return Geometry(hiddenStates: tokens, offsets: offsets)
    }

    /// `/hidden_states` [N, L, D] and `/attention_mask` [N, L]: each row's real tokens one run, either side.
    private static func openPadded(file: HDF5Handle, path: String, names: [String], options: Options) throws -> Geometry {
        try require("hidden_states", in: names, path: path, "a padded file stores hidden states in /hidden_states [N, L, D].")
        try require("attention_mask", in: names, path: path,
                    "a padded file marks real tokens (1) and padding (0) in /attention_mask [N, L].")
        let hiddenStates = try HDF5Dataset(file: file, path: path, name: "/hidden_states",
                                           cacheBytes: options.chunkCacheBytes, budget: options.memoryBudget)
        try expect(hiddenStates, rank: 3, floating: true)
        let mask = try HDF5Dataset(file: file, path: path, name: "/attention_mask", budget: options.memoryBudget)
        try expect(mask, rank: 2, floating: nil)
        if mask.elementType == .string {
            throw HiddenStatesError.wrongType(path: path, dataset: mask.name, expected: "0/1 integers or bool", actual: "string")
        }
        for axis in 0..<2 where mask.shape[axis] != hiddenStates.shape[axis] {
            throw HiddenStatesError.dimensionMismatch(
                path: path, dataset: "/attention_mask", what: axis == 0 ? "its row count N" : "its length L",
                expected: hiddenStates.shape[axis], actual: mask.shape[axis])
        }
        let runs = try maskRuns(mask, path: path, budget: options.memoryBudget)
        var packed = [0]
        packed.reserveCapacity(runs.lengths.count + 1)
        for length in runs.lengths { packed.append(packed[packed.count - 1] + length) }
        return Geometry(hiddenStates: hiddenStates, offsets: packed, paddedStarts: runs.starts, paddingSide: runs.side,
                        paddedLength: hiddenStates.shape[1])
    }

    /// The width D (the last axis): at least 1, and equal to the `hidden_size` attribute when there is one.
    private static func checkedDim(_ hiddenStates: HDF5Dataset, attributes: [String: AttributeValue], path: String) throws -> Int {
        let dim = hiddenStates.shape.last ?? 0
        if dim == 0 {
            throw HiddenStatesError.dimensionMismatch(path: path, dataset: hiddenStates.name,
                                                      what: "its dim D (the last axis, which must be at least 1)",
                                                      expected: 1, actual: 0)
        }
        if let hiddenSize = attributes["hidden_size"]?.intValue, hiddenSize != dim {
            throw HiddenStatesError.dimensionMismatch(path: path, dataset: hiddenStates.name,
                                                      what: "dim D (the root attribute hidden_size says \(hiddenSize))",
                                                      expected: hiddenSize, actual: dim)
        }
        return dim
    }

    /// `/input_ids` and `/sentences`: when present, their sizes must agree with the hidden states.
    private static func optionalDatasets(file: HDF5Handle, path: String, names: [String], layout: HiddenStatesLayout,
                                         hiddenStates: HDF5Dataset, sentences: Int, budget: MemoryBudget) throws
        -> (hasInputIDs: Bool, hasTexts: Bool) {
        var hasInputIDs = false
        if names.contains("input_ids") {
            let ids = try HDF5Dataset(file: file, path: path, name: "/input_ids", budget: budget)
            let expectedRank = layout == .ragged ? 1 : 2
            try expect(ids, rank: expectedRank, floating: false)
            let expected = try Sizes.product(Array(hiddenStates.shape.prefix(expectedRank)), path: path,
                                             dataset: hiddenStates.name, what: "its token positions")
            if ids.count != expected {
                throw HiddenStatesError.dimensionMismatch(path: path, dataset: "/input_ids", what: "its length",
                                                          expected: expected, actual: ids.count)
            }
            hasInputIDs = true
        }
        var hasTexts = false
        if names.contains("sentences") {
            let texts = try HDF5Dataset(file: file, path: path, name: "/sentences", budget: budget)
            try expect(texts, rank: 1, floating: nil)
            guard texts.elementType == .string else {
                throw HiddenStatesError.wrongType(path: path, dataset: "/sentences", expected: "UTF-8 strings",
                                                  actual: texts.elementType.description)
            }
            if texts.count != sentences {
                throw HiddenStatesError.dimensionMismatch(path: path, dataset: "/sentences", what: "its length",
                                                          expected: sentences, actual: texts.count)
            }
            hasTexts = true
        }
        return (hasInputIDs, hasTexts)
    }

    /// Closes the file now (it also closes when the last reference goes).
    public func close() {
        HDF5.enter()
        defer { HDF5.leave() }
        scratch.release()
        hiddenStates.handle.close()
        file.close()
    }

    // MARK: Structure checks

    /// Names of the links in the root group, sorted.
    private static func rootNames(file: HDF5Handle, path: String) throws -> [String] {
        var info = H5G_info_t()
        try HDF5.check(H5Gget_info(file.id, &info), "H5Gget_info", path: path, object: "/")
        var names: [String] = []
        for index in 0..<info.nlinks {
            let length = try HDF5.check(
                H5Lget_name_by_idx(file.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, hid_t(H5P_DEFAULT)),
                "H5Lget_name_by_idx", path: path, object: "/")
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            try HDF5.check(
                H5Lget_name_by_idx(file.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count,
                                   hid_t(H5P_DEFAULT)),
                "H5Lget_name_by_idx", path: path, object: "/")
            names.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names.sorted()
    }

    /// Throws unless `dataset` has `rank` and a floating-point (`true`), integer (`false`) or any numeric
    /// or string (`nil`) element type.
    static func expect(_ dataset: HDF5Dataset, rank: Int, floating: Bool?) throws {
        if dataset.shape.count != rank {
            throw HiddenStatesError.wrongRank(path: dataset.path, dataset: dataset.name, expected: rank,
                                              shape: dataset.shape)
        }
        let type = dataset.elementType
        switch floating {
        case true?:
            guard type.isFloatingPoint else {
                throw HiddenStatesError.wrongType(path: dataset.path, dataset: dataset.name,
                                                  expected: "float16, float32 or float64", actual: type.description)
            }
        case false?:
            guard type.isInteger else {
                throw HiddenStatesError.wrongType(path: dataset.path, dataset: dataset.name,
                                                  expected: "an integer type (int64)", actual: type.description)
            }
        case nil:
            if case .other(let kind) = type {
                throw HiddenStatesError.wrongType(path: dataset.path, dataset: dataset.name,
                                                  expected: "numbers or strings", actual: kind)
            }
        }
    }

    /// Checks `0 = offsets[0] ≤ … ≤ offsets[N] = tokens` with no empty sentence.
    static func checkedOffsets(_ raw: [Int64], tokens: Int, path: String) throws -> [Int] {
        let name = "/offsets"
        guard let first = raw.first else {
            throw HiddenStatesError.dimensionMismatch(path: path, dataset: name, what: "its length (N + 1)",
                                                      expected: 1, actual: 0)
        }
        guard first == 0 else {
            throw HiddenStatesError.invalidOffsets(path: path, dataset: name, index: 0,
                                                   problem: .doesNotStartAtZero(value: Int(first)))
        }
        var offsets = [Int](repeating: 0, count: raw.count)
        for index in 1..<raw.count {
            let previous = Int(raw[index - 1])
            let value = Int(raw[index])
            if value < previous {
                throw HiddenStatesError.invalidOffsets(path: path, dataset: name, index: index,
                                                       problem: .decreases(previous: previous, value: value))
            }
            offsets[index] = value
        }
        if let last = offsets.last, last != tokens {
            throw HiddenStatesError.invalidOffsets(path: path, dataset: name, index: offsets.count - 1,
                                                   problem: .doesNotEndAtTokens(value: last, tokens: tokens))
        }
        for sentence in 0..<(offsets.count - 1) where offsets[sentence] == offsets[sentence + 1] {
            throw HiddenStatesError.emptySentence(path: path, dataset: name, sentence: sentence)
        }
        return offsets
    }

    /// The run of real tokens in each mask row, read a block of rows at a time.
    private static func maskRuns(_ mask: HDF5Dataset, path: String, budget: MemoryBudget) throws
        -> (starts: [Int], lengths: [Int], side: PaddingSide)
    {
        let rows = mask.shape[0]
        let length = mask.shape[1]
        // starts, lengths and the packed offsets: three Ints per row.
        try budget.check(count: rows, elementBytes: 24, path: path, dataset: mask.name, what: "the run of each row")
        // A block of rows as Float plus the Int64 it is read into.
        if rows > 0 {
            try budget.check(count: min(rows, max(1, (1 << 20) / max(length, 1))) * length, elementBytes: 12,
                             path: path, dataset: mask.name, what: "a block of rows")
        }
        var starts = [Int](repeating: 0, count: rows)
        var lengths = [Int](repeating: 0, count: rows)
        var leftPadded = false
        var rightPadded = false
        let blockRows = max(1, (1 << 20) / max(length, 1))
        var block = [Float]()
        var lower = 0
        while lower < rows {
            let upper = min(rows, lower + blockRows)
            block = try maskBlock(mask, rows: lower..<upper)
            for row in lower..<upper {
                let base = (row - lower) * length
                var first = -1
                var last = -1
                var ones = 0
                for position in 0..<length where block[base + position] != 0 {
                    if first < 0 { first = position }
                    last = position
                    ones += 1
                }
                if ones == 0 {
                    throw HiddenStatesError.emptyMaskRow(path: path, dataset: mask.name, sentence: row)
                }
                if ones != last - first + 1 {
                    throw HiddenStatesError.noncontiguousMaskRow(path: path, dataset: mask.name, sentence: row)
                }
                starts[row] = first
                lengths[row] = ones
                if first > 0 { leftPadded = true }
                if last < length - 1 { rightPadded = true }
            }
            lower = upper
        }
        let side: PaddingSide = switch (leftPadded, rightPadded) {
        case (false, false): .none
        case (true, false): .left
        case (false, true): .right
        case (true, true): .mixed
        }
        return (starts, lengths, side)
    }

    /// Mask rows as 0/1 floats, whatever the mask's numeric type (bool, integers, floats).
    private static func maskBlock(_ mask: HDF5Dataset, rows: Range<Int>) throws -> [Float] {
        let n = rows.count * mask.shape[1]
        var values = [Float](repeating: 0, count: n)
        switch mask.elementType {
        case .bool:
            var bytes = [Int8](repeating: 0, count: n)
            try mask.read(memoryType: mask.fileType.id, into: &bytes, rows: rows)
            for i in 0..<n { values[i] = bytes[i] != 0 ? 1 : 0 }
        case let type where type.isInteger:
            var integers = [Int64](repeating: 0, count: n)
            try mask.read(memoryType: pooler_H5T_NATIVE_INT64(), into: &integers, rows: rows)
            for i in 0..<n { values[i] = integers[i] != 0 ? 1 : 0 }
        default:
            try values.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                try mask.readFloatRows(rows, into: base, scratch: ScratchBuffer())
            }
        }
        return values
    }
}

import CHDF5

/// Writes the ragged layout — `/tokens` `[T, D]`, `/offsets` `[N + 1]`, optional `/input_ids` `[T]`,
/// `/sentences` `[N]`, `/pairs` `[P, 2]`, `/scores` `[P]` and root attributes — sentence by sentence with
/// bounded memory, atomically: everything goes to a temporary file in the same directory that
/// `finish()` renames into place. A writer dropped without `finish()` leaves no file behind.
///
/// ```swift
/// let writer = try RaggedWriter(path: "out.h5", dim: 384, attributes: ["special_tokens": .string("cls_first,sep_last")])
/// try writer.append(batch, texts: texts)        // any number of times
/// try writer.finish(pairs: pairs, scores: scores)
/// ```
public final class RaggedWriter {
    /// Storage of the hidden states.
    public struct Options: Sendable {
        /// float16 (half the size; exact to ~3 significant digits) or float32.
        public var storage: StorageType
        /// Rows per chunk of `/tokens` (the unit of compression and of partial reads).
        public var chunkRows: Int
        /// gzip level 0–9, nil for none.
        public var gzipLevel: Int?
        /// Byte shuffle before gzip.
        public var shuffle: Bool
        /// Fletcher-32 checksum on every chunk, so corruption is detected when read.
        public var fletcher32: Bool

        public init(storage: StorageType = .float16, chunkRows: Int = 4096, gzipLevel: Int? = 4, shuffle: Bool = true,
                    fletcher32: Bool = false) {
            self.storage = storage
            self.chunkRows = chunkRows
            self.gzipLevel = gzipLevel
            self.shuffle = shuffle
            self.fletcher32 = fletcher32
        }
    }

    public let path: String
    public let dim: Int
    public let options: Options
    private let output: AtomicHDF5Output
    private let tokens: AppendableDataset
    private var texts: AppendableDataset?
    private var inputIDs: AppendableDataset?
    private var offsets: [Int64] = [0]
    // Buffered until a chunk's worth is ready, so each append does not resize the dataset.
    private var pendingTokens: [Float] = []
    private var pendingTexts: [String] = []
    private var pendingIDs: [Int64] = []
    private var writesTexts = false
    private var writesIDs = false

    /// Starts writing `path` (created on `finish()`); `attributes` become root attributes.
    public init(path: String, dim: Int, options: Options = Options(), attributes: [String: AttributeValue] = [:]) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        precondition(dim > 0, "dim \(dim) must be positive")
        self.path = path
        self.dim = dim
        self.options = options
        var rootAttributes = attributes
        if rootAttributes["hidden_size"] == nil { rootAttributes["hidden_size"] = .int(Int64(dim)) }
        let output = try AtomicHDF5Output(path: path, attributes: rootAttributes)
        self.output = output
        tokens = try output.creating { file in
            try AppendableDataset(
                file: file, path: path, name: "/tokens", rowShape: [dim],
                type: options.storage == .float16 ? .float16 : .float32,
                filters: HDF5Writer.Filters(chunk: [max(1, options.chunkRows), dim], gzip: options.gzipLevel,
                                            shuffle: options.shuffle, fletcher32: options.fletcher32))
        }
    }

    /// Sentences appended so far.
    public var sentenceCount: Int { offsets.count - 1 }

    /// Appends one sentence: `tokens` `[length, D]` flattened (length ≥ 1), its text and token ids
    /// (give texts/ids for every sentence or for none).
    public func append(sentence tokens: ArraySlice<Float>, text: String? = nil, inputIDs ids: [Int32]? = nil) throws {
        precondition(!output.finished, "append after finish")
        precondition(!tokens.isEmpty && tokens.count % dim == 0,
                     "a sentence needs [length ≥ 1, \(dim)] values, got \(tokens.count)")
        let length = tokens.count / dim
        // The first sentence decides whether texts and ids are written; all others must agree.
        if sentenceCount == 0 {
            writesTexts = text != nil
            writesIDs = ids != nil
        }
        precondition(writesTexts == (text != nil), "give a text for every sentence or for none")
        precondition(writesIDs == (ids != nil), "give input ids for every sentence or for none")
        if let ids { precondition(ids.count == length, "\(ids.count) input ids for \(length) token rows") }
        pendingTokens.append(contentsOf: tokens)
        offsets.append(offsets[offsets.count - 1] + Int64(length))
        if let text { pendingTexts.append(text) }
        if let ids { pendingIDs.append(contentsOf: ids.map { Int64($0) }) }
        if pendingTokens.count >= max(1, options.chunkRows) * dim { try flush() }
    }

    /// Appends every sentence of `batch` (with `texts` `[batch.count]` when given).
    public func append(_ batch: PackedBatch, texts: [String]? = nil) throws {
        precondition(batch.dim == dim, "batch dim \(batch.dim) ≠ writer dim \(dim)")
        if let texts { precondition(texts.count == batch.count, "\(texts.count) texts for \(batch.count) sentences") }
        for i in 0..<batch.count {
            try append(sentence: batch.tokens(of: i), text: texts?[i])
        }
    }

    /// Writes the offsets, optional pairs, scores and vocabulary, closes and renames the file into place.
    /// - Parameters:
    ///   - pairs: `[P]` indices into the sentences written.
    ///   - scores: `[P]` gold scores, only with `pairs`.
    ///   - vocabulary: token strings by id (`/vocab`), so `pooler explain` can show the tokens of `/input_ids`.
    public func finish(pairs: [SentencePair]? = nil, scores: [Float]? = nil, vocabulary: [String]? = nil) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        precondition(scores == nil || scores?.count == pairs?.count, "scores need one value per pair")
        precondition(!output.finished, "finish called twice")
        do {
            try flush()
        } catch {
            cancel()
            throw error
        }
        let (path, offsets, gzipLevel) = (path, offsets, options.gzipLevel)
        try output.finish(closing: [tokens, texts, inputIDs]) { file in
            let writer = HDF5WriterView(file: file, path: path)
            try writer.dataset("/offsets", shape: [offsets.count], type: .int64, values: .integers(offsets))
            if let pairs {
                let flat = pairs.flatMap { [Int64($0.first), Int64($0.second)] }
                try writer.dataset("/pairs", shape: [pairs.count, 2], type: .int64, values: .integers(flat))
            }
            if let scores {
                try writer.dataset("/scores", shape: [scores.count], type: .float32, values: .floats(scores))
            }
            if let vocabulary {
                let vocab = try AppendableDataset(stringsIn: file, path: path, name: HiddenStatesFile.vocabularyDataset,
                                                  filters: HDF5Writer.Filters(chunk: [4096], gzip: gzipLevel))
                try vocab.append(strings: vocabulary)
                vocab.close()
            }
        }
    }

    /// Abandons the file: nothing appears at `path`.
    public func cancel() {
        HDF5.enter()
        defer { HDF5.leave() }
        output.cancel(closing: [tokens, texts, inputIDs])
    }

    deinit {
        if output.file != nil { cancel() }
    }

    private func flush() throws {
        HDF5.enter()
        defer { HDF5.leave() }
        guard let file = output.file else { return }
        let rows = pendingTokens.count / dim
        try tokens.append(.floats(pendingTokens), rows: rows)
        pendingTokens.removeAll(keepingCapacity: true)
        if !pendingTexts.isEmpty {
            if texts == nil {
                texts = try AppendableDataset(stringsIn: file, path: path, name: "/sentences",
                                              filters: HDF5Writer.Filters(chunk: [4096], gzip: options.gzipLevel))
            }
            try texts?.append(strings: pendingTexts)
            pendingTexts.removeAll(keepingCapacity: true)
        }
        if !pendingIDs.isEmpty {
            if inputIDs == nil {
                inputIDs = try AppendableDataset(file: file, path: path, name: "/input_ids", rowShape: [], type: .int32,
                                                 filters: HDF5Writer.Filters(chunk: [max(1, options.chunkRows)],
                                                                             gzip: options.gzipLevel))
            }
            try inputIDs?.append(.integers(pendingIDs), rows: pendingIDs.count)
            pendingIDs.removeAll(keepingCapacity: true)
        }
    }
}

/// `HDF5Writer`'s dataset creation on a file handle another writer owns.
struct HDF5WriterView {
    let file: HDF5Handle
    let path: String

    func dataset(_ name: String, shape: [Int], type: HDF5Writer.StoredType, values: HDF5Writer.Values,
                 filters: HDF5Writer.Filters = HDF5Writer.Filters()) throws {
        let fileType = try HDF5Writer.fileType(type, path: path, object: name)
        var dims = shape.map { hsize_t($0) }
        let space = try HDF5.handle(H5Screate_simple(Int32(dims.count), &dims, nil), .dataspace, "H5Screate_simple",
                                    path: path, object: name)
        let plist = try HDF5Writer.creationProperties(filters, path: path, object: name)
        let dataset = try HDF5.handle(
            H5Dcreate2(file.id, name, fileType.id, space.id, hid_t(H5P_DEFAULT), plist.id, hid_t(H5P_DEFAULT)),
            .dataset, "H5Dcreate2", path: path, object: name)
        try HDF5Writer.write(values, as: type, fileType: fileType.id, to: dataset.id, memorySpace: H5S_ALL,
                             fileSpace: H5S_ALL, path: path, object: name)
    }
}

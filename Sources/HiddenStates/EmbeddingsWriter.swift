import CHDF5

/// Writes sentence embeddings — `/embeddings` `[N, D]` float32 and optional `/sentences` `[N]` — row
/// block by row block (memory bounded by one block), atomically: the file appears at `path` only when
/// `finish()` succeeds. Used by `pooler embed`.
///
/// ```swift
/// let writer = try EmbeddingsWriter(path: "embeddings.h5", dim: 384, attributes: ["pooling": .string("mean")])
/// try writer.append(block, texts: blockTexts)   // block: [rows, 384] flattened
/// try writer.finish()
/// ```
public final class EmbeddingsWriter {
    public let path: String
    public let dim: Int
    private let output: AtomicHDF5Output
    private let embeddings: AppendableDataset
    private var texts: AppendableDataset?
    private var writesTexts: Bool?

    /// Starts writing `path`; `chunkRows` rows per chunk, gzip `gzipLevel` (nil: none).
    public init(path: String, dim: Int, chunkRows: Int = 1024, gzipLevel: Int? = 4,
                attributes: [String: AttributeValue] = [:]) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        precondition(dim > 0, "dim \(dim) must be positive")
        self.path = path
        self.dim = dim
        let output = try AtomicHDF5Output(path: path, attributes: attributes)
        self.output = output
        (embeddings, texts) = try output.creating { file in
            (try AppendableDataset(
                file: file, path: path, name: "/embeddings", rowShape: [dim], type: .float32,
                filters: HDF5Writer.Filters(chunk: [max(1, chunkRows), dim], gzip: gzipLevel, shuffle: gzipLevel != nil)),
             try AppendableDataset(stringsIn: file, path: path, name: "/sentences",
                                   filters: HDF5Writer.Filters(chunk: [4096], gzip: gzipLevel)))
        }
    }

    /// Rows written so far.
    public var rowCount: Int { embeddings.rows }

    /// Appends a block of embeddings `[rows, D]` flattened, with its texts `[rows]` (for every block or none).
    public func append(_ block: [Float], texts blockTexts: [String]? = nil) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        precondition(!output.finished, "append after finish")
        precondition(block.count % dim == 0, "\(block.count) values is not a whole number of \(dim)-wide rows")
        let rows = block.count / dim
        if let blockTexts { precondition(blockTexts.count == rows, "\(blockTexts.count) texts for \(rows) rows") }
        if writesTexts == nil { writesTexts = blockTexts != nil }
        precondition(writesTexts == (blockTexts != nil), "give texts for every block or for none")
        do {
            try embeddings.append(.floats(block), rows: rows)
            if let blockTexts { try texts?.append(strings: blockTexts) }
        } catch {
            cancel()
            throw error
        }
    }

    /// Closes the file and renames it into place.
    public func finish() throws {
        HDF5.enter()
        defer { HDF5.leave() }
        let (path, writesTexts, texts) = (path, writesTexts, texts)
        try output.finish(closing: [embeddings, texts]) { file in
            guard writesTexts != true, let texts else { return }
            // No texts were given: drop the empty /sentences dataset.
            texts.close()
            try HDF5.check(H5Ldelete(file.id, "/sentences", hid_t(H5P_DEFAULT)), "H5Ldelete", path: path, object: "/sentences")
        }
    }

    /// Abandons the file: nothing appears at `path`.
    public func cancel() {
        HDF5.enter()
        defer { HDF5.leave() }
        output.cancel(closing: [embeddings, texts])
    }

    deinit {
        if output.file != nil { cancel() }
    }
}

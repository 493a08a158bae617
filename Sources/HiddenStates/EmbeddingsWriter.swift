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
    private let output: AtomicFile
    private var file: HDF5Handle?
    private let embeddings: AppendableDataset
    private var texts: AppendableDataset?
    private var writesTexts: Bool?
    private var finished = false

    /// Starts writing `path`; `chunkRows` rows per chunk, gzip `gzipLevel` (nil: none).
    public init(path: String, dim: Int, chunkRows: Int = 1024, gzipLevel: Int? = 4,
                attributes: [String: AttributeValue] = [:]) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        precondition(dim > 0, "dim \(dim) must be positive")
        self.path = path
        self.dim = dim
        output = try AtomicFile(destination: path)
        let file = try output.createHDF5()
        self.file = file
        do {
            embeddings = try AppendableDataset(
                file: file, path: path, name: "/embeddings", rowShape: [dim], type: .float32,
                filters: HDF5Writer.Filters(chunk: [max(1, chunkRows), dim], gzip: gzipLevel, shuffle: gzipLevel != nil))
            texts = try AppendableDataset(stringsIn: file, path: path, name: "/sentences",
                                          filters: HDF5Writer.Filters(chunk: [4096], gzip: gzipLevel))
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
                try HDF5Attributes.write(value, named: name, on: file.id, path: path, objectName: "/")
            }
        } catch {
            output.discard(file)
            throw error
        }
    }

    /// Rows written so far.
    public var rowCount: Int { embeddings.rows }

    /// Appends a block of embeddings `[rows, D]` flattened, with its texts `[rows]` (for every block or none).
    public func append(_ block: [Float], texts blockTexts: [String]? = nil) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        precondition(!finished, "append after finish")
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
        precondition(!finished, "finish called twice")
        finished = true
        guard let file else { return }
        do {
            embeddings.close()
            texts?.close()
            if writesTexts != true, let texts {
                // No texts were given: drop the empty /sentences dataset.
                texts.close()
                try HDF5.check(H5Ldelete(file.id, "/sentences", hid_t(H5P_DEFAULT)), "H5Ldelete", path: path,
                               object: "/sentences")
            }
            try output.commit(file)
            self.file = nil
        } catch {
            cancel()
            throw error
        }
    }

    /// Abandons the file: nothing appears at `path`.
    public func cancel() {
        HDF5.enter()
        defer { HDF5.leave() }
        finished = true
        embeddings.close()
        texts?.close()
        output.discard(file)
        file = nil
    }

    deinit {
        if file != nil { cancel() }
    }
}

import CHDF5

/// The lifecycle every atomic HDF5 writer shares (EmbeddingsWriter, RaggedWriter): an HDF5 file
/// created under a temporary name, root attributes, datasets appended to, then exactly one of
/// ``finish(closing:_:)`` (last datasets written, everything closed, renamed into place) or
/// ``cancel(closing:)`` (closed and removed: nothing appears at the destination). The caller holds
/// the HDF5 lock around each call.
final class AtomicHDF5Output {
    let path: String
    private let output: AtomicFile
    /// The open file, `nil` once finished or cancelled.
    private(set) var file: HDF5Handle?
    private(set) var finished = false

    /// Creates the temporary file and writes `attributes` on its root.
    init(path: String, attributes: [String: AttributeValue]) throws {
        self.path = path
        output = try AtomicFile(destination: path)
        let file = try output.createHDF5()
        self.file = file
        do {
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
                try HDF5Attributes.write(value, named: name, on: file.id, path: path, objectName: "/")
            }
        } catch {
            output.discard(file)
            self.file = nil
            throw error
        }
    }

    /// `body` creates the datasets in the open file; on failure the file is removed.
    func creating<T>(_ body: (HDF5Handle) throws -> T) throws -> T {
        guard let file else { preconditionFailure("\(path): creating datasets after finish or cancel") }
        do {
            return try body(file)
        } catch {
            output.discard(file)
            self.file = nil
            throw error
        }
    }

    /// Runs `last` (the final datasets), closes `datasets` and renames the file into place; on
    /// failure everything is removed and the error rethrown.
    func finish(closing datasets: [AppendableDataset?], _ last: (HDF5Handle) throws -> Void = { _ in }) throws {
        precondition(!finished, "\(path): finish called twice")
        finished = true
        guard let file else { return }
        do {
            try last(file)
            for dataset in datasets { dataset?.close() }
            try output.commit(file)
            self.file = nil
        } catch {
            cancel(closing: datasets)
            throw error
        }
    }

    /// Closes `datasets` and removes the temporary file.
    func cancel(closing datasets: [AppendableDataset?]) {
        finished = true
        for dataset in datasets { dataset?.close() }
        output.discard(file)
        file = nil
    }
}

import CHDF5

/// A chunked dataset `[rows, rowShape…]` that grows along its first axis as rows are appended:
/// the base of the streaming writers.
final class AppendableDataset {
    let path: String
    let name: String
    let handle: HDF5Handle
    let type: HDF5Writer.StoredType?
    let fileType: HDF5Handle
    /// Shape of one row (empty for a 1-D dataset).
    let rowShape: [Int]
    private(set) var rows = 0

    /// Creates an empty numeric dataset with unlimited first axis, chunked `[chunkRows, rowShape…]`.
    init(file: HDF5Handle, path: String, name: String, rowShape: [Int], type: HDF5Writer.StoredType,
         filters: HDF5Writer.Filters) throws {
        self.path = path
        self.name = name
        self.rowShape = rowShape
        self.type = type
        fileType = try HDF5Writer.fileType(type, path: path, object: name)
        handle = try Self.create(file: file, path: path, name: name, rowShape: rowShape, fileType: fileType.id,
                                 filters: filters)
    }

    /// Creates an empty 1-D dataset of variable-length UTF-8 strings.
    init(stringsIn file: HDF5Handle, path: String, name: String, filters: HDF5Writer.Filters) throws {
        self.path = path
        self.name = name
        rowShape = []
        type = nil
        fileType = try HDF5Strings.variableUTF8Type(path: path, object: name)
        handle = try Self.create(file: file, path: path, name: name, rowShape: [], fileType: fileType.id,
                                 filters: filters)
    }

    private static func create(file: HDF5Handle, path: String, name: String, rowShape: [Int], fileType: hid_t,
                               filters: HDF5Writer.Filters) throws -> HDF5Handle {
        var dims = [hsize_t(0)] + rowShape.map { hsize_t($0) }
        var maxDims = [pooler_H5S_UNLIMITED()] + rowShape.map { hsize_t($0) }
        let space = try HDF5.handle(H5Screate_simple(Int32(dims.count), &dims, &maxDims), .dataspace,
                                    "H5Screate_simple", path: path, object: name)
        let plist = try HDF5Writer.creationProperties(filters, path: path, object: name)
        return try HDF5.handle(
            H5Dcreate2(file.id, name, fileType, space.id, hid_t(H5P_DEFAULT), plist.id, hid_t(H5P_DEFAULT)),
            .dataset, "H5Dcreate2", path: path, object: name)
    }

    /// Appends `count` rows of `values` (`count × rowShape.reduce(1, *)` of them).
    func append(_ values: HDF5Writer.Values, rows count: Int) throws {
        guard count > 0, let type else { return }
        try withSelection(count) { memorySpace, fileSpace in
            try HDF5Writer.write(values, as: type, fileType: fileType.id, to: handle.id, memorySpace: memorySpace,
                                 fileSpace: fileSpace, path: path, object: name)
        }
    }

    /// Appends strings (a string dataset only).
    func append(strings: [String]) throws {
        guard !strings.isEmpty else { return }
        try withSelection(strings.count) { memorySpace, fileSpace in
            _ = try HDF5Strings.withCStrings(strings) { pointers in
                try pointers.withUnsafeBytes { raw in
                    try HDF5.check(H5Dwrite(handle.id, fileType.id, memorySpace, fileSpace, hid_t(H5P_DEFAULT),
                                            raw.baseAddress), "H5Dwrite", path: path, object: name)
                }
            }
        }
    }

    /// Grows the dataset by `count` rows and selects them in the file; the memory space is flat.
    private func withSelection(_ count: Int, _ body: (hid_t, hid_t) throws -> Void) throws {
        var extent = [hsize_t(rows + count)] + rowShape.map { hsize_t($0) }
        try HDF5.check(H5Dset_extent(handle.id, &extent), "H5Dset_extent", path: path, object: name)
        let fileSpace = try HDF5.handle(H5Dget_space(handle.id), .dataspace, "H5Dget_space", path: path, object: name)
        var start = [hsize_t(rows)] + rowShape.map { _ in hsize_t(0) }
        var counts = [hsize_t(count)] + rowShape.map { hsize_t($0) }
        try HDF5.check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &counts, nil),
                       "H5Sselect_hyperslab", path: path, object: name)
        var flat = [hsize_t(count * rowShape.reduce(1, *))]
        let memorySpace = try HDF5.handle(H5Screate_simple(1, &flat, nil), .dataspace, "H5Screate_simple",
                                          path: path, object: name)
        try body(memorySpace.id, fileSpace.id)
        rows += count
    }

    func close() {
        handle.close()
        fileType.close()
    }
}

import CHDF5
import CPlatform

/// A small low-level HDF5 writer: datasets of any shape and type with optional chunking and filters,
/// string datasets, and attributes. Meant for fixtures (including deliberately malformed files) and as
/// the base of the layout writers; it writes `path` directly (not atomically).
///
/// ```swift
/// let writer = try HDF5Writer(path: "bad.h5")
/// try writer.createDataset("/tokens", shape: [3, 4], type: .float32, values: .floats(rows))
/// try writer.createDataset("/offsets", shape: [2], type: .int64, values: .integers([0, 2]))
/// try writer.close()
/// ```
public final class HDF5Writer {
    /// On-disk element types the writer can create.
    public enum StoredType: String, CaseIterable, Sendable {
        case float16, float32, float64, int8, uint8, int32, int64
    }

    /// Values to write, converted to the stored type (float16 by F16C, round to nearest even).
    public enum Values: Sendable {
        case floats([Float])
        case doubles([Double])
        case integers([Int64])

        var count: Int {
            switch self {
            case .floats(let values): return values.count
            case .doubles(let values): return values.count
            case .integers(let values): return values.count
            }
        }
    }

    /// Chunking and filter pipeline of a dataset.
    public struct Filters: Sendable {
        /// Chunk shape; required for any filter. nil: contiguous.
        public var chunk: [Int]?
        /// gzip (deflate) level 0–9, nil for none.
        public var gzip: Int?
        /// Byte shuffle before gzip (helps float data compress).
        public var shuffle: Bool
        /// Fletcher-32 checksum per chunk: corruption becomes a read error instead of garbage.
        public var fletcher32: Bool

        public init(chunk: [Int]? = nil, gzip: Int? = nil, shuffle: Bool = false, fletcher32: Bool = false) {
            self.chunk = chunk
            self.gzip = gzip
            self.shuffle = shuffle
            self.fletcher32 = fletcher32
        }
    }

    /// Which HDF5 file-format versions the writer may use for its objects.
    public enum FormatVersions: Sendable {
        /// The earliest versions that can hold each object (HDF5's default; what h5py writes):
        /// version-1 object headers, attributes kept in the header.
        case earliest
        /// The latest versions this HDF5 knows (`H5Pset_libver_bounds` latest, latest): version-2
        /// object headers, and attributes moved to dense storage (a fractal heap) past 8 of them.
        case latest
    }

    public let path: String
    let file: HDF5Handle

    /// Creates (or truncates) the HDF5 file at `path`, writing objects in `formats` (default earliest).
    public init(path: String, formats: FormatVersions = .earliest) throws {
        self.path = path
        file = try HDF5.locked {
            let access = try HDF5.handle(H5Pcreate(pooler_H5P_FILE_ACCESS()), .propertyList, "H5Pcreate",
                                         path: path, object: "/")
            if formats == .latest {
                try HDF5.check(H5Pset_libver_bounds(access.id, pooler_H5F_LIBVER_LATEST(), pooler_H5F_LIBVER_LATEST()),
                               "H5Pset_libver_bounds", path: path, object: "/")
            }
            return try HDF5.handle(H5Fcreate(path, pooler_H5F_ACC_TRUNC(), hid_t(H5P_DEFAULT), access.id),
                                   .file, "H5Fcreate", path: path, object: "/")
        }
    }

    /// Writes a dataset of `shape` holding `values` (row-major, `shape.reduce(1, *)` of them).
    public func createDataset(_ name: String, shape: [Int], type: StoredType, values: Values,
                              filters: Filters = Filters()) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        precondition(values.count == shape.reduce(1, *),
                     "\(name): \(values.count) values for shape \(shapeText(shape))")
        try HDF5WriterView(file: file, path: path).dataset(name, shape: shape, type: type, values: values,
                                                           filters: filters)
    }

    /// Declares a dataset of `shape` without writing any data (HDF5 stores nothing for it): for test
    /// files whose declared extent is far larger than what they hold.
    public func createUnwrittenDataset(_ name: String, shape: [Int], type: StoredType,
                                       filters: Filters = Filters()) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        try HDF5WriterView(file: file, path: path).dataset(name, shape: shape, type: type, values: .floats([]),
                                                           filters: filters)
    }

    /// Writes a 1-D dataset of variable-length UTF-8 strings (h5py's `str` dtype).
    public func createStrings(_ name: String, _ strings: [String], filters: Filters = Filters()) throws {
        HDF5.enter()
        defer { HDF5.leave() }
        let type = try HDF5Strings.variableUTF8Type(path: path, object: name)
        var dims = [hsize_t(strings.count)]
        let space = try HDF5.handle(H5Screate_simple(1, &dims, nil), .dataspace, "H5Screate_simple",
                                    path: path, object: name)
        let plist = try Self.creationProperties(filters, path: path, object: name)
        let dataset = try HDF5.handle(
            H5Dcreate2(file.id, name, type.id, space.id, hid_t(H5P_DEFAULT), plist.id, hid_t(H5P_DEFAULT)),
            .dataset, "H5Dcreate2", path: path, object: name)
        guard !strings.isEmpty else { return }
        _ = try HDF5Strings.withCStrings(strings) { pointers in
            try pointers.withUnsafeBytes { raw in
                try HDF5.check(H5Dwrite(dataset.id, type.id, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), raw.baseAddress),
                               "H5Dwrite", path: path, object: name)
            }
        }
    }

    /// Sets attribute `name` on the root group (`object` "/") or on a dataset.
    public func setAttribute(_ name: String, _ value: AttributeValue, on object: String = "/") throws {
        HDF5.enter()
        defer { HDF5.leave() }
        if object == "/" {
            try HDF5Attributes.write(value, named: name, on: file.id, path: path, objectName: "/")
        } else {
            let dataset = try HDF5.handle(H5Dopen2(file.id, object, hid_t(H5P_DEFAULT)), .dataset, "H5Dopen2",
                                          path: path, object: object)
            try HDF5Attributes.write(value, named: name, on: dataset.id, path: path, objectName: object)
        }
    }

    /// Flushes and closes the file.
    public func close() throws {
        HDF5.enter()
        defer { HDF5.leave() }
        try HDF5.check(H5Fflush(file.id, H5F_SCOPE_GLOBAL), "H5Fflush", path: path, object: "/")
        try HDF5.check(file.close(), "H5Fclose", path: path, object: "/")
    }

    // MARK: Shared by the layout writers

    /// The on-disk type; float16 is built like h5py's (IEEE binary16, little-endian).
    static func fileType(_ type: StoredType, path: String, object: String) throws -> HDF5Handle {
        let base: hid_t
        switch type {
        case .float16, .float32: base = pooler_H5T_IEEE_F32LE()
        case .float64: base = pooler_H5T_IEEE_F64LE()
        case .int8: base = pooler_H5T_STD_I8LE()
        case .uint8: base = pooler_H5T_STD_U8LE()
        case .int32: base = pooler_H5T_STD_I32LE()
        case .int64: base = pooler_H5T_STD_I64LE()
        }
        let handle = try HDF5.handle(H5Tcopy(base), .datatype, "H5Tcopy", path: path, object: object)
        if type == .float16 {
            try HDF5.check(H5Tset_fields(handle.id, 15, 10, 5, 0, 10), "H5Tset_fields", path: path, object: object)
            try HDF5.check(H5Tset_size(handle.id, 2), "H5Tset_size", path: path, object: object)
            try HDF5.check(H5Tset_ebias(handle.id, 15), "H5Tset_ebias", path: path, object: object)
        }
        return handle
    }

    /// A dataset creation property list with `filters` (chunked when any filter is asked for).
    static func creationProperties(_ filters: Filters, path: String, object: String) throws -> HDF5Handle {
        let plist = try HDF5.handle(H5Pcreate(pooler_H5P_DATASET_CREATE()), .propertyList, "H5Pcreate",
                                    path: path, object: object)
        guard let chunk = filters.chunk else {
            precondition(filters.gzip == nil && !filters.shuffle && !filters.fletcher32,
                         "\(object): filters need a chunk shape")
            return plist
        }
        var dims = chunk.map { hsize_t(max($0, 1)) }
        try HDF5.check(H5Pset_chunk(plist.id, Int32(dims.count), &dims), "H5Pset_chunk", path: path, object: object)
        // HDF5 applies filters in the order they are added: checksum the stored bytes last (h5py's order).
        if filters.shuffle {
            try HDF5.check(H5Pset_shuffle(plist.id), "H5Pset_shuffle", path: path, object: object)
        }
        if let level = filters.gzip {
            try HDF5.check(H5Pset_deflate(plist.id, UInt32(min(max(level, 0), 9))), "H5Pset_deflate",
                           path: path, object: object)
        }
        if filters.fletcher32 {
            try HDF5.check(H5Pset_fletcher32(plist.id), "H5Pset_fletcher32", path: path, object: object)
        }
        return plist
    }

    /// Writes `values` into the selected part of `dataset`, converting to `type`.
    static func write(_ values: Values, as type: StoredType, fileType: hid_t, to dataset: hid_t,
                      memorySpace: hid_t, fileSpace: hid_t, path: String, object: String) throws {
        guard values.count > 0 else { return }
        func put(_ memoryType: hid_t, _ pointer: UnsafeRawPointer?) throws {
            try HDF5.check(H5Dwrite(dataset, memoryType, memorySpace, fileSpace, hid_t(H5P_DEFAULT), pointer),
                           "H5Dwrite", path: path, object: object)
        }
        switch (values, type) {
        case (.floats(let floats), .float16):
            // Convert with F16C and write the raw bits: HDF5's own float→half conversion is ~100× slower.
            var halves = [UInt16](repeating: 0, count: floats.count)
            floats.withUnsafeBufferPointer { source in
                halves.withUnsafeMutableBufferPointer { target in
                    if let from = source.baseAddress, let to = target.baseAddress {
                        pooler_float_to_half(from, to, floats.count)
                    }
                }
            }
            try halves.withUnsafeBytes { try put(fileType, $0.baseAddress) }
        case (.doubles(let doubles), .float16):
            try write(.floats(doubles.map { Float($0) }), as: type, fileType: fileType, to: dataset,
                      memorySpace: memorySpace, fileSpace: fileSpace, path: path, object: object)
        case (.integers(let integers), .float16):
            try write(.floats(integers.map { Float($0) }), as: type, fileType: fileType, to: dataset,
                      memorySpace: memorySpace, fileSpace: fileSpace, path: path, object: object)
        case (.floats(let floats), _):
            try floats.withUnsafeBytes { try put(pooler_H5T_NATIVE_FLOAT(), $0.baseAddress) }
        case (.doubles(let doubles), _):
            try doubles.withUnsafeBytes { try put(pooler_H5T_NATIVE_DOUBLE(), $0.baseAddress) }
        case (.integers(let integers), _):
            try integers.withUnsafeBytes { try put(pooler_H5T_NATIVE_INT64(), $0.baseAddress) }
        }
    }
}

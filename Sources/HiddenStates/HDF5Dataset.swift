import CHDF5
import CPlatform

/// An open dataset of an HDF5 file being read: its shape, element type, storage, and typed reads.
final class HDF5Dataset {
    let path: String
    /// The HDF5 path, e.g. `/tokens`.
    let name: String
    let handle: HDF5Handle
    let fileType: HDF5Handle
    let shape: [Int]
    let elementType: ElementType
    /// Threads that decode chunks of large row reads (`readFloatRowsInParallel`); 1 leaves it to `H5Dread`.
    let decompressionThreads: Int
    /// `directChunkLayout()`'s answer once computed (`.some(nil)`: the dataset does not qualify).
    var directLayoutCache: DirectChunkLayout??
    /// Chunks decoded by `readFloatRowsInParallel` so far (tests check the fast path ran).
    var chunksDecodedInParallel = 0

    /// Number of elements (1 for a scalar), checked for overflow when opened.
    let count: Int
    /// Bytes of one element in memory as HDF5 describes the file type (8 for a variable-length string).
    let elementBytes: Int
    /// What one whole-dataset read may allocate.
    let budget: MemoryBudget
    /// The chunk shape and the pipeline index of the Fletcher-32 filter, when chunks carry one
    /// (`checkChecksummedChunks`).
    private(set) var checksummedChunk: (shape: [Int], filter: Int)?
    /// Chunks (by grid coordinates) `checkChecksummedChunks` found sound.
    var checkedChunks = Set<[Int]>()

    /// Opens `name` in `file`; `cacheBytes` sizes the chunk cache (nil: HDF5's 1 MiB default);
    /// `decompressionThreads` > 1 lets reads of ≥ 2 chunks' rows decode chunks on that many threads.
    ///
    /// Checks the sizes the file declares before anything is allocated for them: every extent fits
    /// `Int` and their product does not overflow, the chunk shape fits the dataspace
    /// (`ChunkShapeCheck`, partly before `H5Dopen2`), a chunk fits `budget`, and the bytes stored for
    /// the dataset can hold its extent (allowing deflate's ~1000:1 ratio when compressed).
    /// - Throws: `sizeOverflow`, `corruptChunkShape`, `exceedsMemoryBudget`, `implausibleStorage`, `hdf5`.
    init(file: HDF5Handle, path: String, name: String, cacheBytes: Int? = nil, decompressionThreads: Int = 1,
         budget: MemoryBudget = .standard) throws {
        self.path = path
        self.name = name
        self.decompressionThreads = decompressionThreads
        self.budget = budget
        var access: HDF5Handle?
        if let cacheBytes {
            let plist = try HDF5.handle(H5Pcreate(pooler_H5P_DATASET_ACCESS()), .propertyList, "H5Pcreate",
                                        path: path, object: name)
            // 12421 slots (prime, ≥ 100 × the chunks that fit) keep hash collisions rare; w0 = 1 evicts
            // chunks that were read completely first, right for sequential streaming.
            try HDF5.check(H5Pset_chunk_cache(plist.id, 12421, cacheBytes, 1.0), "H5Pset_chunk_cache",
                           path: path, object: name)
            access = plist
        }
        // HDF5 1.10 divides by the chunk sizes while it opens the dataset: check them first.
        try ChunkShapeCheck.checkLayout(in: file.id, dataset: name, path: path, budget: budget)
        handle = try HDF5.handle(H5Dopen2(file.id, name, access?.id ?? hid_t(H5P_DEFAULT)), .dataset, "H5Dopen2",
                                 path: path, object: name)
        fileType = try HDF5.handle(H5Dget_type(handle.id), .datatype, "H5Dget_type", path: path, object: name)
        elementType = ElementType(hdf5Type: fileType.id)
        let space = try HDF5.handle(H5Dget_space(handle.id), .dataspace, "H5Dget_space", path: path, object: name)
        let rank = Int(try HDF5.check(H5Sget_simple_extent_ndims(space.id), "H5Sget_simple_extent_ndims",
                                      path: path, object: name))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        var maxDims = [hsize_t](repeating: 0, count: max(rank, 1))
        try HDF5.check(H5Sget_simple_extent_dims(space.id, &dims, &maxDims), "H5Sget_simple_extent_dims",
                       path: path, object: name)
        shape = try Self.extents(dims.prefix(rank), path: path, dataset: name, what: "its shape")
        let isNull = H5Sget_simple_extent_type(space.id) == H5S_NULL
        if isNull {
            count = 0
        } else {
            count = try Sizes.product(shape, path: path, dataset: name, what: "its element count")
        }
        elementBytes = H5Tget_size(fileType.id)
        // nil: unlimited (or beyond Int, left unchecked).
        let maxShape = maxDims.prefix(rank).map { $0 == pooler_H5S_UNLIMITED() ? nil : Int(exactly: $0) }
        try checkStorage(maxShape: isNull ? nil : maxShape)
    }

    /// `dims` as `Int`s, or `sizeOverflow` when one exceeds `Int.max`.
    private static func extents<C: Collection<hsize_t>>(_ dims: C, path: String, dataset: String,
                                                        what: String) throws -> [Int] {
        try dims.map { dim in
            guard let value = Int(exactly: dim) else {
                throw HiddenStatesError.sizeOverflow(path: path, dataset: dataset, what: "\(what) (an extent of \(dim))")
            }
            return value
        }
    }

    /// Deflate's largest ratio is about 1032:1 (a run of zeros); anything claiming more is corrupt.
    static let largestCompressionRatio = 1100

    /// Checks that the chunk shape fits the dataspace (`maxShape`: its maximum sizes, nil for a null
    /// dataspace, which reads nothing), that a chunk fits the budget and that the stored bytes can
    /// hold the declared extent.
    private func checkStorage(maxShape: [Int?]?) throws {
        let declared = try Sizes.product([count, elementBytes], path: path, dataset: name, what: "its size in bytes")
        let info = try storage()
        let plist = try HDF5.handle(H5Dget_create_plist(handle.id), .propertyList, "H5Dget_create_plist",
                                    path: path, object: name)
        let layout = H5Pget_layout(plist.id)
        if layout == H5D_VIRTUAL {
            throw HiddenStatesError.wrongType(path: path, dataset: name, expected: "data stored in this file",
                                              actual: "a virtual dataset (data in other files)")
        }
        if let chunk = info.chunk {
            if let maxShape, let problem = ChunkShapeCheck.problem(chunk: chunk, shape: shape, maxShape: maxShape) {
                throw HiddenStatesError.corruptChunkShape(path: path, dataset: name, detail: problem)
            }
            if let filter = info.filters.firstIndex(of: .fletcher32) { checksummedChunk = (chunk, filter) }
            let chunkBytes = try Sizes.product(chunk + [max(elementBytes, 1)], path: path, dataset: name,
                                               what: "its chunk size in bytes")
            try budget.check(chunkBytes, path: path, dataset: name, what: "one chunk (\(shapeText(chunk)))")
        }
        guard declared > 0 else { return }
        // H5Dget_storage_size returns 0 for errors too; either way nothing backs the extent.
        let stored = Int(clamping: H5Dget_storage_size(handle.id))
        _ = H5Eclear2(hid_t(H5E_DEFAULT))
        let compressed = info.filters.contains { $0 != .shuffle && $0 != .fletcher32 }
        let capacity = compressed ? stored.multipliedReportingOverflow(by: Self.largestCompressionRatio).partialValue
            : stored
        if capacity < declared || (compressed && capacity < stored) {
            throw HiddenStatesError.implausibleStorage(path: path, dataset: name, declaredBytes: declared,
                                                       storedBytes: stored)
        }
    }

    /// Chunking and filters, read from the dataset creation property list.
    func storage() throws -> StorageInfo {
        let plist = try HDF5.handle(H5Dget_create_plist(handle.id), .propertyList, "H5Dget_create_plist",
                                    path: path, object: name)
        var chunk: [Int]?
        if H5Pget_layout(plist.id) == H5D_CHUNKED {
            // Room for any rank HDF5 allows (32), so a chunk rank that differs from the dataspace's shows.
            var dims = [hsize_t](repeating: 0, count: 32)
            let rank = try HDF5.check(H5Pget_chunk(plist.id, Int32(dims.count), &dims), "H5Pget_chunk",
                                      path: path, object: name)
            chunk = try Self.extents(dims.prefix(Int(rank)), path: path, dataset: name, what: "its chunk shape")
        }
        var filters: [StorageInfo.Filter] = []
        var shuffleElementSize: Int?
        let n = try HDF5.check(H5Pget_nfilters(plist.id), "H5Pget_nfilters", path: path, object: name)
        for index in 0..<UInt32(n) {
            var flags: UInt32 = 0
            var valueCount = 8
            var values = [UInt32](repeating: 0, count: valueCount)
            var nameBuffer = [CChar](repeating: 0, count: 128)
            var config: UInt32 = 0
            let id = try HDF5.check(
                H5Pget_filter2(plist.id, index, &flags, &valueCount, &values, nameBuffer.count, &nameBuffer, &config),
                "H5Pget_filter2", path: path, object: name)
            switch id {
            case H5Z_FILTER_DEFLATE: filters.append(.gzip(level: Int(values[0])))
            case H5Z_FILTER_SHUFFLE:
                filters.append(.shuffle)
                if valueCount > 0 { shuffleElementSize = Int(values[0]) }
            case H5Z_FILTER_FLETCHER32: filters.append(.fletcher32)
            case H5Z_FILTER_SZIP: filters.append(.szip)
            case H5Z_FILTER_NBIT: filters.append(.nbit)
            case H5Z_FILTER_SCALEOFFSET: filters.append(.scaleOffset)
            default:
                let text = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                filters.append(.other(id: Int(id), name: text))
            }
        }
        return StorageInfo(chunk: chunk, filters: filters, shuffleElementSize: shuffleElementSize)
    }

    // MARK: Whole small datasets

    /// All elements converted by HDF5 to `Int64` (for offsets, pairs, masks, ids). Shape flattened.
    func readInt64() throws -> [Int64] {
        guard elementType.isInteger || elementType == .bool else {
            throw HiddenStatesError.wrongType(path: path, dataset: name, expected: "an integer type",
                                              actual: elementType.description)
        }
        try budget.check(count: count, elementBytes: 9, path: path, dataset: name, what: "all of it")
        var values = [Int64](repeating: 0, count: count)
        if elementType == .bool {
            // HDF5 does not convert enums to integers; read the raw int8 members instead.
            var bytes = [Int8](repeating: 0, count: count)
            try read(memoryType: fileType.id, into: &bytes, rows: nil)
            for i in bytes.indices { values[i] = Int64(bytes[i]) }
            return values
        }
        try read(memoryType: pooler_H5T_NATIVE_INT64(), into: &values, rows: nil)
        return values
    }

    /// All elements converted to `Float` (for scores and float masks).
    func readFloat() throws -> [Float] {
        guard elementType.isFloatingPoint || elementType.isInteger else {
            throw HiddenStatesError.wrongType(path: path, dataset: name, expected: "a numeric type",
                                              actual: elementType.description)
        }
        // The values plus the widest scratch buffer (float64 bits).
        try budget.check(count: count, elementBytes: 12, path: path, dataset: name, what: "all of it")
        var values = [Float](repeating: 0, count: count)
        if count > 0 {
            try values.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                try readFloatRows(0..<(shape.first ?? 1), into: base, scratch: ScratchBuffer())
            }
        }
        return values
    }

    /// All elements of a string dataset (variable- or fixed-length), decoded as UTF-8.
    ///
    /// Variable-length strings' stored references are checked before HDF5 follows them
    /// (`checkStringReferences`): a corrupt one would crash or hang HDF5 1.10.
    /// - Throws: `wrongType`, `exceedsMemoryBudget`, `corruptStringReference`, `hdf5`.
    func readStrings() throws -> [String] {
        guard elementType == .string else {
            throw HiddenStatesError.wrongType(path: path, dataset: name, expected: "strings",
                                              actual: elementType.description)
        }
        try budget.check(count: count, elementBytes: max(elementBytes, 8), path: path, dataset: name,
                         what: "all of its strings")
        // HDF5 follows every stored reference without checking it: check them first.
        try checkStringReferences()
        try checkChecksummedChunks(start: shape.map { _ in 0 }, count: shape)
        return try HDF5Strings.read(count: count, fileType: fileType.id, path: path, object: name) { memoryType, buffer in
            try HDF5.check(H5Dread(handle.id, memoryType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), buffer),
                           "H5Dread", path: path, object: name)
        }
    }

    // MARK: Row blocks

    /// Reads rows `rows` of the first axis (all of the others) with `memoryType`, or everything when `rows` is nil.
    func read<T>(memoryType: hid_t, into values: inout [T], rows: Range<Int>?) throws {
        try values.withUnsafeMutableBytes { raw in
            try readRaw(memoryType: memoryType, into: raw.baseAddress, rows: rows)
        }
    }

    /// Reads `rows` of a `[R, …]` dataset as `Float` into `destination` (room for `rows.count × rowSize`).
    ///
    /// float16 (little-endian IEEE) is read as raw 16-bit values and converted with F16C: HDF5's own
    /// half→float conversion is ~100× slower. float64 is narrowed here so overflow becomes ±Inf, visibly.
    /// Large reads of chunked shuffle + gzip float16/float32 data decode chunks on several threads.
    func readFloatRows(_ rows: Range<Int>, into destination: UnsafeMutablePointer<Float>, scratch: ScratchBuffer) throws {
        if try readFloatRowsInParallel(rows, into: destination, scratch: scratch) { return }
        try readFloatBlock(start: [rows.lowerBound] + Array(repeating: 0, count: max(shape.count - 1, 0)),
                           count: [rows.count] + shape.dropFirst(), into: destination, scratch: scratch)
    }

    /// Reads the hyperslab `start ..< start + count` (all axes) as `Float` into `destination`, row-major.
    func readFloatBlock(start: [Int], count: [Int], into destination: UnsafeMutablePointer<Float>,
                        scratch: ScratchBuffer) throws {
        let n = count.reduce(1, *)
        guard n > 0 else { return }
        switch elementType {
        case .float16 where H5Tget_order(fileType.id) == H5T_ORDER_LE:
            let raw = scratch.bytes(n * 2)
            try readBlock(memoryType: fileType.id, start: start, count: count, into: raw)
            pooler_half_to_float(raw.assumingMemoryBound(to: UInt16.self), destination, n)
        case .float64:
            let raw = scratch.bytes(n * 8)
            try readBlock(memoryType: pooler_H5T_NATIVE_DOUBLE(), start: start, count: count, into: raw)
            let doubles = raw.assumingMemoryBound(to: Double.self)
            for i in 0..<n { destination[i] = Float(doubles[i]) }
        default:
            try readBlock(memoryType: pooler_H5T_NATIVE_FLOAT(), start: start, count: count, into: destination)
        }
    }

    private func readRaw(memoryType: hid_t, into buffer: UnsafeMutableRawPointer?, rows: Range<Int>?) throws {
        guard let rows else {
            guard count > 0 else { return }
            try checkChecksummedChunks(start: shape.map { _ in 0 }, count: shape)
            try HDF5.check(H5Dread(handle.id, memoryType, H5S_ALL, H5S_ALL, hid_t(H5P_DEFAULT), buffer),
                           "H5Dread", path: path, object: name)
            return
        }
        guard let buffer else { return }
        try readBlock(memoryType: memoryType,
                      start: [rows.lowerBound] + Array(repeating: 0, count: max(shape.count - 1, 0)),
                      count: [rows.count] + shape.dropFirst(), into: buffer)
    }

    /// One hyperslab read (its Fletcher-32 chunks checked first, `checkChecksummedChunks`); a checksum
    /// failure is reported with the first-axis rows it covered.
    private func readBlock(memoryType: hid_t, start: [Int], count: [Int], into buffer: UnsafeMutableRawPointer) throws {
        let n = count.reduce(1, *)
        guard n > 0 else { return }
        let fileSpace = try HDF5.handle(H5Dget_space(handle.id), .dataspace, "H5Dget_space", path: path, object: name)
        var start64 = start.map { hsize_t($0) }
        var count64 = count.map { hsize_t($0) }
        try HDF5.check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start64, nil, &count64, nil),
                       "H5Sselect_hyperslab", path: path, object: name)
        // A memory space of the selection's own shape: with a flat one HDF5 maps every chunk element
        // by element through its selection iterators (measured 4× slower for a whole gzip'd dataset).
        let memorySpace = try HDF5.handle(H5Screate_simple(Int32(count64.count), &count64, nil), .dataspace,
                                          "H5Screate_simple", path: path, object: name)
        try checkChecksummedChunks(start: start, count: count)
        do {
            try HDF5.check(H5Dread(handle.id, memoryType, memorySpace.id, fileSpace.id, hid_t(H5P_DEFAULT), buffer),
                           "H5Dread", path: path, object: name)
        } catch HiddenStatesError.checksumMismatch(let path, let dataset, _, let detail) {
            let first = start.first ?? 0
            throw HiddenStatesError.checksumMismatch(path: path, dataset: dataset,
                                                     rows: first..<(first + (count.first ?? 1)), detail: detail)
        }
    }
}

/// A reusable, growable byte buffer for raw reads (float16 bits, float64) before conversion.
final class ScratchBuffer {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0

    init() {}

    /// At least `byteCount` bytes, valid until the next call.
    func bytes(_ byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount > capacity || storage == nil {
            storage?.deallocate()
            capacity = max(byteCount, 64)
            storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        }
        // Non-nil: allocated just above when missing.
        return storage.unsafelyUnwrapped
    }

    /// Frees the memory (the buffer stays usable).
    func release() {
        storage?.deallocate()
        storage = nil
        capacity = 0
    }

    deinit { storage?.deallocate() }
}

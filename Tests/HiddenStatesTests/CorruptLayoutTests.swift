import Foundation
import HiddenStates
import Testing

/// Corrupt chunk shapes, Fletcher-32 chunks too short for their checksum, and a root group whose
/// local heap's free list loops: HDF5 1.10.8 divides by zero, copies past a buffer, checksums
/// gigabytes or allocates without end on these; each gives a typed error instead, every time.
@Suite("corrupt layouts: chunk shapes, checksummed chunks, the root group's heap")
struct CorruptLayoutTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    private static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    private static func isChunkShape(_ error: HiddenStatesError, _ path: String, _ dataset: String) -> Bool {
        if case .corruptChunkShape(path, dataset, _) = error { return true }
        return false
    }

    /// Expects `body` to give `corruptChunkShape` for `dataset` of `path`, twice over.
    private func expectChunkShape(_ path: String, _ dataset: String, mentions: [String],
                                  _ body: () throws -> Void) {
        for _ in 0..<2 {
            expectHiddenStatesError([path, "dataset \(dataset) has a corrupt chunk shape"] + mentions, body) {
                Self.isChunkShape($0, path, dataset)
            }
        }
    }

    /// A ragged file: `/tokens` [26, 3] float32 chunked 16 × 3 with `filters`, `/offsets` [5];
    /// returns its bytes.
    @discardableResult
    private func writeFile(_ path: String, formats: HDF5Writer.FormatVersions = .earliest,
                           filters: HDF5Writer.Filters = .init(chunk: [16, 3])) throws -> Data {
        let writer = try HDF5Writer(path: path, formats: formats)
        try writer.createDataset("/tokens", shape: [26, 3], type: .float32, values: .floats((0..<78).map { Float($0) }),
                                 filters: filters)
        try writer.createDataset("/offsets", shape: [5], type: .int64, values: .integers([0, 4, 10, 20, 26]))
        try writer.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// The offset of `/tokens`' version-3 layout message: `03 02 03`, an 8-byte B-tree address, then
    /// the u32 chunk sizes 16, 3 and the element size 4; nil when there is none.
    private static func tokensLayout(in bytes: Data) -> Int? {
        let sizes = Data([16, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0])
        var from = 0
        while let found = bytes.range(of: Data([3, 2, 3]), in: from..<bytes.count) {
            let at = found.lowerBound
            if at + 23 <= bytes.count, bytes[(at + 11)..<(at + 23)] == sizes { return at }
            from = at + 1
        }
        return nil
    }

    // MARK: Fuzz finds (HDF5 1.10.8 crashed or ran out of memory on each)

    @Test("fuzz input 29045: /tokens chunks of 16 × 45059 in a (26, 3) dataset (H5Dread copied past its buffer)")
    func fuzz29045() {
        let path = Self.fixture("fuzz-29045-chunk-past-extent.h5")
        expectChunkShape(path, "/tokens", mentions: ["16 × 45059", "fixed size 3"]) { _ = try HiddenStatesFile(path: path) }
    }

    @Test("fuzz input 33222: a scalar /sentences with 1-D chunks (H5Dread allocated without end)")
    func fuzz33222() {
        let path = Self.fixture("fuzz-33222-scalar-chunked.h5")
        expectChunkShape(path, "/sentences", mentions: ["1 dimensions", "dataspace has 0"]) {
            _ = try HDF5Reader(path: path).strings("/sentences")
        }
    }

    @Test("fuzz input 56877: a /sentences layout with no chunk dimensions (H5Dopen2 divided by zero)")
    func fuzz56877() {
        let path = Self.fixture("fuzz-56877-no-chunk-dims.h5")
        expectChunkShape(path, "/sentences", mentions: ["declares 0 chunk dimensions"]) {
            _ = try HDF5Reader(path: path).strings("/sentences")
        }
    }

    @Test("fuzz input 84503: a Fletcher-32 /tokens chunk storing 1 byte (the filter checksummed gigabytes)")
    func fuzz84503() throws {
        let path = Self.fixture("fuzz-84503-tiny-checksummed-chunk.h5")
        let file = try HiddenStatesFile(path: path)
        for _ in 0..<2 {
            expectHiddenStatesError([path, "/tokens", "stores 1 bytes", "Fletcher-32"], { _ = try file.readAll() }) {
                if case .checksumMismatch(path, "/tokens", 0..<16, _) = $0 { return true }
                return false
            }
        }
    }

    @Test("fuzz input 17809: the root group's local heap free list comes back to itself (HDF5 allocated without end)")
    func fuzz17809() {
        let path = Self.fixture("fuzz-17809-root-heap.h5")
        for _ in 0..<2 {
            expectHiddenStatesError([path, "local heap of the root group", "comes back to the block at offset 80"],
                                    { _ = try HiddenStatesFile(path: path) }) {
                if case .corruptGroupHeap(path, _, _) = $0 { return true }
                return false
            }
        }
    }

    // MARK: Corruptions made from a valid file

    @Test("valid chunked files (plain, Fletcher-32, gzip + Fletcher-32; version-3 and version-4 layouts) read as before")
    func validChunks() throws {
        let pipelines: [HDF5Writer.Filters] = [.init(chunk: [16, 3]), .init(chunk: [16, 3], fletcher32: true),
                                               .init(chunk: [5, 3], gzip: 4, fletcher32: true)]
        for formats in [HDF5Writer.FormatVersions.earliest, .latest] {
            for (k, filters) in pipelines.enumerated() {
                let path = directory.path("valid-\(formats)-\(k).h5")
                try writeFile(path, formats: formats, filters: filters)
                let file = try HiddenStatesFile(path: path)
                #expect(try file.readAll().tokens == (0..<78).map { Float($0) })
                #expect(try HDF5Reader(path: path).floats("/tokens") == (0..<78).map { Float($0) })
            }
        }
    }

    @Test("a chunk larger than a fixed dimension")
    func chunkPastFixedExtent() throws {
        let path = directory.path("wide-chunk.h5")
        let bytes = try writeFile(path)
        let layout = try #require(Self.tokensLayout(in: bytes))
        try StoredBytes.patch(bytes, path) { StoredBytes.put(4, &$0, at: layout + 15, width: 4) }
        expectChunkShape(path, "/tokens", mentions: ["16 × 4", "axis 1", "fixed size 3"]) {
            _ = try HiddenStatesFile(path: path)
        }
    }

    @Test("a layout message with no chunk dimensions, or a chunk size of 0 (checked before H5Dopen2)")
    func zeroChunkDimensions() throws {
        let path = directory.path("zero-chunk.h5")
        let bytes = try writeFile(path)
        let layout = try #require(Self.tokensLayout(in: bytes))
        try StoredBytes.patch(bytes, path) { StoredBytes.put(0, &$0, at: layout + 2, width: 1) }
        expectChunkShape(path, "/tokens", mentions: ["declares 0 chunk dimensions"]) { _ = try HiddenStatesFile(path: path) }
        try StoredBytes.patch(bytes, path) { StoredBytes.put(0, &$0, at: layout + 11, width: 4) }
        expectChunkShape(path, "/tokens", mentions: ["chunk size of 0 along axis 0"]) {
            _ = try HDF5Reader(path: path).floats("/tokens")
        }
    }

    @Test("a chunked dataset whose dataspace was made scalar")
    func scalarChunked() throws {
        let path = directory.path("scalar-chunked.h5")
        let bytes = try writeFile(path, filters: .init(chunk: [16, 3]))
        // /offsets is contiguous; make /tokens' version-1 dataspace (01 02 flags 00 …, sizes 26 and 3) scalar.
        let sizes = Data([26, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0])
        let space = try #require(bytes.range(of: sizes)).lowerBound - 8
        #expect(bytes[space] == 1 && bytes[space + 1] == 2)
        try StoredBytes.patch(bytes, path) {
            $0[space + 1] = 0
            $0[space + 2] = 0
        }
        expectChunkShape(path, "/tokens", mentions: ["2 dimensions", "dataspace has 0"]) {
            _ = try HDF5Reader(path: path).floats("/tokens")
        }
    }

    @Test("a Fletcher-32 chunk whose stored size is less than its checksum")
    func tinyChecksummedChunk() throws {
        let path = directory.path("tiny-chunk.h5")
        // Compressed, as the fuzz input was (uncompressed, a shrunken chunk is `implausibleStorage`).
        let bytes = try writeFile(path, filters: .init(chunk: [16, 3], gzip: 4, fletcher32: true))
        // The chunk B-tree node ("TREE", type 1): after its 24-byte prefix, the first key starts with
        // the first chunk's u32 stored size (its deflated bytes + 4 checksum bytes).
        var from = 0
        var key: Int?
        while let found = bytes.range(of: Data("TREE".utf8), in: from..<bytes.count) {
            if bytes[found.lowerBound + 4] == 1 { key = found.lowerBound + 24 }
            from = found.upperBound
        }
        let size = try #require(key)
        #expect((5..<(16 * 3 * 4 + 64)).contains(StoredBytes.uint(bytes, size, 4)))
        try StoredBytes.patch(bytes, path) { StoredBytes.put(2, &$0, at: size, width: 4) }
        let file = try HiddenStatesFile(path: path)
        for _ in 0..<2 {
            expectHiddenStatesError([path, "/tokens", "stores 2 bytes"], { _ = try file.readAll() }) {
                if case .checksumMismatch(path, "/tokens", 0..<16, _) = $0 { return true }
                return false
            }
            expectHiddenStatesError([path, "/tokens", "stores 2 bytes"], { _ = try HDF5Reader(path: path).floats("/tokens") }) {
                if case .checksumMismatch(path, "/tokens", _, _) = $0 { return true }
                return false
            }
        }
    }

    @Test("the root group's local heap: a free block that points back to itself")
    func loopingGroupHeap() throws {
        let path = directory.path("heap-loop.h5")
        let bytes = try writeFile(path)
        let heap = try #require(bytes.range(of: Data("HEAP".utf8))).lowerBound
        let size = StoredBytes.uint(bytes, heap + 8, 8)
        let data = StoredBytes.uint(bytes, heap + 24, 8)
        // The first free block, or a new one at offset 8 when the heap has none.
        let block = StoredBytes.uint(bytes, heap + 16, 8) == 1 ? 8 : StoredBytes.uint(bytes, heap + 16, 8)
        #expect(block + 16 <= size)
        try StoredBytes.patch(bytes, path) {
            StoredBytes.put(block, &$0, at: heap + 16, width: 8)
            StoredBytes.put(block, &$0, at: data + block, width: 8)
            StoredBytes.put(0, &$0, at: data + block + 8, width: 8)
        }
        for _ in 0..<2 {
            expectHiddenStatesError([path, "comes back to the block at offset \(block)"], { _ = try HDF5Reader(path: path) }) {
                if case .corruptGroupHeap(path, heap, _) = $0 { return true }
                return false
            }
        }
    }
}

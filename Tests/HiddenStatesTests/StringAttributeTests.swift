import Foundation
import HiddenStates
import Testing

/// Variable-length string attributes whose stored references HDF5 1.10 would follow into memory it
/// does not own (`H5Aread` → `H5HG_read` segfaults on a missing heap object): each gives
/// `corruptStringAttribute` when the file is opened, on every read path, every time, never a crash;
/// valid attributes in version-1 and version-2 object headers, continuation chunks and dense
/// storage read as before.
@Suite("string attributes checked before HDF5 follows their references")
struct StringAttributeTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The attributes of `writeFile`, in the order they are written.
    static let attributes: [(String, AttributeValue)] = [
        ("model", .string("sentence-transformers/test-model")),
        ("special_tokens", .string("cls_first,sep_last")),
        ("labels", .strings(["a", "bb", "ccc — ü"])),
        ("max_length", .int(128)),
    ]

    /// A valid ragged file whose root group holds `attributes`; returns its bytes.
    @discardableResult
    private func writeFile(_ path: String, formats: HDF5Writer.FormatVersions = .earliest,
                           attributes: [(String, AttributeValue)] = Self.attributes) throws -> Data {
        let writer = try HDF5Writer(path: path, formats: formats)
        try writer.createDataset("/tokens", shape: [6, 2], type: .float32, values: .floats((0..<12).map { Float($0) }))
        try writer.createDataset("/offsets", shape: [4], type: .int64, values: .integers([0, 2, 3, 6]))
        for (name, value) in attributes { try writer.setAttribute(name, value) }
        try writer.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// `count` string attributes `attribute-00`… with values of distinct lengths, then an integer.
    static func many(_ count: Int) -> [(String, AttributeValue)] {
        (0..<count).map { k in (String(format: "attribute-%02d", k), .string(value(k))) } + [("max_length", .int(128))]
    }

    /// The value of `attribute-k` in `many`: `k + 1` x's make each length unique.
    static func value(_ k: Int) -> String { String(format: "value %02d: ", k) + String(repeating: "x", count: k + 1) }

    private static func isCorrupt(_ error: HiddenStatesError, _ path: String, _ attribute: String, _ element: Int) -> Bool {
        if case .corruptStringAttribute(path, attribute, element, _) = error { return true }
        return false
    }

    /// Expects opening `path` and reading its root attributes to give `corruptStringAttribute` for
    /// `/@name` element `element`, twice over.
    private func expectCorrupt(_ path: String, _ name: String, element: Int = 0, mentions: [String] = []) {
        let label = "/@\(name)"
        let words = [path, "attribute \(label)", "string \(element) is corrupt", "re-create it"] + mentions
        for _ in 0..<2 {
            expectHiddenStatesError(words, { _ = try HiddenStatesFile(path: path) }) {
                Self.isCorrupt($0, path, label, element)
            }
            expectHiddenStatesError(words, { _ = try HDF5Reader(path: path).attributes() }) {
                Self.isCorrupt($0, path, label, element)
            }
            expectHiddenStatesError(words, { _ = try HDF5Reader(path: path).attribute(name) }) {
                Self.isCorrupt($0, path, label, element)
            }
        }
    }

    /// Expects the root attributes of `path` to read back as `expected`, through both readers.
    private func expectAttributes(_ path: String, _ expected: [(String, AttributeValue)]) throws {
        let wanted = Dictionary(uniqueKeysWithValues: expected)
        #expect(try HiddenStatesFile(path: path).metadata.attributes == wanted)
        #expect(try HDF5Reader(path: path).attributes() == wanted)
    }

    // MARK: Fuzz find (HDF5 1.10.8 segfaulted in H5HG_read on it)

    @Test("fuzz input 24669: /@special_tokens names heap object 258, which its collection lacks")
    func fuzz24669() {
        let path = Self.fixtures.appendingPathComponent("fuzz-24669-special-tokens.h5").path
        expectCorrupt(path, "special_tokens", mentions: ["object 258", "holds objects 1, 2, 3"])
    }

    // MARK: Corruptions made from a valid file (version-1 object header, HDF5's default)

    @Test("valid string attributes read back identically, version-1 and version-2 object headers")
    func validAttributes() throws {
        for formats in [HDF5Writer.FormatVersions.earliest, .latest] {
            let path = directory.path("valid-\(formats).h5")
            let bytes = try writeFile(path, formats: formats)
            #expect((bytes.range(of: Data("OHDR".utf8)) != nil) == (formats == .latest))
            try expectAttributes(path, Self.attributes)
        }
    }

    @Test("a string attribute naming an object index its heap collection lacks, or object 0 (the free space)")
    func missingObject() throws {
        let path = directory.path("bad-index.h5")
        let bytes = try writeFile(path)
        let model = try StoredBytes.references(in: bytes, of: ["sentence-transformers/test-model"])
        try StoredBytes.patch(bytes, path) { StoredBytes.put(4000, &$0, at: model[0] + 12, width: 4) }
        expectCorrupt(path, "model", mentions: ["object 4000"])
        try StoredBytes.patch(bytes, path) { StoredBytes.put(0, &$0, at: model[0] + 12, width: 4) }
        expectCorrupt(path, "model", mentions: ["object 0"])
    }

    @Test("a string attribute whose stored length is huge, or not its object's size")
    func wrongLength() throws {
        let path = directory.path("bad-length.h5")
        let bytes = try writeFile(path)
        let tokens = try StoredBytes.references(in: bytes, of: ["cls_first,sep_last"])
        try StoredBytes.patch(bytes, path) { StoredBytes.put(0xFFFF_FFF0, &$0, at: tokens[0], width: 4) }
        expectCorrupt(path, "special_tokens", mentions: ["stored length is 4294967280 bytes", "holds 18 bytes"])
        try StoredBytes.patch(bytes, path) { StoredBytes.put(19, &$0, at: tokens[0], width: 4) }
        expectCorrupt(path, "special_tokens", mentions: ["stored length is 19 bytes"])
    }

    @Test("a string attribute whose collection address is not a collection, or past the end of the file")
    func badCollection() throws {
        let path = directory.path("bad-address.h5")
        let bytes = try writeFile(path)
        let model = try StoredBytes.references(in: bytes, of: ["sentence-transformers/test-model"])
        try StoredBytes.patch(bytes, path) { StoredBytes.put(96, &$0, at: model[0] + 4, width: 8) }
        expectCorrupt(path, "model", mentions: ["address 96", "no collection starts there"])
        try StoredBytes.patch(bytes, path) { StoredBytes.put(1 << 40, &$0, at: model[0] + 4, width: 8) }
        expectCorrupt(path, "model", mentions: ["past the end of the file"])
    }

    @Test("element 2 of a 1-D string attribute names a missing object (the error names the element)")
    func arrayElement() throws {
        let path = directory.path("bad-element.h5")
        let bytes = try writeFile(path)
        let labels = try StoredBytes.references(in: bytes, of: ["a", "bb", "ccc — ü"])
        try StoredBytes.patch(bytes, path) { StoredBytes.put(999, &$0, at: labels[2] + 12, width: 4) }
        expectCorrupt(path, "labels", element: 2, mentions: ["object 999"])
    }

    private static func isCorruptMessage(_ error: HiddenStatesError, _ path: String, _ attribute: String) -> Bool {
        if case .corruptAttribute(path, attribute, _) = error { return true }
        return false
    }

    /// Expects every read of the root attributes of `path` (any attribute: HDF5 decodes all of them)
    /// to give `corruptAttribute` for `/@name`, twice over.
    private func expectCorruptMessage(_ path: String, _ name: String, mentions: [String]) {
        let label = "/@\(name)"
        let words = [path, "attribute \(label) is corrupt"] + mentions
        for _ in 0..<2 {
            expectHiddenStatesError(words, { _ = try HiddenStatesFile(path: path) }) {
                Self.isCorruptMessage($0, path, label)
            }
            expectHiddenStatesError(words, { _ = try HDF5Reader(path: path).attributes() }) {
                Self.isCorruptMessage($0, path, label)
            }
            expectHiddenStatesError(words, { _ = try HDF5Reader(path: path).attribute("max_length") }) {
                Self.isCorruptMessage($0, path, label)
            }
        }
    }

    /// Offsets in the version-1 attribute message of `/@name`: its name (after the 8-byte prefix,
    /// whose u16 datatype and dataspace sizes sit at -4 and -2) and its datatype (the name padded to 8).
    private static func attributeMessage(_ name: String, in bytes: Data) throws -> (name: Int, datatype: Int) {
        let at = try offset(of: name + "\0", in: bytes)
        return (at, at + (name.utf8.count + 1 + 7) / 8 * 8)
    }

    @Test("a dataspace declaring more strings than the attribute's value holds (HDF5 would read the next message)")
    func valueShorterThanDataspace() throws {
        let path = directory.path("short-value.h5")
        let bytes = try writeFile(path)
        // Version-1 attribute message: name, datatype and dataspace each padded to 8 bytes; the
        // dataspace's u64 size at +8 (its maximum at +16).
        let message = try Self.attributeMessage("labels", in: bytes)
        let space = message.datatype + (StoredBytes.uint(bytes, message.name - 4, 2) + 7) / 8 * 8
        #expect(StoredBytes.uint(bytes, space, 2) == 0x0101 && StoredBytes.uint(bytes, space + 8, 8) == 3)
        try StoredBytes.patch(bytes, path) {
            StoredBytes.put(4, &$0, at: space + 8, width: 8)
            StoredBytes.put(4, &$0, at: space + 16, width: 8)
        }
        expectCorruptMessage(path, "labels", mentions: ["holds 48 bytes, too few for the 4 elements of 16 bytes"])
    }

    @Test("fuzz input 80849: an attribute message whose dataspace runs past its end (H5Aiterate2 read past it)")
    func dataspacePastMessage() throws {
        let path = directory.path("long-dataspace.h5")
        let bytes = try writeFile(path)
        // The u16 dataspace size of /@special_tokens' message: 8 → 0xE508, as the fuzzer made it.
        let message = try Self.attributeMessage("special_tokens", in: bytes)
        #expect(StoredBytes.uint(bytes, message.name - 2, 2) == 8)
        try StoredBytes.patch(bytes, path) { $0[message.name - 1] = 0xE5 }
        expectCorruptMessage(path, "special_tokens", mentions: ["58632-byte dataspace runs past the end"])
    }

    @Test("fuzz input 64466 (as an attribute): characters declared 2^31 bytes wide (HDF5 would clear 2^31 × length)")
    func wideCharacters() throws {
        let path = directory.path("wide-characters.h5")
        let bytes = try writeFile(path)
        // The variable-length string datatype (class 9, size 16), then its base type's u32 size (1) at +12.
        let type = try Self.attributeMessage("model", in: bytes).datatype
        #expect(bytes[type] == 0x19 && StoredBytes.uint(bytes, type + 12, 4) == 1)
        try StoredBytes.patch(bytes, path) { StoredBytes.put(1 << 31, &$0, at: type + 12, width: 4) }
        expectCorrupt(path, "model", mentions: ["declared 2147483648 bytes wide, not 1"])
    }

    @Test("fuzz input 8711: a heap collection whose size is past 2^63 (the heap check trapped converting it)")
    func hugeCollectionSize() throws {
        let path = directory.path("huge-collection.h5")
        let bytes = try writeFile(path)
        let heap = try Self.offset(of: "GCOL", in: bytes)
        try StoredBytes.patch(bytes, path) { $0[heap + 15] = 0x80 }
        for _ in 0..<2 {
            // Attributes are read by name: /@labels is the first string.
            expectHiddenStatesError([path, "past the end of the file"], { _ = try HiddenStatesFile(path: path) }) {
                Self.isCorrupt($0, path, "/@labels", 0)
            }
        }
    }

    @Test("a null reference (address 0) in a string attribute is an empty string whatever its length")
    func nullReference() throws {
        let path = directory.path("null.h5")
        let bytes = try writeFile(path)
        let model = try StoredBytes.references(in: bytes, of: ["sentence-transformers/test-model"])
        try StoredBytes.patch(bytes, path) {
            StoredBytes.put(0xFFFF_FFF0, &$0, at: model[0], width: 4)
            StoredBytes.put(0, &$0, at: model[0] + 4, width: 8)
        }
        try expectAttributes(path, [("model", .string(""))] + Self.attributes.dropFirst())
    }

    // MARK: Many attributes: continuation chunks and dense storage

    /// The offset of the first occurrence of `text` in `bytes` at or after `from`.
    private static func offset(of text: String, in bytes: Data, from: Int = 0) throws -> Int {
        try #require(bytes.range(of: Data(text.utf8), in: from..<bytes.count)).lowerBound
    }

    @Test("version-1 header with 20 attributes: the last ones live in a continuation chunk and are checked")
    func version1Continuation() throws {
        let path = directory.path("many-v1.h5")
        let attributes = Self.many(20)
        let bytes = try writeFile(path, attributes: attributes)
        try expectAttributes(path, attributes)
        // The root group's header (superblock version 0: its address at byte 64) holds the first
        // chunk's messages at +16, `u32 size at +8` bytes of them; attribute-19 lies beyond.
        let root = StoredBytes.uint(bytes, 64, 8)
        let firstChunkEnd = root + 16 + StoredBytes.uint(bytes, root + 8, 4)
        #expect(try Self.offset(of: "attribute-19", in: bytes) > firstChunkEnd)
        let last = try StoredBytes.references(in: bytes, of: [Self.value(19)])
        try StoredBytes.patch(bytes, path) { StoredBytes.put(777, &$0, at: last[0] + 12, width: 4) }
        expectCorrupt(path, "attribute-19", mentions: ["object 777"])
    }

    /// Renumbers the global heap object holding `value` (its 16-byte header, u16 index first, sits
    /// just before its bytes): the references to it then name an object the collection lacks.
    private static func renumberHeapObject(holding value: String, in bytes: inout Data, to index: Int) throws {
        let data = try offset(of: value, in: bytes, from: try offset(of: "GCOL", in: bytes))
        StoredBytes.put(index, &bytes, at: data - 16, width: 2)
    }

    @Test("version-2 header with 8 attributes (compact): those in an \"OCHK\" continuation chunk are checked")
    func version2Continuation() throws {
        let path = directory.path("v2-continuation.h5")
        let attributes = Self.many(7)
        let bytes = try writeFile(path, formats: .latest, attributes: attributes)
        try expectAttributes(path, attributes)
        let continuation = try Self.offset(of: "OCHK", in: bytes)
        #expect(try Self.offset(of: "attribute-06", in: bytes) > continuation)
        // The header is checksummed (HDF5 would refuse a patched reference); its heap is not.
        var patched = bytes
        try Self.renumberHeapObject(holding: Self.value(6), in: &patched, to: 555)
        try patched.write(to: URL(fileURLWithPath: path))
        expectCorrupt(path, "attribute-06", mentions: ["refers to object"])
    }

    @Test("version-2 header with 20 attributes (dense storage, not checked) reads as before")
    func denseStorage() throws {
        let path = directory.path("dense.h5")
        let attributes = Self.many(20)
        let bytes = try writeFile(path, formats: .latest, attributes: attributes)
        #expect(bytes.range(of: Data("FRHP".utf8)) != nil, "expected the attributes in a fractal heap")
        for _ in 0..<2 { try expectAttributes(path, attributes) }
    }
}

import Foundation
import HiddenStates
import Testing

/// Variable-length strings whose stored references HDF5 1.10 would follow into memory it does not own
/// (`H5HG_read` segfaults on a missing heap object; a huge length is a multi-GB `memset`): each gives
/// `corruptStringReference` on every read path, every time, never a crash.
@Suite("string references checked before HDF5 follows them")
struct StringReferenceTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    private static func isCorrupt(_ error: HiddenStatesError, _ path: String, _ dataset: String,
                                  _ element: Int? = nil) -> Bool {
        if case .corruptStringReference(path, dataset, let found, _) = error {
            return element.map { $0 == found } ?? true
        }
        return false
    }

    /// Expects every read path of `path` to give `corruptStringReference` for `dataset`, twice over.
    private func expectCorrupt(_ path: String, _ dataset: String, element: Int, mentions: [String] = []) throws {
        let file = try HiddenStatesFile(path: path)
        let words = [path, dataset, "string \(element) is corrupt"] + mentions
        for _ in 0..<2 {
            if dataset == "/sentences" {
                expectHiddenStatesError(words, { _ = try file.sentenceTexts() }) {
                    Self.isCorrupt($0, path, dataset, element)
                }
                let report = file.validate()
                #expect(report.errors.contains { Self.isCorrupt($0, path, dataset, element) }, "\(report.errors)")
            } else {
                expectHiddenStatesError(words, { _ = try file.vocabulary() }) {
                    Self.isCorrupt($0, path, dataset, element)
                }
            }
            expectHiddenStatesError(words, { _ = try HDF5Reader(path: path).strings(dataset) }) {
                Self.isCorrupt($0, path, dataset, element)
            }
        }
    }

    // MARK: Fuzz finds (HDF5 1.10.8 segfaulted in H5HG_read on these)

    @Test("fuzz input 2597: sentence 0 names a heap object that does not exist")
    func fuzz2597() throws {
        let path = Self.fixtures.appendingPathComponent("fuzz-2597-sentences.h5").path
        try expectCorrupt(path, "/sentences", element: 0, mentions: ["object 32517", "holds objects 1, 2, 3, 4, 5"])
    }

    @Test("fuzz input 23426: sentence 2 names a heap object that does not exist")
    func fuzz23426() throws {
        let path = Self.fixtures.appendingPathComponent("fuzz-23426-sentences.h5").path
        try expectCorrupt(path, "/sentences", element: 2, mentions: ["object 25603"])
    }

    // MARK: Corruptions made from a valid file

    static let sentences = ["first", "", "third sentence — ünïcode"]
    static let vocabulary = ["[PAD]", "[CLS]", "[SEP]", "hello", "", "world", "##s"]

    /// A valid ragged file with `/sentences` (contiguous) and `/vocab` (`vocabFilters`); returns its bytes.
    private func writeFile(_ path: String, vocabFilters: HDF5Writer.Filters = .init()) throws -> Data {
        let writer = try HDF5Writer(path: path)
        try writer.createDataset("/tokens", shape: [6, 2], type: .float32, values: .floats((0..<12).map { Float($0) }))
        try writer.createDataset("/offsets", shape: [4], type: .int64, values: .integers([0, 2, 3, 6]))
        try writer.createStrings("/sentences", Self.sentences)
        try writer.createStrings("/vocab", Self.vocabulary, filters: vocabFilters)
        try writer.close()
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test("valid strings, contiguous and chunked (plain, gzip, shuffle + gzip), read back identically")
    func validStrings() throws {
        let filters: [HDF5Writer.Filters] = [.init(), .init(chunk: [3]), .init(chunk: [4], gzip: 4),
                                             .init(chunk: [2], gzip: 6, shuffle: true)]
        for (k, filter) in filters.enumerated() {
            let path = directory.path("valid-\(k).h5")
            _ = try writeFile(path, vocabFilters: filter)
            for _ in 0..<2 {
                let file = try HiddenStatesFile(path: path)
                #expect(try file.sentenceTexts() == Self.sentences)
                #expect(try file.vocabulary() == Self.vocabulary)
                #expect(file.validate().isValid)
            }
        }
    }

    @Test("a sentence naming an object index its heap collection lacks")
    func missingObject() throws {
        let path = directory.path("bad-index.h5")
        let bytes = try writeFile(path)
        let refs = try StoredBytes.references(in: bytes, of: Self.sentences)
        try StoredBytes.patch(bytes, path) { StoredBytes.put(4000, &$0, at: refs[2] + 12, width: 4) }
        try expectCorrupt(path, "/sentences", element: 2, mentions: ["object 4000"])
    }

    @Test("a sentence naming heap object 0 (the free space)")
    func freeSpaceObject() throws {
        let path = directory.path("index-0.h5")
        let bytes = try writeFile(path)
        let refs = try StoredBytes.references(in: bytes, of: Self.sentences)
        try StoredBytes.patch(bytes, path) { StoredBytes.put(0, &$0, at: refs[0] + 12, width: 4) }
        try expectCorrupt(path, "/sentences", element: 0, mentions: ["object 0"])
    }

    @Test("a sentence whose stored length is huge (HDF5 would memset gigabytes)")
    func hugeLength() throws {
        let path = directory.path("huge-length.h5")
        let bytes = try writeFile(path)
        let refs = try StoredBytes.references(in: bytes, of: Self.sentences)
        try StoredBytes.patch(bytes, path) { StoredBytes.put(0xFFFF_FFF0, &$0, at: refs[1], width: 4) }
        try expectCorrupt(path, "/sentences", element: 1, mentions: ["stored length is 4294967280 bytes", "holds 0 bytes"])
    }

    @Test("a sentence whose collection address is not a collection, or past the end of the file")
    func badCollection() throws {
        let path = directory.path("bad-address.h5")
        let bytes = try writeFile(path)
        let refs = try StoredBytes.references(in: bytes, of: Self.sentences)
        try StoredBytes.patch(bytes, path) { StoredBytes.put(96, &$0, at: refs[1] + 4, width: 8) }
        try expectCorrupt(path, "/sentences", element: 1, mentions: ["address 96", "no collection starts there"])
        try StoredBytes.patch(bytes, path) { StoredBytes.put(1 << 40, &$0, at: refs[2] + 4, width: 8) }
        try expectCorrupt(path, "/sentences", element: 2, mentions: ["past the end of the file"])
    }

    @Test("fuzz input 64466: characters declared 2^31 bytes wide (H5Dread would clear 2^31 × each length)")
    func wideCharacters() throws {
        let path = directory.path("wide-characters.h5")
        let bytes = try writeFile(path)
        // Each variable-length string datatype (class 9, size 16) is followed by its base type, whose
        // u32 size (1) sits at +12; widen them all.
        let type = Data([0x19, 0x01, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00])
        var patched = bytes
        var from = 0
        while let found = patched.range(of: type, in: from..<patched.count) {
            StoredBytes.put(1 << 31, &patched, at: found.lowerBound + 12, width: 4)
            from = found.upperBound
        }
        #expect(patched != bytes)
        try patched.write(to: URL(fileURLWithPath: path))
        try expectCorrupt(path, "/sentences", element: 0, mentions: ["declared 2147483648 bytes wide, not 1"])
    }

    @Test("a null reference (address 0) is an empty string whatever its length")
    func nullReference() throws {
        let path = directory.path("null.h5")
        let bytes = try writeFile(path)
        let refs = try StoredBytes.references(in: bytes, of: Self.sentences)
        try StoredBytes.patch(bytes, path) {
            StoredBytes.put(0xFFFF_FFF0, &$0, at: refs[0], width: 4)
            StoredBytes.put(0, &$0, at: refs[0] + 4, width: 8)
        }
        let file = try HiddenStatesFile(path: path)
        #expect(try file.sentenceTexts() == [""] + Self.sentences.dropFirst())
    }

    @Test("a /vocab token in an unfiltered chunk naming a missing object (the element index counts across chunks)")
    func chunkedVocabulary() throws {
        let path = directory.path("vocab-chunked.h5")
        let bytes = try writeFile(path, vocabFilters: .init(chunk: [3]))
        // Chunks of /vocab hold 3 references each; element 4 is the second of the second chunk.
        let second = try StoredBytes.references(in: bytes, of: Array(Self.vocabulary[3..<6]))
        try StoredBytes.patch(bytes, path) { StoredBytes.put(999, &$0, at: second[1] + 12, width: 4) }
        try expectCorrupt(path, "/vocab", element: 4, mentions: ["object 999"])
    }
}

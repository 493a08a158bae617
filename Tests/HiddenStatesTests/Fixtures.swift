import Foundation
import HiddenStates
import Testing

/// A fresh temporary directory per test, removed when the value goes away.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hiddenstates-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Names of the files in the directory (hidden ones included).
    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// SplitMix64: small, seeded, reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Fixtures {
    /// `count` sentences of 1…`maxLength` tokens, `dim` wide, values exactly representable in float16
    /// (multiples of 1/64 in [-4, 4]) so float16 round trips compare exactly.
    static func batch(count: Int, dim: Int, maxLength: Int = 9, seed: UInt64 = 1) -> PackedBatch {
        var generator = SeededGenerator(seed: seed)
        var offsets = [0]
        for _ in 0..<count { offsets.append(offsets[offsets.count - 1] + Int.random(in: 1...maxLength, using: &generator)) }
        let tokens = (0..<((offsets.last ?? 0) * dim)).map { _ in Float(Int.random(in: -256...256, using: &generator)) / 64 }
        return PackedBatch(tokens: tokens, offsets: offsets, dim: dim, sentences: Array(0..<count))
    }

    static func texts(_ count: Int) -> [String] { (0..<count).map { "sentence \($0) — ünïcode" } }

    /// A complete ragged file: texts, pairs, scores and attributes.
    @discardableResult
    static func writeRagged(_ batch: PackedBatch, to path: String, options: RaggedWriter.Options = .init(),
                            pairs: [SentencePair]? = [SentencePair(0, 1), SentencePair(1, 2)],
                            scores: [Float]? = [4.5, 1.25], texts: Bool = true) throws -> PackedBatch {
        let writer = try RaggedWriter(path: path, dim: batch.dim, options: options,
                                      attributes: ["special_tokens": .string("cls_first,sep_last"),
                                                   "model": .string("test-model"), "max_length": .int(128)])
        try writer.append(batch, texts: texts ? Fixtures.texts(batch.count) : nil)
        try writer.finish(pairs: pairs, scores: scores)
        return batch
    }

    /// A minimal ragged file written with the low-level writer, for breaking one thing at a time.
    static func writeRaw(to path: String, tokens: [Float]? = nil, tokensShape: [Int] = [6, 2],
                         tokensType: HDF5Writer.StoredType = .float32, offsets: [Int64]? = [0, 2, 6],
                         offsetsType: HDF5Writer.StoredType = .int64,
                         pairs: [Int64]? = nil, pairsShape: [Int]? = nil, scores: [Float]? = nil,
                         filters: HDF5Writer.Filters = .init(),
                         attributes: [String: AttributeValue] = [:]) throws {
        let writer = try HDF5Writer(path: path)
        let count = tokensShape.reduce(1, *)
        let values = tokens ?? (0..<count).map { Float($0) / 8 }
        try writer.createDataset("/tokens", shape: tokensShape, type: tokensType, values: .floats(values),
                                 filters: filters)
        if let offsets {
            try writer.createDataset("/offsets", shape: [offsets.count], type: offsetsType, values: .integers(offsets))
        }
        if let pairs {
            try writer.createDataset("/pairs", shape: pairsShape ?? [pairs.count / 2, 2], type: .int64,
                                     values: .integers(pairs))
        }
        if let scores {
            try writer.createDataset("/scores", shape: [scores.count], type: .float32, values: .floats(scores))
        }
        for (name, value) in attributes { try writer.setAttribute(name, value) }
        try writer.close()
    }
}

/// Finding and patching bytes of a written HDF5 file, to corrupt one stored value at a time.
enum StoredBytes {
    /// Little-endian unsigned integer of `width` bytes at `at`.
    static func uint(_ bytes: Data, _ at: Int, _ width: Int) -> Int {
        (0..<width).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
    }

    /// Writes `value` little-endian into `width` bytes at `at`.
    static func put(_ value: Int, _ bytes: inout Data, at: Int, width: Int) {
        for k in 0..<width { bytes[at + k] = UInt8((value >> (8 * k)) & 0xFF) }
    }

    /// Offsets of the stored variable-length references of `strings` (consecutive elements of one
    /// dataset, chunk or attribute): the first run of 16-byte records (u32 length, u64 collection
    /// address, u32 object index) with their lengths that name the file's first global heap collection.
    static func references(in bytes: Data, of strings: [String]) throws -> [Int] {
        let heap = try #require(bytes.range(of: Data("GCOL".utf8))).lowerBound
        let lengths = strings.map(\.utf8.count)
        func isReference(_ p: Int, _ k: Int) -> Bool {
            uint(bytes, p, 4) == lengths[k] && uint(bytes, p + 4, 8) == heap && (1...64).contains(uint(bytes, p + 12, 4))
        }
        var p = 0
        while p + 16 * strings.count <= bytes.count {
            if strings.indices.allSatisfy({ isReference(p + 16 * $0, $0) }) { return strings.indices.map { p + 16 * $0 } }
            p += 1
        }
        Issue.record("no references of \(strings) found")
        return []
    }

    /// Writes `bytes`, changed by `edit`, to `path`.
    static func patch(_ bytes: Data, _ path: String, _ edit: (inout Data) -> Void) throws {
        var copy = bytes
        edit(&copy)
        try copy.write(to: URL(fileURLWithPath: path))
    }
}

/// Expects `body` to throw a `HiddenStatesError` that `matches` and whose message contains every `mention`.
func expectHiddenStatesError(_ mentions: [String], sourceLocation: SourceLocation = #_sourceLocation,
                             _ body: () throws -> Void,
                             matches: (HiddenStatesError) -> Bool) {
    do {
        try body()
        Issue.record("expected a HiddenStatesError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as HiddenStatesError {
        #expect(matches(error), "unexpected case: \(error)", sourceLocation: sourceLocation)
        let message = error.description
        for mention in mentions {
            #expect(message.contains(mention), "message lacks \"\(mention)\": \(message)", sourceLocation: sourceLocation)
        }
        #expect(message.contains("Hint:"), "message has no hint: \(message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a HiddenStatesError, got \(error)", sourceLocation: sourceLocation)
    }
}

import Foundation
import HiddenStates
import Testing

/// Each test writes one broken file and checks the error case and that its message names the file,
/// the dataset and the index involved.
@Suite("malformed files give typed, located errors")
struct MalformedFileTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    private func open(_ path: String) throws { _ = try HiddenStatesFile(path: path) }

    @Test("a missing file")
    func missingFile() {
        let path = directory.path("nope.h5")
        expectHiddenStatesError([path, "no such file"], { try open(path) }) { $0 == .fileNotFound(path: path) }
    }

    @Test("a file that is not HDF5")
    func notHDF5() throws {
        let path = directory.path("scores.csv")
        try "genre\tfile\tyear\n".write(toFile: path, atomically: true, encoding: .utf8)
        expectHiddenStatesError([path, "not an HDF5 file"], { try open(path) }) { $0 == .notHDF5(path: path) }
    }

    @Test("a truncated file")
    func truncated() throws {
        let path = directory.path("cut.h5")
        try Fixtures.writeRagged(Fixtures.batch(count: 40, dim: 16), to: path, options: .init(gzipLevel: nil))
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size / 2))
        try handle.close()
        expectHiddenStatesError([path, "truncated"], { try open(path) }) {
            if case .truncatedFile = $0 { return true } else { return false }
        }
    }

    @Test("neither layout")
    func unknownLayout() throws {
        let path = directory.path("other.h5")
        let writer = try HDF5Writer(path: path)
        try writer.createDataset("/weights", shape: [2], type: .float32, values: .floats([1, 2]))
        try writer.close()
        expectHiddenStatesError([path, "/weights", "/tokens"], { try open(path) }) {
            $0 == .unknownLayout(path: path, datasets: ["weights"])
        }
    }

    @Test("a missing /offsets")
    func missingDataset() throws {
        let path = directory.path("no-offsets.h5")
        try Fixtures.writeRaw(to: path, offsets: nil)
        expectHiddenStatesError([path, "/offsets", "missing"], { try open(path) }) {
            if case .missingDataset(path, "/offsets", _) = $0 { return true } else { return false }
        }
    }

    @Test("a wrong rank")
    func wrongRank() throws {
        let path = directory.path("rank.h5")
        try Fixtures.writeRaw(to: path, tokensShape: [12], offsets: [0, 2, 12])
        expectHiddenStatesError([path, "/tokens", "rank 1", "expected rank 2"], { try open(path) }) {
            $0 == .wrongRank(path: path, dataset: "/tokens", expected: 2, shape: [12])
        }
    }

    @Test("integer hidden states, float offsets")
    func wrongType() throws {
        let ints = directory.path("int-tokens.h5")
        try Fixtures.writeRaw(to: ints, tokensType: .int32)
        expectHiddenStatesError([ints, "/tokens", "int32"], { try open(ints) }) {
            if case .wrongType(ints, "/tokens", _, "int32") = $0 { return true } else { return false }
        }
        let floats = directory.path("float-offsets.h5")
        try Fixtures.writeRaw(to: floats, offsetsType: .float32)
        expectHiddenStatesError([floats, "/offsets", "float32"], { try open(floats) }) {
            if case .wrongType(floats, "/offsets", _, "float32") = $0 { return true } else { return false }
        }
    }

    @Test("D disagrees with the hidden_size attribute")
    func dimMismatch() throws {
        let path = directory.path("dim.h5")
        try Fixtures.writeRaw(to: path, attributes: ["hidden_size": .int(384)])
        expectHiddenStatesError([path, "/tokens", "384", "is 2"], { try open(path) }) {
            if case .dimensionMismatch(path, "/tokens", _, 384, 2) = $0 { return true } else { return false }
        }
    }

    @Test("an attention mask whose shape differs from the hidden states")
    func maskShapeMismatch() throws {
        let path = directory.path("mask-shape.h5")
        let writer = try HDF5Writer(path: path)
        try writer.createDataset("/hidden_states", shape: [2, 3, 2], type: .float32, values: .floats(Array(repeating: 1, count: 12)))
        try writer.createDataset("/attention_mask", shape: [2, 4], type: .int64, values: .integers(Array(repeating: 1, count: 8)))
        try writer.close()
        expectHiddenStatesError([path, "/attention_mask", "length L"], { try open(path) }) {
            if case .dimensionMismatch(path, "/attention_mask", _, 3, 4) = $0 { return true } else { return false }
        }
    }

    @Test("offsets that do not start at 0, decrease, or do not end at T",
          arguments: [
              ([1, 2, 6] as [Int64], 0, "/offsets[0] is 1"),
              ([0, 4, 3, 6], 2, "/offsets[2] = 3 is smaller than /offsets[1] = 4"),
              ([0, 2, 5], 2, "/offsets[2] (the last entry) is 5"),
          ])
    func badOffsets(offsets: [Int64], index: Int, phrase: String) throws {
        let path = directory.path("offsets.h5")
        try Fixtures.writeRaw(to: path, offsets: offsets)
        expectHiddenStatesError([path, phrase], { try open(path) }) {
            if case .invalidOffsets(path, "/offsets", index, _) = $0 { return true } else { return false }
        }
    }

    @Test("an empty sentence")
    func emptySentence() throws {
        let path = directory.path("empty.h5")
        try Fixtures.writeRaw(to: path, offsets: [0, 2, 2, 6])
        expectHiddenStatesError([path, "sentence 1 has no token rows"], { try open(path) }) {
            $0 == .emptySentence(path: path, dataset: "/offsets", sentence: 1)
        }
    }

    @Test("a pair index out of range (found when the file is opened)")
    func pairOutOfRange() throws {
        let path = directory.path("pairs.h5")
        try Fixtures.writeRaw(to: path, pairs: [0, 1, 1, 5], scores: [1, 2])
        let expected = HiddenStatesError.pairIndexOutOfRange(path: path, dataset: "/pairs", pair: 1, column: 1,
                                                             value: 5, sentences: 2)
        expectHiddenStatesError([path, "/pairs[1, 1] = 5"], { try open(path) }) { $0 == expected }
    }

    @Test("scores count differs from pairs count")
    func scoresMismatch() throws {
        let path = directory.path("scores.h5")
        try Fixtures.writeRaw(to: path, pairs: [0, 1, 1, 0], scores: [1, 2, 3])
        expectHiddenStatesError([path, "/scores has 3 scores", "2 pairs"], { try open(path) }) {
            $0 == .scoresCountMismatch(path: path, dataset: "/scores", scores: 3, pairs: 2)
        }
    }

    @Test("NaN and Inf in hidden states name the sentence, token and dim")
    func nonFinite() throws {
        let path = directory.path("nan.h5")
        var tokens = (0..<12).map { Float($0) }
        tokens[7] = .nan  // row 3 (sentence 1, token 1), dim 1
        tokens[10] = .infinity  // row 5 (sentence 1, token 3), dim 0
        try Fixtures.writeRaw(to: path, tokens: tokens)
        let file = try HiddenStatesFile(path: path)
        expectHiddenStatesError([path, "/tokens", "sentence 1, token 1, dim 1"], { _ = try file.readAll() }) {
            if case .nonFiniteValue(path, "/tokens", 1, 1, 1, _) = $0 { return true } else { return false }
        }
        #expect(try file.read(sentences: [0]).tokenCount == 2)
        let report = file.validate()
        #expect(!report.isValid)
        #expect(report.nonFiniteValues == 2)
        #expect(report.nonFiniteSentences == 1)
        let unchecked = try HiddenStatesFile(path: path, options: .init(checkFinite: false))
        #expect(try unchecked.readAll().tokens[7].isNaN)
    }

    @Test("a float16 overflow (Inf) is found in a compressed file")
    func float16Overflow() throws {
        let path = directory.path("overflow.h5")
        var batch = Fixtures.batch(count: 12, dim: 4)
        let row = batch.offsets[9] + 0
        batch.tokens[row * 4 + 2] = 70_000  // beyond float16's 65504
        try Fixtures.writeRagged(batch, to: path, options: .init(storage: .float16, chunkRows: 8))
        let file = try HiddenStatesFile(path: path)
        expectHiddenStatesError([path, "sentence 9, token 0, dim 2", "65504"], { _ = try file.readAll() }) {
            if case .nonFiniteValue(path, "/tokens", 9, 0, 2, .infinity) = $0 { return true } else { return false }
        }
    }

    @Test("an attention-mask row with no real token")
    func emptyMaskRow() throws {
        let path = directory.path("mask.h5")
        let batch = PackedBatch(tokens: [1, 2, 3, 4], offsets: [0, 1, 1, 2], dim: 2, sentences: [0, 1, 2])
        try PaddedWriter.write(batch, to: path)
        expectHiddenStatesError([path, "/attention_mask row 1"], { try open(path) }) {
            $0 == .emptyMaskRow(path: path, dataset: "/attention_mask", sentence: 1)
        }
    }

    @Test("an attention-mask row with holes")
    func noncontiguousMask() throws {
        let path = directory.path("holes.h5")
        let writer = try HDF5Writer(path: path)
        try writer.createDataset("/hidden_states", shape: [2, 3, 1], type: .float32, values: .floats([1, 2, 3, 4, 5, 6]))
        try writer.createDataset("/attention_mask", shape: [2, 3], type: .int8, values: .integers([1, 1, 0, 1, 0, 1]))
        try writer.close()
        expectHiddenStatesError([path, "/attention_mask row 1"], { try open(path) }) {
            $0 == .noncontiguousMaskRow(path: path, dataset: "/attention_mask", sentence: 1)
        }
    }

    @Test("a Fletcher-32 checksum failure on corrupted chunk data")
    func checksum() throws {
        let path = directory.path("corrupt.h5")
        let marker: Float = 1234.5
        try Fixtures.writeRaw(to: path, tokens: Array(repeating: marker, count: 12),
                              filters: .init(chunk: [2, 2], fletcher32: true))
        // Flip one byte of the first stored value of the marker (raw float32, no compression).
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let pattern = withUnsafeBytes(of: marker.bitPattern.littleEndian) { Data($0) }
        let found = try #require(bytes.range(of: pattern))
        bytes[found.lowerBound] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        let file = try HiddenStatesFile(path: path)
        expectHiddenStatesError([path, "/tokens", "checksum", "rows 0 ..<"], { _ = try file.readAll() }) {
            if case .checksumMismatch(path, "/tokens", _, _) = $0 { return true } else { return false }
        }
        let report = file.validate()
        #expect(report.errors.contains { if case .checksumMismatch = $0 { return true } else { return false } })
    }

    @Test("a sentence index beyond N")
    func sentenceOutOfRange() throws {
        let path = directory.path("ok.h5")
        try Fixtures.writeRaw(to: path)
        let file = try HiddenStatesFile(path: path)
        expectHiddenStatesError([path, "sentence index 2", "0 ..< 2"], { _ = try file.read(sentences: [0, 2]) }) {
            $0 == .sentenceIndexOutOfRange(path: path, index: 2, sentences: 2)
        }
    }
}

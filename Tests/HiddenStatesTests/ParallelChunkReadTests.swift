import Foundation
@testable import HiddenStates
import Testing

/// Large reads decode shuffle + gzip chunks on several threads (`HDF5Dataset.readFloatRowsInParallel`);
/// every result must equal HDF5's own `H5Dread` path (`decompressionThreads: 1`) bit for bit.
@Suite("parallel chunk decoding matches H5Dread exactly")
struct ParallelChunkReadTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    /// A named storage configuration and whether the parallel path should take it.
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let options: RaggedWriter.Options
        let parallel: Bool
        var description: String { name }
    }

    // 7 rows per chunk over ~1500 rows: ~200 chunks, the last one partial.
    static let cases: [Case] = [
        Case(name: "float16 gzip+shuffle", options: .init(storage: .float16, chunkRows: 7), parallel: true),
        Case(name: "float32 gzip+shuffle", options: .init(storage: .float32, chunkRows: 7), parallel: true),
        Case(name: "float16 gzip", options: .init(storage: .float16, chunkRows: 7, shuffle: false), parallel: true),
        Case(name: "float32 gzip(9)", options: .init(storage: .float32, chunkRows: 7, gzipLevel: 9, shuffle: false),
             parallel: true),
        Case(name: "float16 gzip+shuffle+fletcher32",
             options: .init(storage: .float16, chunkRows: 7, fletcher32: true), parallel: false),
        Case(name: "float32 chunked uncompressed",
             options: .init(storage: .float32, chunkRows: 7, gzipLevel: nil, shuffle: false), parallel: false),
        Case(name: "float16 shuffle only", options: .init(storage: .float16, chunkRows: 7, gzipLevel: nil), parallel: false),
    ]

    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    private func open(_ path: String, threads: Int) throws -> HiddenStatesFile {
        try HiddenStatesFile(path: path, options: .init(decompressionThreads: threads))
    }

    @Test("readAll and large ranges are bit-identical", arguments: cases)
    func identical(_ storage: Case) throws {
        let path = directory.path("data.h5")
        let written = try Fixtures.writeRagged(Fixtures.batch(count: 300, dim: 16, seed: 7), to: path,
                                               options: storage.options)
        #expect(written.tokenCount % 7 != 0, "the edge chunk should be partial")
        let parallel = try open(path, threads: 2)
        let reference = try open(path, threads: 1)
        let all = try parallel.readAll()
        #expect(bits(all.tokens) == bits(try reference.readAll().tokens))
        #expect(all.tokens == written.tokens)
        #expect(all.offsets == written.offsets)
        #expect((parallel.hiddenStates.chunksDecodedInParallel > 0) == storage.parallel)
        #expect(reference.hiddenStates.chunksDecodedInParallel == 0)

        // Ranges starting and ending inside chunks, and one ending at the partial edge chunk.
        for range in [3..<297, 150..<300, 41..<60] {
            #expect(bits(try parallel.read(sentences: range).tokens) == bits(try reference.read(sentences: range).tokens),
                    "sentences \(range)")
        }
    }

    @Test("small batches keep the H5Dread path")
    func smallBatches() throws {
        let path = directory.path("small.h5")
        try Fixtures.writeRagged(Fixtures.batch(count: 300, dim: 16), to: path, options: .init(chunkRows: 64))
        let file = try open(path, threads: 2)
        var batches = file.batches(size: 8)
        while try batches.next() != nil {}
        #expect(file.hiddenStates.chunksDecodedInParallel == 0)
        _ = try file.readAll()
        #expect(file.hiddenStates.chunksDecodedInParallel > 0)
    }

    @Test("one thread per chunk or more threads than chunks")
    func threadCounts() throws {
        let path = directory.path("threads.h5")
        let written = try Fixtures.writeRagged(Fixtures.batch(count: 50, dim: 8), to: path, options: .init(chunkRows: 100))
        for threads in [2, 3, 16] {
            #expect(try open(path, threads: threads).readAll().tokens == written.tokens, "\(threads) threads")
        }
    }

    @Test("a NaN is reported at the same sentence, token and dim")
    func nonFinite() throws {
        let path = directory.path("nan.h5")
        let clean = Fixtures.batch(count: 300, dim: 16)
        var tokens = clean.tokens
        tokens[clean.offsets[211] * 16 + 2 * 16 + 5] = .nan
        let batch = PackedBatch(tokens: tokens, offsets: clean.offsets, dim: 16, sentences: clean.sentences)
        try Fixtures.writeRagged(batch, to: path, options: .init(chunkRows: 7))
        let expected = HiddenStatesError.nonFiniteValue(path: path, dataset: "/tokens", sentence: 211, token: 2,
                                                        dim: 5, value: .nan)
        for threads in [1, 2] {
            let file = try open(path, threads: threads)
            expectHiddenStatesError([path, "/tokens", "sentence 211, token 2, dim 5"], { _ = try file.readAll() }) {
                // NaN ≠ NaN: compare the description, which prints "nan".
                $0.description == expected.description
            }
        }
    }

    @Test("a corrupted gzip chunk gives a typed error naming file, dataset and rows")
    func corruptedChunk() throws {
        let path = directory.path("corrupt.h5")
        try Fixtures.writeRagged(Fixtures.batch(count: 300, dim: 16), to: path,
                                 options: .init(chunkRows: 64, gzipLevel: 4), texts: false)
        // /tokens is the only compressed dataset; its first chunk starts with zlib's header 78 5E (level 2–5).
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let header = try #require(bytes.range(of: Data([0x78, 0x5E])))
        for k in 8..<40 { bytes[header.lowerBound + k] ^= 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: path))

        let reference = try open(path, threads: 1)
        expectHiddenStatesError([path, "/tokens"], { _ = try reference.readAll() }) {
            if case .hdf5(path, "/tokens", "H5Dread", _) = $0 { return true } else { return false }
        }
        let parallel = try open(path, threads: 2)
        expectHiddenStatesError([path, "/tokens rows 0 ..< 64", "H5Dread"], { _ = try parallel.readAll() }) {
            if case .hdf5(path, "/tokens rows 0 ..< 64", "H5Dread", _) = $0 { return true } else { return false }
        }
        // The chunks after the broken one still decode on the parallel path.
        #expect(parallel.hiddenStates.chunksDecodedInParallel > 0)
    }
}

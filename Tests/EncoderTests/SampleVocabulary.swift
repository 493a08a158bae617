import Encoder
import Foundation

/// The repository's sample data: all-MiniLM-L6-v2's `vocab.txt` and the STS-B sample files.
enum SampleVocabulary {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/stsb-minilm-l6-sample")

    static let vocabularyFile = folder.appendingPathComponent("vocab.txt")

    /// The sample vocabulary, read once for all tests (reading it takes a while in debug builds).
    static let vocabulary = Result { try Vocabulary(contentsOf: vocabularyFile) }

    static func tokenizer(_ configuration: TokenizerConfiguration = TokenizerConfiguration()) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(vocabulary: try vocabulary.get(), configuration: configuration)
    }

    /// A fresh empty folder under the temporary directory.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("pooler-encoder-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

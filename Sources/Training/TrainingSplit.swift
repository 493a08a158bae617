import Autodiff
import Foundation
import HiddenStates

/// One split (train or dev) held in memory: every sentence's token rows, the pairs and their scores.
///
/// STS-B train is 155 014 rows × 384 dims = 238 MB as Float32; dev 73 MB. Holding them lets a
/// batch be gathered with one `memcpy` per sentence instead of HDF5 reads.
public struct TrainingSplit: Sendable {
    /// Where the split came from (for messages, hashes and the summary).
    public let path: String
    /// Every sentence's hidden states, packed: `[T, dim]`.
    public let tokens: Tensor
    /// Sentence `i` owns rows `offsets[i] ..< offsets[i + 1]`: `[N + 1]`.
    public let offsets: [Int]
    /// Scored pairs `[P]` (indices into the sentences).
    public let pairs: [SentencePair]
    /// Gold score per pair `[P]`, or `nil` when the file has none.
    public let scores: [Float]?
    /// The encoder and layer the file says it holds (root attributes `model`, `layer`), if any.
    public var model: String?
    public var layer: String?
    /// The prompt the sentences were wrapped in (root attribute `template`; `"none"`: bare), if recorded.
    public var template: String?

    /// Width `dim` of each row.
    public var dim: Int { tokens.shape[1] }
    /// Number of sentences `N`.
    public var sentenceCount: Int { offsets.count - 1 }

    /// A split from values already in memory (tests, benchmarks).
    public init(path: String, tokens: Tensor, offsets: [Int], pairs: [SentencePair], scores: [Float]?) {
        precondition(tokens.rank == 2 && offsets.first == 0 && offsets.last == tokens.shape[0],
                     "TrainingSplit: tokens \(tokens.shape) and offsets ending at \(offsets.last ?? -1) disagree")
        precondition(scores == nil || scores?.count == pairs.count, "TrainingSplit: \(scores?.count ?? 0) scores for \(pairs.count) pairs")
        self.path = path
        self.tokens = tokens
        self.offsets = offsets
        self.pairs = pairs
        self.scores = scores
        self.paths = [path]
    }

    /// Reads a whole hidden-states file with its pairs (and scores when present).
    ///
    /// Sentences are read `blockSize` at a time into one preallocated array, so the peak is the
    /// split plus one block (not twice the split).
    /// - Parameter requirePairs: refuse a file without pairs (default); `false` for sentences-only
    ///   training data (distillation), whose pairs are then empty.
    /// - Throws: `TrainingError.noPairs` when the file has no pairs; `HiddenStatesError` for bad files.
    public static func load(path: String, blockSize: Int = 2048, requirePairs: Bool = true) throws -> TrainingSplit {
        let file = try HiddenStatesFile(path: path)
        defer { file.close() }
        let metadata = file.metadata
        let hasPairs = (metadata.pairs ?? 0) > 0
        if requirePairs && !hasPairs { throw TrainingError.noPairs(path: path) }
        let pairs = hasPairs ? try file.pairs() : []
        let scores = hasPairs && metadata.hasScores ? try file.scores() : nil
        let dim = metadata.dim
        let total = metadata.tokens * dim
        var failure: Error?
        let scalars = [Float](unsafeUninitializedCapacity: total) { buffer, initialized in
            guard let base = buffer.baseAddress else {
                initialized = 0
                return
            }
            var written = 0
            var lower = 0
            do {
                while lower < metadata.sentences {
                    let upper = min(metadata.sentences, lower + blockSize)
                    let block = try file.read(sentences: lower..<upper)
                    block.tokens.withUnsafeBufferPointer { source in
                        guard let from = source.baseAddress else { return }
                        (base + written).initialize(from: from, count: source.count)
                    }
                    written += block.tokens.count
                    lower = upper
                }
            } catch {
                failure = error
            }
            // Hand back defined memory whatever happened; on failure the array is dropped below.
            if written < total { (base + written).initialize(repeating: 0, count: total - written) }
            initialized = total
        }
        if let failure { throw failure }
        var split = TrainingSplit(path: path, tokens: Tensor(shape: [metadata.tokens, dim], scalars: scalars),
                                  offsets: file.offsets, pairs: pairs, scores: scores)
        split.model = metadata.attributes["model"]?.stringValue
        split.layer = metadata.attributes["layer"]?.stringValue
        split.template = metadata.template
        return split
    }

    /// Several splits as one: sentences, pairs and scores one file after the other (pair indices
    /// shifted). Scores are kept only when every file with pairs has them. `path` joins the paths with `+`.
    public static func concatenated(_ splits: [TrainingSplit]) -> TrainingSplit {
        precondition(!splits.isEmpty, "TrainingSplit.concatenated: no splits")
        if splits.count == 1 { return splits[0] }
        precondition(splits.allSatisfy { $0.dim == splits[0].dim }, "TrainingSplit.concatenated: dims \(splits.map(\.dim)) differ")
        var offsets = [0]
        var pairs: [SentencePair] = []
        var scores: [Float]? = []
        var sentenceBase = 0
        for split in splits {
            let rowBase = offsets.removeLast()
            offsets += split.offsets.map { $0 + rowBase }
            pairs += split.pairs.map { SentencePair($0.first + sentenceBase, $0.second + sentenceBase) }
            if let own = split.scores, scores != nil { scores? += own } else if !split.pairs.isEmpty { scores = nil }
            sentenceBase += split.sentenceCount
        }
        var joined = TrainingSplit(path: splits.map(\.path).joined(separator: "+"),
                                   tokens: Tensor.concatenated(splits.map(\.tokens), alongAxis: 0),
                                   offsets: offsets, pairs: pairs, scores: pairs.isEmpty ? nil : scores)
        joined.model = splits[0].model
        joined.layer = splits[0].layer
        joined.template = splits[0].template
        joined.paths = splits.flatMap(\.paths)
        return joined
    }

    /// The files the split was read from (several after ``concatenated(_:)``).
    public var paths: [String] = []

    /// The rows of `sentences` (in that order) packed into one tensor, one segment per sentence:
    /// `rows` `[Σ lengths, dim]`. One contiguous copy per sentence.
    public func packedRows(of sentences: [Int]) -> (rows: Tensor, segments: Segments) {
        var lengths = [Int]()
        lengths.reserveCapacity(sentences.count)
        for sentence in sentences { lengths.append(offsets[sentence + 1] - offsets[sentence]) }
        let segments = Segments(lengths: lengths)
        let dim = self.dim
        let count = segments.rowCount * dim
        let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            tokens.withUnsafeBufferPointer { source in
                guard let to = buffer.baseAddress, let from = source.baseAddress else { return }
                for (k, sentence) in sentences.enumerated() {
                    (to + segments.offsets[k] * dim).initialize(from: from + offsets[sentence] * dim,
                                                                count: lengths[k] * dim)
                }
            }
            initialized = count
        }
        return (Tensor(shape: [segments.rowCount, dim], scalars: scalars), segments)
    }
}

import Autodiff
import Foundation
import HiddenStates
import Pooling

/// A teacher's embedding of every training sentence, for ``DistillationLoss``.
///
/// Written on the command line as either
/// ```
/// FILE.h5:STRATEGY   a hidden-states file of the same sentences, pooled with a fixed strategy (`mean`)
/// EMB.h5             embeddings written by `pooler embed`: /embeddings [N, D], optional /sentences [N]
/// ```
/// Either way the teacher must hold the training file's sentences in the same order: the same
/// count, the same texts where both store them, and (hidden states) the same token ids where
/// both store them; ``load(_:for:)`` names the first difference otherwise.
public struct TeacherEmbeddings: Sendable {
    /// The teacher file.
    public let path: String
    /// The fixed pooling applied to it (`mean`), or `nil` for an embeddings file.
    public let pooling: String?
    /// `[N, dim]` one row per training sentence.
    public let embeddings: Tensor
    /// The files the rows came from (several after ``concatenated(_:)``), for the input digest.
    public private(set) var paths: [String]

    public init(path: String, pooling: String?, embeddings: Tensor) {
        precondition(embeddings.rank == 2, "TeacherEmbeddings: embeddings must be [sentences, dim], got \(embeddings.shape)")
        self.path = path
        self.pooling = pooling
        self.embeddings = embeddings
        paths = [path]
    }

    /// Splits `FILE.h5:STRATEGY` (strategy after the last `:`, when that part holds no `/`) or `EMB.h5`.
    public static func parse(_ text: String) -> (path: String, pooling: String?) {
        guard let colon = text.lastIndex(of: ":") else { return (text, nil) }
        let strategy = String(text[text.index(after: colon)...])
        guard !strategy.isEmpty, !strategy.contains("/") else { return (text, nil) }
        return (String(text[..<colon]), strategy)
    }

    /// Reads (and, for hidden states, pools) the teacher `spec` for the training file at `trainPath`.
    /// - Throws: ``TrainingError/teacherMismatch(teacher:train:what:index:expected:actual:)``,
    ///   ``TrainingError/teacherUnusable(path:detail:hint:)``; `HiddenStatesError` for unreadable files.
    public static func load(_ spec: String, for trainPath: String, blockSize: Int = 1024) throws -> TeacherEmbeddings {
        let (path, pooling) = parse(spec)
        let train = try HiddenStatesFile(path: trainPath)
        defer { train.close() }
        let trainTexts = train.metadata.hasSentenceTexts ? try train.sentenceTexts() : nil
        func mismatch(_ what: String, _ index: Int?, _ expected: String, _ actual: String) -> TrainingError {
            .teacherMismatch(teacher: path, train: trainPath, what: what, index: index, expected: expected, actual: actual)
        }
        func checkTexts(_ theirs: [String]?) throws {
            guard let ours = trainTexts, let theirs else { return }
            if let i = ours.indices.first(where: { ours[$0] != theirs[$0] }) {
                throw mismatch("the sentence texts", i, "\"\(ours[i])\"", "\"\(theirs[i])\"")
            }
        }
        let n = train.metadata.sentences
        guard let pooling else {
            let reader = try HDF5Reader(path: path)
            let shape: [Int]
            do {
                shape = try reader.shape("/embeddings")
            } catch {
                throw TrainingError.teacherUnusable(
                    path: path, detail: "no /embeddings dataset (\(error))",
                    hint: "pass embeddings written by pooler embed, or a hidden-states file as FILE.h5:STRATEGY (e.g. :mean).")
            }
            guard shape.count == 2, shape[1] > 0 else {
                throw TrainingError.teacherUnusable(path: path, detail: "/embeddings has shape \(shape), expected [N, D]",
                                                    hint: "pass embeddings written by pooler embed.")
            }
            guard shape[0] == n else { throw mismatch("the sentence counts", nil, "\(n) sentences", "\(shape[0])") }
            let values = try reader.floats("/embeddings")
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw TrainingError.teacherUnusable(path: path, detail: "/embeddings holds \(values[bad]) at flat index \(bad)",
                                                    hint: "re-embed the sentences.")
            }
            // /sentences is optional in an embeddings file: compare the texts only when it is there.
            let texts: [String]?
            do {
                texts = try reader.strings("/sentences")
            } catch HiddenStatesError.missingDataset {
                texts = nil
            }
            if let texts, texts.count != n { throw mismatch("the sentence counts of /sentences", nil, "\(n)", "\(texts.count)") }
            try checkTexts(texts)
            return TeacherEmbeddings(path: path, pooling: nil, embeddings: Tensor(shape: shape, scalars: values))
        }
        let strategy: FixedPooling
        do {
            strategy = try FixedPooling(parsing: pooling)
        } catch {
            throw TrainingError.teacherUnusable(path: path, detail: "the pooling '\(pooling)' cannot be used: " + String("\(error)".trimmingSuffix(".")),
                                                hint: "use a fixed strategy that needs no special-token positions, e.g. FILE.h5:mean.")
        }
        let file = try HiddenStatesFile(path: path)
        defer { file.close() }
        guard file.metadata.sentences == n else {
            throw mismatch("the sentence counts", nil, "\(n) sentences", "\(file.metadata.sentences)")
        }
        try checkTexts(file.metadata.hasSentenceTexts ? try file.sentenceTexts() : nil)
        if train.metadata.hasInputIDs, file.metadata.hasInputIDs, train.metadata.layout == .ragged, file.metadata.layout == .ragged {
            let ours = try train.inputIDs()
            let theirs = try file.inputIDs()
            for i in 0..<n {
                let a = ours[train.offsets[i]..<train.offsets[i + 1]]
                let b = theirs[file.offsets[i]..<file.offsets[i + 1]]
                if !a.elementsEqual(b) { throw mismatch("the token ids", i, "\(Array(a))", "\(Array(b))") }
            }
        }
        let dim = strategy.outputDim(inputDim: file.metadata.dim)
        var scalars = [Float]()
        scalars.reserveCapacity(n * dim)
        var lower = 0
        while lower < n {
            let upper = min(n, lower + blockSize)
            let block = try file.read(sentences: lower..<upper)
            let lengths = (0..<block.count).map { block.length(of: $0) }
            let rows = Tensor(shape: [block.tokenCount, block.dim], scalars: block.tokens)  // [T_block, dim]
            scalars += strategy.pooled(rows, segments: Segments(lengths: lengths)).scalars  // [block, dim]
            lower = upper
        }
        return TeacherEmbeddings(path: path, pooling: pooling, embeddings: Tensor(shape: [n, dim], scalars: scalars))
    }

    /// Several teachers' rows one after the other, matching ``TrainingSplit/concatenated(_:)``.
    /// - Throws: ``TrainingError/teacherUnusable(path:detail:hint:)`` when the teachers' widths differ.
    public static func concatenated(_ teachers: [TeacherEmbeddings]) throws -> TeacherEmbeddings {
        precondition(!teachers.isEmpty, "TeacherEmbeddings.concatenated: no teachers")
        if teachers.count == 1 { return teachers[0] }
        let width = teachers[0].embeddings.shape.last ?? 0
        if let other = teachers.first(where: { ($0.embeddings.shape.last ?? 0) != width }) {
            throw TrainingError.teacherUnusable(
                path: other.path, detail: "its embeddings have width \(other.embeddings.shape.last ?? 0), but those of "
                    + "\(teachers[0].path) have \(width)",
                hint: "give every --train a teacher of the same width (the same model and pooling).")
        }
        var joined = TeacherEmbeddings(path: teachers.map(\.path).joined(separator: "+"), pooling: teachers[0].pooling,
                                       embeddings: Tensor.concatenated(teachers.map(\.embeddings), alongAxis: 0))
        joined.paths = teachers.flatMap(\.paths)
        return joined
    }
}

private extension String {
    /// The text without one trailing `suffix` (messages that already end in a full stop).
    func trimmingSuffix(_ suffix: String) -> Substring { hasSuffix(suffix) ? dropLast(suffix.count) : Substring(self) }
}

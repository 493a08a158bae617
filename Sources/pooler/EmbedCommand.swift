import ArgumentParser
import Autodiff
import Foundation
import Evaluation
import HiddenStates
import Pooling

/// `pooler embed`: one embedding per sentence of a hidden-states file, with a fixed strategy or an
/// exported head, streamed in batches of sentences.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Pool every sentence of a hidden-states file into an embedding (/embeddings [N, D] float32).",
        discussion: """
            Give exactly one of --strategy (\(PoolingStrategy.allCases.map(\.rawValue).joined(separator: ", ")); \
            join several with '+', e.g. mean+max) or --head (an exported head folder). The output holds \
            /embeddings and, when the input has them, /sentences; it is written atomically.
            """
    )

    @Option(help: "Hidden-states file (ragged or padded layout).")
    var input: String

    @Option(help: "Fixed pooling strategy, or several joined with '+'.")
    var strategy: String?

    @Option(help: "Exported head folder (config.json + model.safetensors).")
    var head: String?

    @Option(help: "Where to write the embeddings (HDF5).")
    var output: String

    @Option(parsing: .unconditional, help: "Sentences per batch (bounds memory).")
    var batchSize: Int = 512

    @Flag(help: "L2-normalise every embedding.")
    var normalize = false

    @Option(help: "Where the special tokens are, e.g. cls_first,sep_last (default: the file's special_tokens attribute).")
    var specialTokens: String?

    func validate() throws {
        switch (strategy, head) {
        case (nil, nil): throw ValidationError("Give --strategy NAME or --head DIR.")
        case (.some, .some): throw ValidationError("Give either --strategy or --head, not both.")
        default: break
        }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
        do {
            if let specialTokens { _ = try SpecialTokenPositions(parsing: specialTokens) }
            // Names only here; whether the file says where special tokens are is checked in run().
            if let strategy { _ = try FixedPooling(parsing: strategy, specialTokens: .clsFirstSepLast) }
        } catch let error as PoolingError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let headInputs = head.map { OutputPaths.headInputs(flag: "--head", folder: HeadArgument(parsing: $0).folder) } ?? []
        try OutputPaths.check(outputs: [("--output", output)], inputs: [("--input", input)] + headInputs)
        let file = try HiddenStatesFile(path: input)
        let dim = file.metadata.dim
        let embedder = try makeEmbedder(file)
        if let required = embedder.inputDim, required != dim {
            throw PoolingError.dimensionMismatch(source: input, expected: required, actual: dim)
        }
        let outputDim = embedder.outputDim(inputDim: dim)
        let texts = file.metadata.hasSentenceTexts ? try file.sentenceTexts() : nil
        var attributes: [String: AttributeValue] = [
            "pooling": .string(embedder.name + (normalize ? ", L2-normalised" : "")),
            "source": .string(URL(fileURLWithPath: input).lastPathComponent),
            "pooler_version": .string(PoolerVersion.string),
        ]
        if let model = file.metadata.attributes["model"] { attributes["model"] = model }
        if let layer = file.metadata.attributes["layer"] { attributes["layer"] = layer }

        let writer = try EmbeddingsWriter(path: output, dim: outputDim, attributes: attributes)
        let cleanup = InterruptCleanup(outputs: [output])
        defer { withExtendedLifetime(cleanup) {} }
        do {
            let total = file.metadata.sentences
            var batches = file.batches(size: batchSize)
            var done = 0
            var lastReport = Date()
            while let batch = try batches.next() {
                let rows = Tensor(shape: [batch.tokenCount, dim], scalars: batch.tokens)  // [T, dim]
                var pooled = try embedder.embeddings(rows, segments: Segments(offsets: batch.offsets), source: input,
                                                     firstSentence: batch.sentences.first ?? done)
                if normalize { pooled = pooled.l2Normalized(alongAxis: -1) }               // [batch, outputDim]
                let blockTexts = texts.map { all in batch.sentences.map { all[$0] } }
                try writer.append(pooled.scalars, texts: blockTexts)
                done += batch.count
                if Date().timeIntervalSince(lastReport) > 1 || done == total {
                    lastReport = Date()
                    FileHandle.standardError.write(Data("embed: \(done)/\(total) sentences\n".utf8))
                }
            }
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
        print("wrote \(output): \(file.metadata.sentences) embeddings of dimension \(outputDim) (\(embedder.name))")
    }

    private func makeEmbedder(_ file: HiddenStatesFile) throws -> SentenceEmbedder {
        if let head {
            return try SentenceEmbedder(contentsOf: HeadArgument(parsing: head).folder)
        }
        let positions: SpecialTokenPositions
        if let specialTokens {
            positions = try SpecialTokenPositions(parsing: specialTokens)
        } else {
            positions = try SpecialTokenPositions(of: file, for: [strategy ?? ""])
        }
        return SentenceEmbedder(pooling: try FixedPooling(parsing: strategy ?? "", specialTokens: positions))
    }
}

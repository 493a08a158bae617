import ArgumentParser
import Autodiff
import Encoder
import Evaluation
import Foundation
import HiddenStates
import Pooling
import Runtime

/// `pooler embed`: one embedding per sentence of a hidden-states file, with a fixed strategy or an
/// exported head, streamed in batches of sentences.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed texts with a model folder, or pool a hidden-states file (/embeddings [N, D] float32).",
        discussion: """
            Without --model, --input is a hidden-states file and each sentence is pooled. With --model DIR \
            (a BERT folder), --input is a text file (sentences, pairs or STS-B; see --format): text → tokens → \
            the hidden states of --layer (later layers are never computed) → the pooling. \
            Give at most one of --strategy (\(PoolingStrategy.allCases.map(\.rawValue).joined(separator: ", ")); \
            join several with '+', e.g. mean+max) or --head (an exported head or a run folder); with --model the \
            default is the model's own pooling (1_Pooling/config.json), and a head must have been trained on \
            that model and layer. The output type follows its extension: .h5 (/embeddings, /sentences), .npy \
            or .jsonl; it is written atomically.
            """
    )

    @Option(help: "Hidden-states file (ragged or padded layout), or with --model a text file.")
    var input: String

    @Option(help: "A BERT model folder: embed the texts of --input directly.")
    var model: String?

    @Option(parsing: .unconditional, help: "With --model: the layer to pool (default: the head's layer, else the last).")
    var layer: Int?

    @Option(help: ArgumentHelp("With --model: the input format: " + TextInput.Format.allCases.map(\.rawValue).joined(separator: ", ") + "."))
    var format: TextInput.Format = .auto

    @Option(name: .customLong("max-length"), parsing: .unconditional, help: "With --model: tokens per text at most (default: the folder's max_seq_length).")
    var maxLength: Int?

    @Option(parsing: .unconditional, help: "With --model: worker threads (default: all cores).")
    var threads: Int?

    @Flag(name: .customLong("ignore-head-provenance"), help: "With --model: use a head trained on another model or layer anyway.")
    var ignoreHeadProvenance = false

    @Option(help: "Fixed pooling strategy, or several joined with '+'.")
    var strategy: String?

    @Option(help: "Exported head folder (config.json + model.safetensors).")
    var head: String?

    @Option(help: "Where to write the embeddings: .h5, .npy or .jsonl.")
    var output: String

    @Option(parsing: .unconditional, help: "Sentences per batch (bounds memory; default 512, with --model 64 per forward pass).")
    var batchSize: Int?

    @Flag(help: "L2-normalise every embedding.")
    var normalize = false

    @Option(help: "Where the special tokens are, e.g. cls_first,sep_last (default: the file's special_tokens attribute).")
    var specialTokens: String?

    func validate() throws {
        switch (strategy, head) {
        case (nil, nil) where model == nil: throw ValidationError("Give --strategy NAME or --head DIR (or --model DIR for texts).")
        case (.some, .some): throw ValidationError("Give either --strategy or --head, not both.")
        default: break
        }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
        if model == nil {
            for (given, flag) in [(layer != nil, "--layer"), (maxLength != nil, "--max-length"), (threads != nil, "--threads"),
                                  (format != .auto, "--format"), (ignoreHeadProvenance, "--ignore-head-provenance")] where given {
                throw ValidationError("\(flag) applies only with --model (texts in); --input is then a text file.")
            }
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }

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
        if EmbeddingOutput.kind(of: output) == nil {
            throw ValidationError("--output \(output): give a .h5, .npy or .jsonl file name (the extension picks the format).")
        }
        if let model { return try embedTexts(model: model) }
        try InputProbe.check([input])
        let batchSize = self.batchSize ?? 512
        let file = try HiddenStatesFile(path: input)
        let dim = file.metadata.dim
        let embedder = try makeEmbedder(file)
        if let required = embedder.inputDim, required != dim {
            throw PoolingError.dimensionMismatch(source: input, expected: required, actual: dim)
        }
        try embedder.checkTemplate(of: file)
        let outputDim = embedder.outputDim(inputDim: dim)
        let texts = file.metadata.hasSentenceTexts ? try file.sentenceTexts() : nil
        var attributes: [String: AttributeValue] = [
            "pooling": .string(embedder.name + (normalize ? ", L2-normalised" : "")),
            "source": .string(URL(fileURLWithPath: input).lastPathComponent),
            "pooler_version": .string(PoolerVersion.string),
        ]
        if let model = file.metadata.attributes["model"] { attributes["model"] = model }
        if let layer = file.metadata.attributes["layer"] { attributes["layer"] = layer }

        let writer = try EmbeddingOutput(path: output, dim: outputDim, rows: file.metadata.sentences, attributes: attributes)
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

    /// `--model`: texts → embeddings with the Swift encoder.
    private func embedTexts(model: String) throws {
        // OpenBLAS on one thread: the encoder splits each GEMM by rows over its own workers, which
        // also run attention (two BLAS threads would spin beside them; measured 16% more CPU time).
        BLASSetup.setThreads(1)
        let folder = URL(fileURLWithPath: model)
        let embedder = try head.map {
            try TextEmbedder(modelFolder: folder, layer: layer, head: HeadArgument(parsing: $0).folder, normalize: normalize,
                             maxLength: maxLength, ignoreProvenance: ignoreHeadProvenance)
        } ?? TextEmbedder(modelFolder: folder, layer: layer, strategy: strategy, normalize: normalize, maxLength: maxLength)
        let modelFiles = [embedder.textEncoder.folder.weightsURL, embedder.textEncoder.folder.configurationURL].map { ("--model", $0.path) }
        try OutputPaths.check(outputs: [("--output", output)], inputs: modelFiles)
        let text = try TextInput(path: input, format: format)
        // Pairs files: each distinct sentence once, in order of first appearance; sentence files: every line.
        let sentences = text.isPairs ? text.distinctSentences().sentences : text.sentences
        let attributes: [String: AttributeValue] = [
            "pooling": .string(embedder.embedder.name + (normalize ? ", L2-normalised" : "")),
            "model": .string(embedder.textEncoder.modelName),
            "layer": .string(embedder.textEncoder.layerName(embedder.layer)),
            "source": .string(URL(fileURLWithPath: input).lastPathComponent),
            "pooler_version": .string(PoolerVersion.string),
        ]
        let writer = try EmbeddingOutput(path: output, dim: embedder.dim, rows: sentences.count, attributes: attributes)
        let cleanup = InterruptCleanup(outputs: [output])
        defer { withExtendedLifetime(cleanup) {} }
        let start = Date()
        var lastReport = Date.distantPast
        do {
            try embedder.forEachWindow(
                sentences.map(\.text), sources: sentences.map(\.source), batchSize: batchSize ?? 64,
                threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                progress: { done in
                    guard Date().timeIntervalSince(lastReport) > 1 || done == sentences.count else { return }
                    lastReport = Date()
                    StandardError.print("embed: \(done)/\(sentences.count) sentences")
                }
            ) { window, pooled in
                try writer.append(pooled.scalars, texts: window.map { sentences[$0].text })
            }
            try writer.finish()
        } catch {
            writer.cancel()
            throw error
        }
        let seconds = Date().timeIntervalSince(start)
        print("wrote \(output): \(sentences.count) embeddings of dimension \(embedder.dim) (\(embedder.embedder.name), layer "
            + "\(embedder.layer) of \(embedder.textEncoder.encoder.configuration.layerCount)) in "
            + String(format: "%.2f s (%.0f sentences/s)", seconds, Double(sentences.count) / max(seconds, 1e-9)))
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

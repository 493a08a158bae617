import ArgumentParser
import Autodiff
import Encoder
import Foundation
import HiddenStates
import Pooling
import Runtime

extension TextInput.Format: ExpressibleByArgument {}

/// `pooler extract`: texts → per-token hidden states of a BERT model, in the ragged layout every
/// other command reads (the same layout and attributes as Examples/extract_hidden_states.py).
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Run a BERT model folder over texts and write per-token hidden states (ragged HDF5).",
        discussion: """
            The model folder is a Hugging Face BertModel snapshot or a sentence-transformers folder \
            (config.json, model.safetensors, vocab.txt, tokenizer_config.json). --layer K computes only \
            K layers; several layers (--layer 3,6 or --layer all) come from one pass, one file each: put \
            {layer} in --output. Identical sentences are stored once; pairs index them. Each output is \
            written to a temporary file and renamed into place.
            """
    )

    @Option(help: "Model folder (BERT: config.json, model.safetensors, vocab.txt).")
    var model: String

    @Option(help: "Text file: sentences, pairs or STS-B (see --format).")
    var input: String

    @Option(help: "Where to write the hidden states; {layer} becomes the layer number (needed with several layers).")
    var output: String

    @Option(help: "Layers: K, last, K1,K2,… or all (0 = embeddings output).")
    var layer = "last"

    @Option(help: ArgumentHelp("Input format: " + TextInput.Format.allCases.map(\.rawValue).joined(separator: ", ") + "."))
    var format: TextInput.Format = .auto

    @Option(name: .customLong("max-length"), parsing: .unconditional,
            help: "Tokens per sentence at most, [CLS] and [SEP] included (default: the folder's max_seq_length).")
    var maxLength: Int?

    @Option(help: "Storage type of the hidden states: float16 or float32.")
    var dtype = "float16"

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Sentences per forward pass.")
    var batchSize = 64

    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(name: .customLong("model-name"), help: "The 'model' attribute (default: the model card's title or the folder name).")
    var modelName: String?

    @Option(help: "The 'dataset' attribute.") var dataset = ""
    @Option(help: "The 'split' attribute.") var split = ""
    @Option(help: "The 'license' attribute.") var license = ""

    @Flag(help: "No progress lines.") var quiet = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
        if let maxLength, maxLength < 3 { throw ValidationError("--max-length must be at least 3 ([CLS], a token, [SEP]), got \(maxLength).") }
        guard dtype == "float16" || dtype == "float32" else { throw ValidationError("--dtype must be float16 or float32, got '\(dtype)'.") }
    }

    /// With {layer} in a folder of --output (`ROOT/L{layer}/train.h5`, the layout `pooler sweep`
    /// reads), the per-layer folders are created; the folder above the first {layer} component
    /// must exist (a mistyped path is still an error, not a new tree of folders).
    static func createLayerFolders(template: String, outputs: [String]) throws {
        let folder = URL(fileURLWithPath: template).deletingLastPathComponent()
        guard folder.path.contains("{layer}") else { return }
        let components = folder.pathComponents
        guard let first = components.firstIndex(where: { $0.contains("{layer}") }) else { return }
        let base = NSString.path(withComponents: Array(components[..<first]))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw HiddenStatesError.writeFailed(path: template, detail: "the directory \(base) does not exist")
        }
        for output in outputs {
            let parent = URL(fileURLWithPath: output).deletingLastPathComponent()
            do {
                try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            } catch {
                throw HiddenStatesError.writeFailed(path: output, detail: error.localizedDescription)
            }
        }
    }

    /// The layers `text` names for a model of `layers` layers.
    static func layers(_ text: String, of layers: Int) throws -> [Int] {
        if text == "all" { return Array(0...layers) }
        var result: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = item.trimmingCharacters(in: .whitespaces)
            guard let k = word == "last" ? layers : Int(word), (0...layers).contains(k) else {
                throw ValidationError("--layer '\(word)': the model has layers 0 (embeddings) … \(layers) (last); give K, last, K1,K2 or all.")
            }
            if !result.contains(k) { result.append(k) }
        }
        return result
    }

    func run() throws {
        let modelFolder = URL(fileURLWithPath: model)
        // OpenBLAS on one thread: the encoder splits each GEMM by rows over its own workers, which
        // also run attention (two BLAS threads would spin beside them; measured 16% more CPU time).
        BLASSetup.setThreads(1)
        let encoder = try TextEncoder(modelFolder: modelFolder, maxLength: maxLength)
        let layerCount = encoder.encoder.configuration.layerCount
        let chosen = try Self.layers(layer, of: layerCount)
        if chosen.count > 1 && !output.contains("{layer}") {
            throw ValidationError("--layer \(layer) writes \(chosen.count) files: put {layer} in --output, e.g. out-L{layer}.h5.")
        }
        let outputs = chosen.map { (layer: $0, path: output.replacingOccurrences(of: "{layer}", with: "\($0)")) }
        let modelInputs = [encoder.folder.configurationURL, encoder.folder.weightsURL, encoder.folder.vocabularyURL].map { ("--model", $0.path) }
        try OutputPaths.check(outputs: outputs.map { ("--output", $0.path) }, inputs: [("--input", input)] + modelInputs)

        let text = try TextInput(path: input, format: format)
        // Identical sentences are stored once, in order of first appearance; pairs index them.
        let (unique, remap) = text.distinctSentences()
        let pairs = text.pairs.map { SentencePair(remap[$0.first], remap[$0.second]) }
        let tokenized = try encoder.tokenized(unique.map(\.text), sources: unique.map(\.source))
        let truncated = tokenized.filter(\.isTruncated).count
        if truncated > 0 && !quiet {
            StandardError.print("warning: \(truncated) sentence(s) truncated to \(encoder.maxLength) tokens (--max-length)")
        }

        try Self.createLayerFolders(template: output, outputs: outputs.map(\.path))
        let writers = try outputs.map { target in
            try RaggedWriter(path: target.path, dim: encoder.encoder.configuration.hiddenSize,
                             options: .init(storage: dtype == "float32" ? .float32 : .float16),
                             attributes: attributes(encoder, layer: target.layer, text: text, truncated: truncated))
        }
        let cleanup = InterruptCleanup(outputs: outputs.map(\.path))
        defer { withExtendedLifetime(cleanup) {} }
        let start = Date()
        var lastReport = Date.distantPast
        do {
            try encoder.forEachWindow(
                tokenized, layers: Set(chosen), batchSize: batchSize, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                progress: { done in
                    guard !quiet, Date().timeIntervalSince(lastReport) > 1 || done == unique.count else { return }
                    lastReport = Date()
                    let rate = Double(done) / max(Date().timeIntervalSince(start), 1e-9)
                    StandardError.print("extract: \(done)/\(unique.count) sentences (\(Int(rate)) sentences/s)")
                }
            ) { window, states, offsets in
                let dim = encoder.encoder.configuration.hiddenSize
                for (target, writer) in zip(outputs, writers) {
                    guard let rows = states[target.layer] else { continue }
                    let all = rows.scalars
                    for (k, i) in window.enumerated() {
                        try writer.append(sentence: all[(offsets[k] * dim)..<(offsets[k + 1] * dim)], text: unique[i].text,
                                          inputIDs: tokenized[i].ids)
                    }
                }
            }
            let vocabulary = encoder.tokenizer.vocabulary.tokens
            for writer in writers {
                try writer.finish(pairs: text.isPairs ? pairs : nil, scores: text.isPairs ? text.scores : nil, vocabulary: vocabulary)
            }
        } catch {
            for writer in writers { writer.cancel() }
            throw error
        }
        let seconds = Date().timeIntervalSince(start)
        for target in outputs {
            print("wrote \(target.path): \(unique.count) sentences, \(pairs.count) pairs, "
                + "\(tokenized.reduce(0) { $0 + $1.ids.count }) tokens (layer \(target.layer) of \(layerCount))")
        }
        if !quiet { StandardError.print(String(format: "extract: %.1f s, %.0f sentences/s", seconds, Double(unique.count) / max(seconds, 1e-9))) }
    }

    /// The root attributes, as the Python extractor writes them.
    func attributes(_ encoder: TextEncoder, layer: Int, text: TextInput, truncated: Int) -> [String: AttributeValue] {
        let scores = text.scores ?? []
        let range = text.format == .stsb ? "0-5"
            : scores.isEmpty ? "" : "\(scores.min().map { String(format: "%g", $0) } ?? "")-\(scores.max().map { String(format: "%g", $0) } ?? "")"
        return [
            "model": .string(modelName ?? encoder.modelName),
            "hidden_size": .int(Int64(encoder.encoder.configuration.hiddenSize)),
            "num_layers": .int(Int64(encoder.encoder.configuration.layerCount)),
            "layer": .string(encoder.layerName(layer)),
            "max_length": .int(Int64(encoder.maxLength)),
            "special_tokens": .string("cls_first,sep_last"),
            "template": .string(HeadProvenance.noTemplate),
            "native_pooling": .string(encoder.folder.nativePooling.map { $0.map(\.rawValue).joined(separator: ",") } ?? "unknown"),
            "dataset": .string(dataset), "split": .string(split), "score_range": .string(range), "license": .string(license),
            "truncated_sentences": .int(Int64(truncated)),
            "source": .string(input),
            "created_with": .string("pooler extract \(PoolerVersion.string)"),
        ]
    }
}

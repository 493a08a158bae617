import Encoder
import Foundation
import Pooling
import Training

/// `pooler export RUN --sentence-transformers MODEL_DIR --out FOLDER`: a complete
/// sentence-transformers model folder, `Transformer → PoolerHead`, that
/// `SentenceTransformer(FOLDER, trust_remote_code=True)` loads as is.
///
/// ```
/// FOLDER/
///   modules.json               0: Transformer (path ""), 1: 1_PoolerHead (pooler_head.PoolerHead)
///   pooler_head.py             where sentence-transformers resolves pooler_head.PoolerHead
///   config.json, model.safetensors, vocab.txt, tokenizer files, sentence_bert_config.json
///                              the encoder, truncated to the head's layer K when K < num_hidden_layers
///   1_PoolerHead/              config.json, model.safetensors, pooler_head.py (a head export)
///   README.md                  model card: pooling, encoder and layer, training data, dev score
/// ```
/// No `1_Pooling` or `2_Normalize`: the head pools, and normalises only if its config says so.
enum SentenceTransformersFolder {
    static let headFolderName = "1_PoolerHead"
    static let cardFileName = "README.md"

    /// The files and folders such an export holds at its top level; `--force` replaces only a
    /// folder with nothing else in it.
    static let exportedFiles: Set<String> = Set(TransformerCopy.companionFiles).union([
        "config.json", "model.safetensors", "config_sentence_transformers.json", "modules.json",
        SentenceTransformersModule.fileName, headFolderName, cardFileName,
    ])

    /// The encoder layers to keep for `head`: nil for all (`last`, or the model's own count),
    /// else `K`. A head from another model, trained on prompted states, or with a layer that cannot
    /// be found in this one, is refused unless `ignoreProvenance` (then the whole encoder is copied).
    static func layers(for head: any PoolingHead, headPath: String, model: ModelFolder, modelLayers: Int,
                       ignoreProvenance: Bool) throws -> Int? {
        let provenance = head.configuration.provenance
        if !ignoreProvenance, provenance.model != "unknown", !TextEncoder.sameModel(provenance.model, model.modelName) {
            throw EncoderError.headMismatch(head: headPath, field: "model", trainedOn: provenance.model, requested: model.modelName)
        }
        if !ignoreProvenance, provenance.trainedOnPrompt {
            // sentence-transformers would encode the bare text; its prompts are prefixes only.
            throw EncoderError.headMismatch(head: headPath, field: "template", trainedOn: provenance.template,
                                            requested: "none (sentence-transformers encodes the text as given)")
        }
        if provenance.layer == "last" { return nil }
        guard let layer = Int(provenance.layer), (0...modelLayers).contains(layer) else {
            if ignoreProvenance { return nil }
            throw CommandError.headProvenanceUnusable(
                head: headPath, field: "layer", value: provenance.layer,
                expected: "\"last\" or a layer 0 ... \(modelLayers) of \(model.root.path)")
        }
        return layer == modelLayers ? nil : layer
    }

    /// The run's `summary.json` when `runDirectory` is a training run folder.
    static func summary(in runDirectory: URL) throws -> RunSummary? {
        let url = runDirectory.appendingPathComponent("summary.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do {
            return try RunSummary.decode(data)
        } catch {
            throw PoolingError.unwritable(path: url.path, reason: "summary.json is not a run summary: \(error)")
        }
    }

    /// Writes the folder's contents into `folder` (an existing, empty folder).
    static func write(head: any PoolingHead, model: ModelFolder, layers: Int?, summary: RunSummary?,
                      to folder: URL) throws -> TransformerCopy.Report {
        let report = try TransformerCopy.write(model, to: folder, layers: layers)
        let module = try SentenceTransformersModule.source()
        let headFolder = folder.appendingPathComponent(headFolderName)
        try HeadExport.write(head, to: headFolder)
        for target in [folder, headFolder] {
            try Data(module.utf8).write(to: target.appendingPathComponent(SentenceTransformersModule.fileName), options: .atomic)
        }
        try Data(SentenceTransformersModule.modulesJSON.utf8).write(to: folder.appendingPathComponent("modules.json"), options: .atomic)
        let card = modelCard(head.configuration, model: model, report: report, summary: summary)
        try Data(card.utf8).write(to: folder.appendingPathComponent(cardFileName), options: .atomic)
        return report
    }

    /// The model card: what pools, what encodes (and that it was truncated), on what data it was
    /// trained and how it scored on the run's dev split.
    static func modelCard(_ configuration: HeadConfiguration, model: ModelFolder, report: TransformerCopy.Report,
                          summary: RunSummary?) -> String {
        let provenance = configuration.provenance
        let shape = configuration.kind == .additive
            ? "\(configuration.hidden)"
            : "\(configuration.heads) / \(configuration.keyDim) (scores: \(configuration.scoreNormalization.rawValue))"
        let layerText = report.truncated
            ? "hidden-state layer \(report.layers) of \(report.sourceLayers): the encoder here is **truncated to its first "
                + "\(report.layers) layers** (`num_hidden_layers: \(report.layers)`; the weights of "
                + "`encoder.layer.\(report.layers)` ... `encoder.layer.\(report.sourceLayers - 1)` removed), so its output is that layer"
            : "the last hidden-state layer (\(report.sourceLayers) of \(report.sourceLayers)); the encoder is copied unchanged"
        var lines = [
            "---",
            "library_name: sentence-transformers",
            "pipeline_tag: sentence-similarity",
            "tags:",
            "- sentence-transformers",
            "- sentence-similarity",
            "- pooler",
            "---",
            "",
            "# \(provenance.model) with a learned \(configuration.kind.rawValue) attention pooling head",
            "",
            "A sentence-transformers model: `Transformer → PoolerHead`, written by `pooler export --sentence-transformers`.",
            "",
            "```python",
            "from sentence_transformers import SentenceTransformer",
            "model = SentenceTransformer(\"path/to/this/folder\", trust_remote_code=True)  # PoolerHead is custom code (pooler_head.py)",
            "embeddings = model.encode([\"A girl is styling her hair.\", \"A girl is brushing her hair.\"])",
            "```",
            "",
            "## Pooling",
            "",
            "A learned **\(configuration.kind.rawValue)** attention head (`1_PoolerHead/`, `pooler_head.py`) pools the token "
                + "embeddings; it replaces sentence-transformers' `Pooling` module (there is no mean pooling and no `Normalize` module).",
            "",
            "| setting | value |",
            "|---|---|",
            "| kind | \(configuration.kind.rawValue) |",
            "| dim | \(configuration.dim) |",
            "| \(configuration.kind == .additive ? "hidden" : "heads / key_dim") | \(shape) |",
            "| projection | \(configuration.projection ? "yes (`y = P x + c`)" : "no") |",
            "| normalize | \(configuration.normalize ? "yes (L2, inside the head)" : "no (embeddings are not L2-normalised)") |",
            "",
            "## Encoder",
            "",
            "`\(provenance.model)` (from `\(model.root.path)`), \(layerText).",
        ]
        if !report.droppedTensors.isEmpty {
            lines += ["", "Left out of the rewritten weights (not float; transformers recreates them): "
                + report.droppedTensors.map { "`\($0)`" }.joined(separator: ", ") + "."]
        }
        lines += [
            "",
            "## Training",
            "",
            "- training data hash (SHA-256): `\(provenance.trainingDataHash.isEmpty ? "not recorded" : provenance.trainingDataHash)`",
            "- pooler version: \(provenance.poolerVersion.isEmpty ? "not recorded" : provenance.poolerVersion)",
        ]
        if let summary {
            let best = summary.bestDevSpearman.map { String(format: "%.2f", $0) } ?? "not recorded"
            let when = [summary.bestEpoch.map { "epoch \($0)" }, summary.bestStep.map { "step \($0)" }].compactMap { $0 }
            lines += [
                "- training split: `\(summary.train.path)` (\(summary.train.pairs) pairs), loss \(summary.configuration.loss.rawValue), "
                    + "\(summary.epochsCompleted) epochs",
                "",
                "## Scores",
                "",
                "Spearman correlation (× 100) of cosine similarity with the gold scores, on the run's **dev** split "
                    + "`\(summary.dev.path)` (\(summary.dev.pairs) pairs); no test split was scored by the run.",
                "",
                "| | dev Spearman |",
                "|---|---|",
                "| best head\(when.isEmpty ? "" : " (\(when.joined(separator: ", ")))") | \(best) |",
                "| head at initialisation | \(String(format: "%.2f", summary.initialDevSpearman)) |",
            ]
        } else {
            lines += ["", "## Scores", "", "Not recorded: the export was made from a head folder, not a training run folder."]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

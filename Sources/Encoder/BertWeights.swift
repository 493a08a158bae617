import Foundation
import Pooling

/// The parameters of a BERT encoder, row-major Float32, laid out for the forward pass.
///
/// PyTorch's `nn.Linear` stores `W` as `[out, in]` and computes `y = x Wᵀ + b`; the forward
/// keeps that layout and multiplies with `Wᵀ` (`CblasTrans`). Query, key and value weights are
/// stacked into one `[3H, H]` matrix so that one GEMM gives all three.
struct BertWeights: Sendable {
    struct Embeddings: Sendable {
        let word: FloatBuffer                    // [vocab, H]
        let position: FloatBuffer                // [positions, H]
        let tokenType: FloatBuffer               // [types, H]
        let normGain: FloatBuffer                // [H]
        let normBias: FloatBuffer                // [H]
    }

    struct Layer: Sendable {
        let qkvWeight: FloatBuffer               // [3H, H]: query rows, then key rows, then value rows
        let qkvBias: FloatBuffer                 // [3H]
        let attentionOutWeight: FloatBuffer      // [H, H]
        let attentionOutBias: FloatBuffer        // [H]
        let attentionNormGain: FloatBuffer       // [H]
        let attentionNormBias: FloatBuffer       // [H]
        let intermediateWeight: FloatBuffer      // [I, H]
        let intermediateBias: FloatBuffer        // [I]
        let outputWeight: FloatBuffer            // [H, I]
        let outputBias: FloatBuffer              // [H]
        let outputNormGain: FloatBuffer          // [H]
        let outputNormBias: FloatBuffer          // [H]
    }

    let embeddings: Embeddings
    let layers: [Layer]

    /// The names (without the `bert.` prefix) and shapes the configuration implies.
    static func expectedShapes(_ c: BertConfiguration) -> [String: [Int]] {
        let h = c.hiddenSize
        var shapes: [String: [Int]] = [
            "embeddings.word_embeddings.weight": [c.vocabularySize, h],
            "embeddings.position_embeddings.weight": [c.maxPositions, h],
            "embeddings.token_type_embeddings.weight": [c.typeVocabularySize, h],
            "embeddings.LayerNorm.weight": [h],
            "embeddings.LayerNorm.bias": [h],
        ]
        for l in 0..<c.layerCount {
            let p = "encoder.layer.\(l)."
            for part in ["query", "key", "value"] {
                shapes[p + "attention.self.\(part).weight"] = [h, h]
                shapes[p + "attention.self.\(part).bias"] = [h]
            }
            shapes[p + "attention.output.dense.weight"] = [h, h]
            shapes[p + "attention.output.dense.bias"] = [h]
            shapes[p + "attention.output.LayerNorm.weight"] = [h]
            shapes[p + "attention.output.LayerNorm.bias"] = [h]
            shapes[p + "intermediate.dense.weight"] = [c.intermediateSize, h]
            shapes[p + "intermediate.dense.bias"] = [c.intermediateSize]
            shapes[p + "output.dense.weight"] = [h, c.intermediateSize]
            shapes[p + "output.dense.bias"] = [h]
            shapes[p + "output.LayerNorm.weight"] = [h]
            shapes[p + "output.LayerNorm.bias"] = [h]
        }
        return shapes
    }

    /// Reads the tensors `configuration` implies from a safetensors file; names may carry the
    /// `bert.` prefix (a `BertFor…` checkpoint) or not (a `BertModel`); everything else (pooler,
    /// MLM and NSP heads, `position_ids`) is skipped without being decoded.
    /// - Throws: ``EncoderError/missingTensor(path:name:)``, ``EncoderError/tensorShapeMismatch(path:name:expected:actual:)``,
    ///   ``EncoderError/unreadableWeights(path:reason:)``.
    init(contentsOf url: URL, configuration: BertConfiguration) throws {
        let expected = Self.expectedShapes(configuration)
        let contents: SafeTensors.Contents
        do {
            contents = try SafeTensors.read(url) { expected[Self.bareName($0)] != nil }
        } catch let error as SafeTensorsError {
            throw EncoderError.unreadableWeights(path: url.path, reason: error.description)
        }
        var tensors: [String: SafeTensors.Entry] = [:]
        for (name, entry) in contents.tensors { tensors[Self.bareName(name)] = entry }
        for (name, shape) in expected.sorted(by: { $0.key < $1.key }) {
            guard let entry = tensors[name] else { throw EncoderError.missingTensor(path: url.path, name: name) }
            guard entry.shape == shape else {
                throw EncoderError.tensorShapeMismatch(path: url.path, name: name, expected: shape, actual: entry.shape)
            }
        }
        // Every name is present now (checked above).
        func take(_ name: String) -> FloatBuffer { FloatBuffer(tensors[name]?.values ?? []) }
        func stacked(_ names: [String]) -> FloatBuffer { FloatBuffer(names.flatMap { tensors[$0]?.values ?? [] }) }
        embeddings = Embeddings(
            word: take("embeddings.word_embeddings.weight"),
            position: take("embeddings.position_embeddings.weight"),
            tokenType: take("embeddings.token_type_embeddings.weight"),
            normGain: take("embeddings.LayerNorm.weight"),
            normBias: take("embeddings.LayerNorm.bias"))
        layers = (0..<configuration.layerCount).map { l in
            let p = "encoder.layer.\(l)."
            let parts = ["query", "key", "value"]
            return Layer(
                qkvWeight: stacked(parts.map { p + "attention.self.\($0).weight" }),
                qkvBias: stacked(parts.map { p + "attention.self.\($0).bias" }),
                attentionOutWeight: take(p + "attention.output.dense.weight"),
                attentionOutBias: take(p + "attention.output.dense.bias"),
                attentionNormGain: take(p + "attention.output.LayerNorm.weight"),
                attentionNormBias: take(p + "attention.output.LayerNorm.bias"),
                intermediateWeight: take(p + "intermediate.dense.weight"),
                intermediateBias: take(p + "intermediate.dense.bias"),
                outputWeight: take(p + "output.dense.weight"),
                outputBias: take(p + "output.dense.bias"),
                outputNormGain: take(p + "output.LayerNorm.weight"),
                outputNormBias: take(p + "output.LayerNorm.bias"))
        }
    }

    /// `bert.encoder.layer.0…` → `encoder.layer.0…`.
    static func bareName(_ name: String) -> String {
        name.hasPrefix("bert.") ? String(name.dropFirst(5)) : name
    }
}

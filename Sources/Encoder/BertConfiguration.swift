import Foundation
import Pooling

/// The sizes of a BERT encoder, from a transformers `config.json`.
///
/// ```
/// hidden_size          H   width of every token row
/// num_hidden_layers    N   transformer layers (hidden states 0 … N; 0 = embeddings)
/// num_attention_heads  A   heads per layer, each of width H / A
/// intermediate_size    I   width of the feed-forward layer
/// layer_norm_eps       ε   LayerNorm's variance floor
/// max_position_embeddings, type_vocab_size, vocab_size: rows of the three embedding tables
/// ```
/// Only `model_type: "bert"` with `hidden_act: "gelu"` (the erf form) is supported.
public struct BertConfiguration: Sendable, Equatable, Codable {
    public var hiddenSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var intermediateSize: Int
    public var layerNormEpsilon: Float
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var vocabularySize: Int

    /// Width of one attention head, `H / A`.
    public var headSize: Int { hiddenSize / headCount }

    /// The architectures this encoder runs (`model_type`).
    public static let supportedModelTypes = ["bert"]
    /// The activations it computes (`hidden_act`).
    public static let supportedActivations = ["gelu"]

    /// Sizes given directly (tests, synthetic models); `headCount` must divide `hiddenSize`.
    public init(hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int, layerNormEpsilon: Float = 1e-12,
                maxPositions: Int, typeVocabularySize: Int = 2, vocabularySize: Int) {
        precondition(headCount > 0 && hiddenSize % headCount == 0,
                     "BertConfiguration: \(headCount) heads do not divide hidden size \(hiddenSize)")
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.layerNormEpsilon = layerNormEpsilon
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.vocabularySize = vocabularySize
    }

    /// Reads `config.json`.
    /// - Throws: ``EncoderError`` naming the file and the field: missing or wrong-typed fields,
    ///   an unsupported `model_type` or `hidden_act` (listing the supported ones), heads that do
    ///   not divide `hidden_size`.
    public init(contentsOf url: URL) throws {
        try self.init(json: try JSONFile(url))
    }

    init(json: JSONFile) throws {
        let modelType = try json.string("model_type")
        guard Self.supportedModelTypes.contains(modelType) else {
            throw EncoderError.unsupportedModelType(path: json.path, modelType: modelType, supported: Self.supportedModelTypes)
        }
        let activation = try json.string("hidden_act")
        guard Self.supportedActivations.contains(activation) else {
            throw EncoderError.unsupportedActivation(path: json.path, activation: activation, supported: Self.supportedActivations)
        }
        if let embedding = json.fields["position_embedding_type"], embedding != .string("absolute") {
            throw EncoderError.invalidField(path: json.path, field: "position_embedding_type", value: embedding.summary,
                                            expected: "\"absolute\" (the only position embedding supported)")
        }
        let hiddenSize = try json.integer("hidden_size")
        let headCount = try json.integer("num_attention_heads")
        guard hiddenSize % headCount == 0 else {
            throw EncoderError.invalidField(path: json.path, field: "num_attention_heads", value: "\(headCount)",
                                            expected: "a divisor of hidden_size \(hiddenSize)")
        }
        self.init(hiddenSize: hiddenSize,
                  layerCount: try json.integer("num_hidden_layers"),
                  headCount: headCount,
                  intermediateSize: try json.integer("intermediate_size"),
                  layerNormEpsilon: Float(try json.positiveNumber("layer_norm_eps")),
                  maxPositions: try json.integer("max_position_embeddings"),
                  typeVocabularySize: try json.integer("type_vocab_size"),
                  vocabularySize: try json.integer("vocab_size"))
    }
}

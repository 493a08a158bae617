/// The kind of learned pooling head.
public enum HeadKind: String, Codable, CaseIterable, Sendable {
    /// Additive (Bahdanau) attention with one score vector: ``AdditiveAttentionHead``.
    case additive
    /// Learned-query multi-head attention (PMA / latent attention): ``MultiheadAttentionHead``.
    case multihead
}

/// What multihead attention scores see of each token row.
public enum ScoreNormalization: String, Codable, CaseIterable, Sendable {
    /// Scores on RMS-normalised rows, `ĥ_t = √dim · h_t / √(‖h_t‖² + 1e-12)`: a token's score does
    /// not grow with its norm, so a few huge rows (a decoder's attention sink, |h| ≈ 29,000 beside
    /// ≈ 250) cannot saturate the softmax in one step. The default for new heads.
    case rms
    /// Scores on the rows as they are (heads written before `score_normalization` existed).
    case none
}

/// Where a head came from: the encoder, the layer, the training data and the toolkit version.
public struct HeadProvenance: Codable, Sendable, Equatable {
    /// The encoder whose hidden states the head pools, e.g. `sentence-transformers/all-MiniLM-L6-v2`.
    public var model: String
    /// The encoder layer, e.g. `"last"` or `"4"`.
    public var layer: String
    /// A hash of the training data (e.g. SHA-256 of the training file), to tell runs apart.
    public var trainingDataHash: String
    /// The `pooler` version that trained or exported the head.
    public var poolerVersion: String
    /// The prompt each sentence was wrapped in before encoding (the states file's `template`
    /// attribute, e.g. `This sentence : "{sentence}" means in one word:"`), `"none"` for bare
    /// sentences, `"unknown"` when the training file did not say. A head pools only states made
    /// with the same prompt.
    public var template: String

    public init(model: String = "unknown", layer: String = "unknown", trainingDataHash: String = "",
                poolerVersion: String = "", template: String = "unknown") {
        self.model = model
        self.layer = layer
        self.trainingDataHash = trainingDataHash
        self.poolerVersion = poolerVersion
        self.template = template
    }

    private enum CodingKeys: String, CodingKey {
        case model, layer, template
        case trainingDataHash = "training_data_hash"
        case poolerVersion = "pooler_version"
    }

    /// Decodes; `template` is absent from heads written before it was recorded (then `"unknown"`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        layer = try container.decode(String.self, forKey: .layer)
        trainingDataHash = try container.decode(String.self, forKey: .trainingDataHash)
        poolerVersion = try container.decode(String.self, forKey: .poolerVersion)
        template = try container.decodeIfPresent(String.self, forKey: .template) ?? Self.unknown
    }

    /// The value `"unknown"` (a file or head that does not say).
    public static let unknown = "unknown"
    /// The `template` of bare sentences (no prompt).
    public static let noTemplate = "none"

    /// Whether the head was trained on prompted states (a recorded template other than `none`).
    public var trainedOnPrompt: Bool { Self.isRecorded(template) && template != Self.noTemplate }

    /// Whether a recorded value (a file's `layer` or `template` attribute, a provenance field) says
    /// something: present and not `unknown`.
    public static func isRecorded(_ value: String?) -> Bool { value.map { $0 != unknown } ?? false }

    /// Whether two such values are both recorded and differ — the one rule for refusing to mix
    /// states of different layers or templates (what is not recorded is not second-guessed).
    public static func conflict(_ a: String?, _ b: String?) -> Bool { isRecorded(a) && isRecorded(b) && a != b }

    /// A template for a message: `no template (bare sentences)`, `an unknown template` or
    /// `the template '…'`.
    public static func described(_ template: String) -> String {
        switch template {
        case noTemplate: return "no template (bare sentences)"
        case unknown: return "an unknown template"
        default: return "the template '\(template)'"
        }
    }

    /// Checks that states recorded with `fileTemplate` (a file's `template` attribute; nil when
    /// absent) were made with the prompt this head was trained on; nothing is checked when either
    /// side does not say.
    /// - Throws: ``PoolingError/templateMismatch(source:trainedOn:found:)`` naming `source`.
    public func checkTemplate(_ fileTemplate: String?, source: String) throws {
        guard let fileTemplate, Self.conflict(template, fileTemplate) else { return }
        throw PoolingError.templateMismatch(source: source, trainedOn: template, found: fileTemplate)
    }
}

/// Everything that determines a head's shapes and behaviour; stored as `config.json` beside the
/// weights (snake_case keys, read by `Examples/python/pool.py` and `pooler_head.py`).
///
/// Tensor shapes it implies (PyTorch `Linear` convention, weight `[out, in]`):
/// ```
/// additive    attention.weight [hidden, dim]   attention.bias [hidden]   attention.v [hidden]
/// multihead   keys.weight [keyDim, dim]        queries [heads, keyDim]
/// projection  projection.weight [dim, dim]     projection.bias [dim]     (both kinds, optional)
/// ```
public struct HeadConfiguration: Codable, Sendable, Equatable {
    /// The on-disk format this toolkit writes: 2 since multihead heads carry `score_normalization`
    /// (a reader that ignored the field would score an `rms` head's rows raw, silently wrong; so
    /// readers of version 1 refuse version 2 files instead).
    public static let currentFormatVersion = 2
    /// The formats this toolkit reads: 1 (no `score_normalization`: multihead scores raw rows) and 2.
    public static let supportedFormatVersions = 1...2

    public var kind: HeadKind
    /// Width of the hidden states (and of the output).
    public var dim: Int
    /// Additive: width of the `tanh` layer. Default 128. Ignored (and not written) by `multihead`.
    public var hidden: Int
    /// Multihead: number of learned queries; `dim` must be divisible by it. Default 4. Ignored (and not written) by `additive`.
    public var heads: Int
    /// Multihead: width of keys and queries. Default 64. Ignored (and not written) by `additive`.
    public var keyDim: Int
    /// Multihead: what the scores see of each row. Default `rms`; `none` when absent from a
    /// `config.json` (heads written before it existed). Ignored (and not written) by `additive`.
    public var scoreNormalization: ScoreNormalization
    /// Add an output projection `y = P x + c` (initialised to the identity).
    public var projection: Bool
    /// L2-normalise the output.
    public var normalize: Bool
    public var provenance: HeadProvenance
    public var formatVersion: Int

    public init(kind: HeadKind, dim: Int, hidden: Int = 128, heads: Int = 4, keyDim: Int = 64,
                scoreNormalization: ScoreNormalization = .rms, projection: Bool = false, normalize: Bool = false,
                provenance: HeadProvenance = HeadProvenance(), formatVersion: Int = HeadConfiguration.currentFormatVersion) {
        self.kind = kind
        self.dim = dim
        self.hidden = hidden
        self.heads = heads
        self.keyDim = keyDim
        self.scoreNormalization = scoreNormalization
        self.projection = projection
        self.normalize = normalize
        self.provenance = provenance
        self.formatVersion = formatVersion
    }

    /// Every field at its default (the initialiser's), for a front end to show and start from;
    /// `dim` 0 stands for the width of the data, which has no default.
    public static let defaults = HeadConfiguration(kind: .additive, dim: 0)

    private enum CodingKeys: String, CodingKey {
        case kind, dim, hidden, heads, projection, normalize, provenance
        case keyDim = "key_dim"
        case scoreNormalization = "score_normalization"
        case formatVersion = "format_version"
    }

    /// This configuration with the fields its kind ignores at their defaults: what survives a
    /// round trip through `config.json`, which writes only the fields the kind uses.
    public var canonical: HeadConfiguration {
        var copy = self
        let defaults = HeadConfiguration(kind: kind, dim: dim)
        switch kind {
        case .additive:
            copy.heads = defaults.heads
            copy.keyDim = defaults.keyDim
            copy.scoreNormalization = defaults.scoreNormalization
        case .multihead:
            copy.hidden = defaults.hidden
        }
        return copy
    }

    /// Encodes the fields `kind` uses: `hidden` for additive, `heads`, `key_dim` and
    /// `score_normalization` for multihead.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(dim, forKey: .dim)
        switch kind {
        case .additive:
            try container.encode(hidden, forKey: .hidden)
        case .multihead:
            try container.encode(heads, forKey: .heads)
            try container.encode(keyDim, forKey: .keyDim)
            try container.encode(scoreNormalization, forKey: .scoreNormalization)
        }
        try container.encode(projection, forKey: .projection)
        try container.encode(normalize, forKey: .normalize)
        try container.encode(provenance, forKey: .provenance)
        try container.encode(formatVersion, forKey: .formatVersion)
    }

    /// Decodes; `kind`, `dim` and `format_version` are required, everything else has its default
    /// (files from earlier versions carry every kind's fields; the unused ones are read and ignored).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(HeadKind.self, forKey: .kind)
        dim = try container.decode(Int.self, forKey: .dim)
        formatVersion = try container.decode(Int.self, forKey: .formatVersion)
        hidden = try container.decodeIfPresent(Int.self, forKey: .hidden) ?? 128
        heads = try container.decodeIfPresent(Int.self, forKey: .heads) ?? 4
        keyDim = try container.decodeIfPresent(Int.self, forKey: .keyDim) ?? 64
        // Absent: a head from before the field existed, which scored the raw rows.
        scoreNormalization = try container.decodeIfPresent(ScoreNormalization.self, forKey: .scoreNormalization)
            ?? (kind == .multihead ? .none : .rms)
        projection = try container.decodeIfPresent(Bool.self, forKey: .projection) ?? false
        normalize = try container.decodeIfPresent(Bool.self, forKey: .normalize) ?? false
        provenance = try container.decodeIfPresent(HeadProvenance.self, forKey: .provenance) ?? HeadProvenance()
    }

    /// Checks the fields a head needs; `path` names the source in errors.
    /// - Throws: ``PoolingError/unsupportedFormatVersion(path:found:supported:)`` or
    ///   ``PoolingError/invalidConfiguration(path:field:value:requirement:)``.
    public func validate(path: String = "configuration") throws {
        guard Self.supportedFormatVersions.contains(formatVersion) else {
            throw PoolingError.unsupportedFormatVersion(path: path, found: formatVersion, supported: Self.currentFormatVersion)
        }
        func require(_ condition: Bool, _ field: String, _ value: Int, _ requirement: String) throws {
            if !condition {
                throw PoolingError.invalidConfiguration(path: path, field: field, value: "\(value)", requirement: requirement)
            }
        }
        try require(dim > 0, "dim", dim, "must be positive")
        switch kind {
        case .additive:
            try require(hidden > 0, "hidden", hidden, "must be positive")
        case .multihead:
            try require(heads > 0, "heads", heads, "must be positive")
            try require(dim % heads == 0, "heads", heads, "dim \(dim) must be divisible by heads (each head weights dim/heads dimensions)")
            try require(keyDim > 0, "key_dim", keyDim, "must be positive")
        }
        let sizeField = kind == .additive ? ("hidden", hidden) : ("key_dim", keyDim)
        guard let count = parameterCount, count <= Self.maximumParameterCount else {
            let size = parameterCount.map { "\($0) parameters" } ?? "more parameters than an Int can count"
            throw PoolingError.invalidConfiguration(
                path: path, field: sizeField.0, value: "\(sizeField.1)",
                requirement: "gives a head of \(size); the limit is \(Self.maximumParameterCount) "
                    + "(\(Self.maximumParameterCount * 4 >> 20) MiB of float32, and training keeps several copies)")
        }
    }

    /// The most trainable values a head may have: 10⁸ (400 MB of float32 per copy).
    public static let maximumParameterCount = 100_000_000

    /// The number of trainable values, `Σ Π shape`; `nil` if it overflows `Int`.
    public var parameterCount: Int? {
        var total = 0
        for shape in tensorShapes.values {
            var product = 1
            for extent in shape {
                let (next, overflow) = product.multipliedReportingOverflow(by: max(extent, 0))
                if overflow { return nil }
                product = next
            }
            let (sum, overflow) = total.addingReportingOverflow(product)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// The safetensors name and shape of every trainable tensor this configuration implies.
    public var tensorShapes: [String: [Int]] {
        var shapes: [String: [Int]]
        switch kind {
        case .additive:
            shapes = [AdditiveAttentionHead.weightName: [hidden, dim],
                      AdditiveAttentionHead.biasName: [hidden],
                      AdditiveAttentionHead.scoreName: [hidden]]
        case .multihead:
            shapes = [MultiheadAttentionHead.keysName: [keyDim, dim],
                      MultiheadAttentionHead.queriesName: [heads, keyDim]]
        }
        if projection {
            shapes[OutputProjection.weightName] = [dim, dim]
            shapes[OutputProjection.biasName] = [dim]
        }
        return shapes
    }
}

import Pooling

/// sentence-transformers' pooling configuration (`1_Pooling/config.json`) as ``PoolingStrategy``s.
///
/// sentence-transformers keeps one Boolean per mode and concatenates the enabled ones in this
/// order (`models/Pooling.py`):
/// ```
/// pooling_mode_cls_token            → cls
/// pooling_mode_max_tokens           → max
/// pooling_mode_mean_tokens          → mean
/// pooling_mode_mean_sqrt_len_tokens → mean-sqrt-len
/// pooling_mode_weightedmean_tokens  → weighted-mean   (weights t / Σ t′, t = 1 … L)
/// pooling_mode_lasttoken            → last
/// ```
enum SentenceTransformersPooling {
    static let modes: [(flag: String, strategy: PoolingStrategy)] = [
        ("pooling_mode_cls_token", .cls),
        ("pooling_mode_max_tokens", .max),
        ("pooling_mode_mean_tokens", .mean),
        ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLen),
        ("pooling_mode_weightedmean_tokens", .weightedMean),
        ("pooling_mode_lasttoken", .last),
    ]

    /// The enabled strategies in sentence-transformers' order.
    /// - Throws: ``EncoderError/unsupportedPooling(path:modes:supported:)`` when no mode is enabled
    ///   or an enabled `pooling_mode_*` flag has no strategy here; a wrong-typed flag as
    ///   ``EncoderError/invalidField(path:field:value:expected:)``.
    static func strategies(_ json: JSONFile) throws -> [PoolingStrategy] {
        let known = Set(modes.map(\.flag))
        var unknown: [String] = []
        for field in json.fields.keys.sorted() where field.hasPrefix("pooling_mode_") && !known.contains(field) {
            if try json.optionalBool(field) == true { unknown.append(field) }
        }
        let strategies = try modes.compactMap { mode in try json.optionalBool(mode.flag) == true ? mode.strategy : nil }
        guard unknown.isEmpty, !strategies.isEmpty else {
            throw EncoderError.unsupportedPooling(path: json.path, modes: unknown, supported: modes.map(\.flag))
        }
        return strategies
    }
}

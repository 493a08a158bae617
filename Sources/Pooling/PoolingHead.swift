import Autodiff

/// A learned pooling of packed token rows into sentence embeddings.
///
/// Two implementations: ``AdditiveAttentionHead`` and ``MultiheadAttentionHead``. Both start out
/// exactly equal to mean pooling (zero-initialised score path). A head's math is written once, in
/// ``forward(_:segments:parameters:)`` on a ``Tape``: training passes parameters (gradients
/// wanted); inference (``pooled(_:segments:)``, ``attentionWeights(_:segments:)``) runs the same
/// function on constants, for which the tape records no pullback.
public protocol PoolingHead: Sendable {
    var configuration: HeadConfiguration { get }
    /// Trainable tensors by their safetensors names.
    var parameters: [String: Tensor] { get set }
    /// Names excluded from weight decay (biases, queries, score vector…).
    var parametersWithoutDecay: Set<String> { get }
    /// The head's math: rows [T, dim], one segment per sentence → the embeddings [batch, outputDim]
    /// and, as a by-product, each token's attention weight [T, heads] (1 column for additive;
    /// within a sentence each column sums to 1).
    func forward(_ rows: Variable, segments: Segments, parameters: [String: Variable]) -> HeadOutput
}

/// What a head's forward gives: the pooled embeddings and the attention weights that made them.
public struct HeadOutput {
    /// `[batch, outputDim]`.
    public var embeddings: Variable
    /// `[T, heads]`: what `pooler explain` shows.
    public var weights: Variable

    public init(embeddings: Variable, weights: Variable) {
        self.embeddings = embeddings
        self.weights = weights
    }
}

extension PoolingHead {
    /// ``forward(_:segments:parameters:)`` on constants (no pullbacks recorded): rows [T, dim] →
    /// (embeddings [batch, outputDim], weights [T, heads]).
    public func evaluated(_ rows: Tensor, segments: Segments) -> (embeddings: Tensor, weights: Tensor) {
        let tape = Tape()
        let output = forward(tape.constant(rows), segments: segments, parameters: parameters.mapValues { tape.constant($0) })
        return (output.embeddings.value, output.weights.value)
    }

    /// Inference: rows [T, dim] → [batch, outputDim] (the forward on constants).
    public func pooled(_ rows: Tensor, segments: Segments) -> Tensor {
        evaluated(rows, segments: segments).embeddings
    }

    /// Each token's attention weight: rows [T, dim] → [T, heads] (the forward's by-product).
    public func attentionWeights(_ rows: Tensor, segments: Segments) -> Tensor {
        evaluated(rows, segments: segments).weights
    }

    /// Width of the output embedding (= `configuration.dim`).
    public var outputDim: Int { configuration.dim }

    /// Padded `[batch, tokens, dim]` with `mask` `[batch, tokens]` (1 = real token, either padding side)
    /// → `[batch, dim]`.
    public func pooled(padded: Tensor, mask: Tensor) -> Tensor {
        let packed = PackedRows(padded: padded, mask: mask)
        return pooled(packed.rows, segments: packed.segments)
    }

    /// The parameters as leaves of `tape` (gradients wanted), by name; pass them to ``forward(_:segments:parameters:)``.
    public func parameterVariables(on tape: Tape) -> [String: Variable] {
        parameters.mapValues { tape.parameter($0) }
    }
}

extension Dictionary where Key == String, Value == Variable {
    /// The variable named `name` with the shape `configuration` implies (programmer misuse otherwise).
    func variable(_ name: String, _ configuration: HeadConfiguration) -> Variable {
        guard let value = self[name] else {
            preconditionFailure("\(configuration.kind) head forward: parameter '\(name)' missing; have \(keys.sorted())")
        }
        let expected = configuration.tensorShapes[name] ?? []
        precondition(value.shape == expected, "\(configuration.kind) head forward: '\(name)' has shape \(value.shape), expected \(expected)")
        return value
    }
}

/// A freshly initialised head for `configuration` (seeded): every head starts as mean pooling.
public func makeHead(_ configuration: HeadConfiguration, seed: UInt64) -> any PoolingHead {
    switch configuration.kind {
    case .additive: return AdditiveAttentionHead(configuration: configuration, seed: seed)
    case .multihead: return MultiheadAttentionHead(configuration: configuration, seed: seed)
    }
}

/// A head from trained `parameters`, after checking the configuration and every tensor.
///
/// - Parameter path: names the source in errors (e.g. the weights file).
/// - Throws: ``PoolingError`` — invalid configuration, missing tensor, unexpected tensor, wrong
///   shape, non-finite value.
public func makeHead(_ configuration: HeadConfiguration, parameters: [String: Tensor], path: String = "parameters") throws
    -> any PoolingHead {
    try configuration.validate(path: path)
    try validateParameters(parameters, for: configuration, path: path)
    var head = makeHead(configuration, seed: 0)
    head.parameters = parameters
    return head
}

/// Checks that `parameters` are exactly the tensors `configuration` implies, with their shapes, all finite.
public func validateParameters(_ parameters: [String: Tensor], for configuration: HeadConfiguration, path: String) throws {
    let expected = configuration.tensorShapes
    for (name, shape) in expected.sorted(by: { $0.key < $1.key }) {
        guard let tensor = parameters[name] else {
            throw PoolingError.missingTensor(path: path, name: name, expectedShape: shape)
        }
        guard tensor.shape == shape else {
            throw PoolingError.wrongShape(path: path, name: name, expected: shape, actual: tensor.shape)
        }
        if let bad = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
            throw PoolingError.nonFiniteParameter(path: path, name: name, index: bad)
        }
    }
    if let extra = parameters.keys.sorted().first(where: { expected[$0] == nil }) {
        throw PoolingError.unexpectedTensor(path: path, name: extra, shape: parameters[extra]?.shape ?? [])
    }
}

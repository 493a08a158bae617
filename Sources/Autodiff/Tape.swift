/// A record of differentiable operations, in the order they ran (a Wengert list).
///
/// A tape is an ordinary object passed explicitly — never a global. Leaves enter through
/// ``parameter(_:)`` (gradients wanted) or ``constant(_:)`` (no gradients); every ``Variable``
/// op runs the same forward code as the ``Tensor`` op and records, right below it, a pullback
/// that captures only what backward needs. ``backward(_:)`` walks the records in reverse and
/// accumulates gradients with `+=` (a node used twice, as in `x * x`, receives both terms).
///
/// ```swift
/// let tape = Tape()
/// let w = tape.parameter(weights)                 // [dim, 1]
/// let x = tape.constant(inputs)                   // [batch, dim]
/// let loss = x.matmul(w).squared().mean()         // []
/// tape.backward(loss)
/// let dW = tape.gradient(of: w)                   // [dim, 1]
/// ```
///
/// Use a fresh tape per training step (or call ``reset()``): dropping the tape frees every
/// record and saved tensor, so memory does not grow across steps. Ops whose inputs need no
/// gradient record no pullback at all.
public final class Tape {
    /// Receives the gradient of the op's output and adds the gradient of each input to `sink`.
    public typealias Pullback = (_ dOutput: Tensor, _ sink: inout GradientSink) -> Void

    struct Node {
        let shape: [Int]
        let inputs: [Int]
        let pullback: Pullback?
        let requiresGradient: Bool
        let isParameter: Bool
    }

    private(set) var nodes: [Node] = []
    private var gradients: [Tensor?] = []
    /// Bumped by ``reset()`` so variables from before a reset are caught when used.
    private(set) var generation = 0

    public init() {
        nodes.reserveCapacity(64)
    }

    /// Number of recorded nodes (leaves and ops).
    public var nodeCount: Int { nodes.count }

    /// A leaf whose gradient ``backward(_:)`` computes.
    public func parameter(_ value: Tensor) -> Variable {
        append(value, Node(shape: value.shape, inputs: [], pullback: nil, requiresGradient: true, isParameter: true))
    }

    /// A leaf that gets no gradient (data, masks, targets).
    public func constant(_ value: Tensor) -> Variable {
        append(value, Node(shape: value.shape, inputs: [], pullback: nil, requiresGradient: false, isParameter: false))
    }

    /// Records an op's output `value` computed from `inputs`, with the pullback giving each
    /// input's gradient. When no input needs a gradient the pullback is dropped.
    public func record(_ value: Tensor, inputs: [Variable], pullback: @escaping Pullback) -> Variable {
        var requires = false
        for input in inputs {
            checkOwnership(input, "record")
            requires = requires || nodes[input.index].requiresGradient
        }
        return append(value, Node(shape: value.shape, inputs: inputs.map(\.index),
                                  pullback: requires ? pullback : nil,
                                  requiresGradient: requires, isParameter: false))
    }

    private func append(_ value: Tensor, _ node: Node) -> Variable {
        nodes.append(node)
        return Variable(value: value, tape: self, index: nodes.count - 1, generation: generation)
    }

    func checkOwnership(_ variable: Variable, _ op: String) {
        precondition(variable.tape === self, "\(op): variable of shape \(variable.shape) belongs to another tape")
        precondition(variable.generation == generation,
                     "\(op): variable of shape \(variable.shape) was recorded before Tape.reset()")
    }

    /// Back-propagates from a one-element `loss`: `d loss / d loss = 1`.
    public func backward(_ loss: Variable) {
        precondition(loss.value.count == 1, "Tape.backward: loss must hold one element, got shape \(loss.shape)")
        backward(from: loss, seed: Tensor(repeating: 1, shape: loss.shape))
    }

    /// Back-propagates `seed = ∂L/∂output` (same shape as `output`) for any `L`.
    ///
    /// Parameter gradients accumulate (`+=`) across calls until ``zeroGradients()``; the
    /// gradients of intermediate nodes are those of the latest call.
    public func backward(from output: Variable, seed: Tensor) {
        checkOwnership(output, "Tape.backward")
        precondition(seed.shape == output.shape,
                     "Tape.backward: seed shape \(seed.shape) differs from output shape \(output.shape)")
        var sink = GradientSink(nodes: nodes)
        if nodes[output.index].requiresGradient { sink.gradients[output.index] = seed }
        for index in stride(from: output.index, through: 0, by: -1) {
            let node = nodes[index]
            guard let pullback = node.pullback, let dOutput = sink.gradients[index] else { continue }
            sink.inputs = node.inputs
            pullback(dOutput, &sink)
        }
        if gradients.count < nodes.count { gradients.append(contentsOf: repeatElement(nil, count: nodes.count - gradients.count)) }
        for index in 0..<sink.gradients.count {
            guard let gradient = sink.gradients[index] else { continue }
            if nodes[index].isParameter, var existing = gradients[index] {
                gradients[index] = nil  // keep `existing` uniquely referenced: add in place
                existing.add(gradient)
                gradients[index] = existing
            } else {
                gradients[index] = gradient
            }
        }
    }

    /// `∂L/∂variable` from the latest ``backward(_:)``; zeros when the loss does not depend on it.
    public func gradient(of variable: Variable) -> Tensor {
        checkOwnership(variable, "Tape.gradient(of:)")
        if variable.index < gradients.count, let gradient = gradients[variable.index] { return gradient }
        return Tensor.zeros(variable.shape)
    }

    /// Forgets all gradients (the records stay).
    public func zeroGradients() {
        gradients.removeAll(keepingCapacity: true)
    }

    /// Forgets all records and gradients, keeping capacity; earlier variables become invalid.
    public func reset() {
        nodes.removeAll(keepingCapacity: true)
        gradients.removeAll(keepingCapacity: true)
        generation += 1
    }
}

/// Where pullbacks deliver input gradients during ``Tape/backward(_:)``; accumulates with `+=`.
public struct GradientSink {
    let nodes: [Tape.Node]
    var gradients: [Tensor?]
    var inputs: [Int] = []

    init(nodes: [Tape.Node]) {
        self.nodes = nodes
        self.gradients = [Tensor?](repeating: nil, count: nodes.count)
    }

    /// Whether input `position` (0-based, in the order given to ``Tape/record(_:inputs:pullback:)``)
    /// needs a gradient; pullbacks skip work for inputs that do not.
    public func needsGradient(forInput position: Int) -> Bool {
        nodes[inputs[position]].requiresGradient
    }

    /// Adds `gradient` (same shape as that input) to input `position`'s gradient.
    public mutating func accumulate(_ gradient: Tensor, forInput position: Int) {
        let index = inputs[position]
        guard nodes[index].requiresGradient else { return }
        precondition(gradient.shape == nodes[index].shape,
                     "pullback: gradient shape \(gradient.shape) for input of shape \(nodes[index].shape)")
        if var existing = gradients[index] {
            gradients[index] = nil  // keep `existing` uniquely referenced: add in place
            existing.add(gradient)
            gradients[index] = existing
        } else {
            gradients[index] = gradient
        }
    }
}

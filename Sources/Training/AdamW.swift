import Autodiff
import Foundation

/// Adam with decoupled weight decay, as PyTorch's `torch.optim.AdamW` computes it.
///
/// At step `t` (from 1), for each parameter `θ` with gradient `g`:
/// ```
/// θ ← θ · (1 − lr · λ)                      (decoupled decay; λ = 0 for no-decay parameters)
/// m ← β₁ m + (1 − β₁) g
/// v ← β₂ v + (1 − β₂) g²
/// θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
/// ```
/// Defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (PyTorch's). The state (`m`, `v`, `t`) is `Codable` so
/// checkpoints restore it exactly.
///
/// Reference: I. Loshchilov and F. Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).
public struct AdamW: Sendable, Equatable {
    public struct Hyperparameters: Sendable, Equatable, Codable {
        public var beta1: Float
        public var beta2: Float
        public var epsilon: Float
        /// λ: the decay applied as `θ · (1 − lr · λ)` per step.
        public var weightDecay: Float

        public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
        }
    }

    /// First and second moments and the step count: what a checkpoint must hold.
    public struct State: Sendable, Equatable {
        /// `m` per parameter name, same shapes as the parameters.
        public var firstMoments: [String: Tensor]
        /// `v` per parameter name.
        public var secondMoments: [String: Tensor]
        /// Steps taken (`t` of the last step).
        public var step: Int

        public init(firstMoments: [String: Tensor] = [:], secondMoments: [String: Tensor] = [:], step: Int = 0) {
            self.firstMoments = firstMoments
            self.secondMoments = secondMoments
            self.step = step
        }
    }

    public var hyperparameters: Hyperparameters
    /// Parameter names that receive no weight decay (biases, queries, score vectors).
    public var withoutDecay: Set<String>
    public var state: State

    public init(hyperparameters: Hyperparameters = Hyperparameters(), withoutDecay: Set<String> = [], state: State = State()) {
        self.hyperparameters = hyperparameters
        self.withoutDecay = withoutDecay
        self.state = state
    }

    /// One update of every parameter that has a gradient, at learning rate `learningRate`.
    /// - Parameters:
    ///   - parameters: tensors by name, updated in place.
    ///   - gradients: `∂L/∂θ` by name, same shapes.
    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], learningRate: Float) {
        state.step += 1
        let h = hyperparameters
        let t = Double(state.step)
        // Bias corrections in Double: β₂ᵗ stays accurate for large t.
        let correction1 = Float(1 - pow(Double(h.beta1), t))
        let correction2 = Float(1 - pow(Double(h.beta2), t))
        let stepSize = learningRate / correction1
        let inverseRoot2 = 1 / correction2.squareRoot()
        for name in parameters.keys.sorted() {
            guard let gradient = gradients[name], var theta = parameters[name] else { continue }
            precondition(gradient.shape == theta.shape, "AdamW: gradient \(gradient.shape) for parameter \(name) \(theta.shape)")
            // Taken out of the state (not copied) so the in-place update below does not copy them.
            var m = state.firstMoments.removeValue(forKey: name) ?? Tensor.zeros(theta.shape)
            var v = state.secondMoments.removeValue(forKey: name) ?? Tensor.zeros(theta.shape)
            let decay = withoutDecay.contains(name) ? 1 : 1 - learningRate * h.weightDecay
            parameters[name] = nil  // keep `theta` uniquely referenced: update in place
            let count = theta.count
            theta.withUnsafeMutableBufferPointer { p in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        gradient.withUnsafeBufferPointer { g in
                            // Base pointers (no per-element bounds checks) let the loop vectorise.
                            guard let p = p.baseAddress, let m = m.baseAddress, let v = v.baseAddress,
                                  let g = g.baseAddress else { return }
                            for i in 0..<count {
                                m[i] = h.beta1 * m[i] + (1 - h.beta1) * g[i]
                                v[i] = h.beta2 * v[i] + (1 - h.beta2) * g[i] * g[i]
                                let denominator = v[i].squareRoot() * inverseRoot2 + h.epsilon
                                p[i] = p[i] * decay - stepSize * m[i] / denominator
                            }
                        }
                    }
                }
            }
            parameters[name] = theta
            state.firstMoments[name] = m
            state.secondMoments[name] = v
        }
    }
}

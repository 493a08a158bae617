import Autodiff

/// How ``DistillationLoss`` measures a student embedding against its teacher's.
public enum DistillMetric: String, Codable, CaseIterable, Sendable {
    /// `1 − cos(student, teacher)` per sentence (the default).
    case cosine
    /// Mean squared error between the L2-normalised vectors.
    case mse
}

/// Distillation: pulls each sentence's student embedding towards a fixed teacher embedding of the
/// same sentence.
///
/// ```
/// ŝ_i = s_i / √(‖s_i‖² + ε),   t̂_i = t_i / ‖t_i‖             (both L2-normalised)
/// cosine   L = (1/n) Σ_i (1 − ŝ_i · t̂_i)
/// mse      L = (1/(n·dim)) Σ_i Σ_j (ŝ_ij − t̂_ij)²            = (2/dim) · cosine's L
/// ```
/// Both compare directions only (the normalisation makes the student's scale free), so a head
/// trained this way ranks pairs by the teacher's cosines. `mse` averages over the `dim`
/// components as PyTorch's `MSELoss` does, so its values are `2/dim` times the cosine ones.
///
/// Reference: sentence-transformers `MSELoss` (multilingual distillation, Reimers & Gurevych 2020),
/// here on normalised vectors; the cosine form as in `CosineSimilarityLoss` with target 1.
public struct DistillationLoss: Sendable, Equatable {
    public var metric: DistillMetric

    public init(metric: DistillMetric = .cosine) {
        self.metric = metric
    }

    /// The loss, shape `[]`.
    /// - Parameters:
    ///   - student: `[sentences, dim]` the head's embeddings.
    ///   - teacher: `[sentences, dim]` the teacher's embeddings of the same sentences (a constant).
    public func callAsFunction(_ student: Variable, teacher: Tensor) -> Variable {
        precondition(student.rank == 2 && student.shape == teacher.shape,
                     "DistillationLoss: student \(student.shape) and teacher \(teacher.shape) must both be [sentences, dim]")
        let unit = student.l2Normalized(alongAxis: 1)                                     // [sentences, dim]
        let target = student.tape.constant(teacher.l2Normalized(alongAxis: 1))            // [sentences, dim]
        switch metric {
        case .cosine:
            let cosines = (unit * target).sum(alongAxis: 1)                               // [sentences]
            let one = student.tape.constant(Tensor(shape: [], scalars: [1]))
            return one - cosines.mean()
        case .mse:
            return (unit - target).squared().mean()
        }
    }
}

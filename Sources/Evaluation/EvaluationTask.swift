/// What `pooler evaluate` measures on a scored-pairs file (MTEB's task types, built from the pairs).
public enum EvaluationTask: String, CaseIterable, Codable, Sendable {
    /// Spearman/Pearson of the similarity against the gold scores (``SimilarityEvaluator``): the default.
    case sts
    /// The pairs' first sentences retrieve their second sentences (``PairRetrieval``).
    case retrieval
    /// Paraphrase or not, from the cosine (``PairClassification``).
    case classification
}

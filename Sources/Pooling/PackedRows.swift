import Autodiff

/// A padded batch turned into packed rows: only the real tokens, sentence after sentence.
///
/// ```
/// padded [batch, tokens, dim], mask [batch, tokens] (1 = real token, 0 = padding)
///   → rows [T, dim], T = Σ mask, segments with lengths Σ_t mask[b, t]
/// ```
/// The real tokens of a sentence keep their order, so left padding, right padding (or any other
/// placement of the padding) give the same packed rows.
public struct PackedRows: Sendable, Equatable {
    /// `[T, dim]`.
    public var rows: Tensor
    /// One segment per sentence.
    public var segments: Segments

    public init(rows: Tensor, segments: Segments) {
        precondition(rows.rank == 2 && rows.shape[0] == segments.rowCount,
                     "PackedRows: rows must be [\(segments.rowCount), dim] for \(segments), got \(rows.shape)")
        self.rows = rows
        self.segments = segments
    }

    /// Packs `padded` `[batch, tokens, dim]` by `mask` `[batch, tokens]` (non-zero = real token).
    public init(padded: Tensor, mask: Tensor) {
        precondition(padded.rank == 3 && mask.shape == [padded.shape[0], padded.shape[1]],
                     "PackedRows: padded must be [batch, tokens, dim] and mask [batch, tokens]; got \(padded.shape) and \(mask.shape)")
        let (batch, tokens) = (padded.shape[0], padded.shape[1])
        var kept = [Int]()
        var lengths = [Int](repeating: 0, count: batch)
        mask.withUnsafeBufferPointer { m in
            for b in 0..<batch {
                for t in 0..<tokens where m[b * tokens + t] != 0 {
                    kept.append(b * tokens + t)
                    lengths[b] += 1
                }
            }
        }
        let flat = padded.reshaped(to: [batch * tokens, padded.shape[2]])  // [batch·tokens, dim]
        self.init(rows: flat.gathering(rows: kept), segments: Segments(lengths: lengths))
    }
}

/// Finds NaN and ±Inf quickly: a float is non-finite exactly when its exponent bits are all ones, so
/// the largest `bits & 0x7fffffff` of a buffer is ≥ `0x7f800000` iff it holds one. An integer max
/// reduction vectorises; the slow search runs only when something was found.
enum FiniteScan {
    /// Index of the first non-finite value in `values`, or nil.
    static func firstNonFinite(_ values: UnsafeBufferPointer<Float>) -> Int? {
        guard let base = values.baseAddress, !values.isEmpty else { return nil }
        let bits = UnsafeRawPointer(base).assumingMemoryBound(to: UInt32.self)
        var largest: UInt32 = 0
        for i in 0..<values.count {
            largest = max(largest, bits[i] & 0x7fff_ffff)
        }
        guard largest >= 0x7f80_0000 else { return nil }
        return values.firstIndex { !$0.isFinite }
    }
}

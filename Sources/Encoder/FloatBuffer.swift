/// A fixed-size, 64-byte aligned Float32 buffer that owns its memory (freed on deinit).
///
/// Weights are written once when loaded and only read afterwards, so sharing one across threads
/// is safe (`@unchecked Sendable`); a forward pass's scratch buffers belong to that pass alone.
final class FloatBuffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let count: Int

    /// `count` floats, zero-filled.
    init(count: Int) {
        self.count = count
        base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    /// A copy of `values`.
    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let source = source.baseAddress { base.update(from: source, count: values.count) }
        }
    }

    /// Read-only view for kernels.
    var pointer: UnsafePointer<Float> { UnsafePointer(base) }

    /// The values as an array (a copy).
    var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    deinit { base.deallocate() }
}

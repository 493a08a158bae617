import CPlatform

/// Process-wide malloc settings for tensor workloads (for executables only, like all of Runtime).
///
/// Every op returns a fresh tensor; outputs of a few MB (a `[8192, 384]` matmul is 12.6 MB)
/// are above glibc's mmap threshold, so each is mapped, faulted in page by page and unmapped
/// again when freed — measured at ~20% of the matmul's own time. Fixed thresholds
/// (mmap 32 MiB, trim 64 MiB) keep those blocks in the heap for reuse. Larger blocks (token
/// tables, HDF5 read buffers) are still mapped and returned to the system on free.
public enum AllocatorTuning {
    /// Applies the thresholds; call once at the start of an executable, before other threads
    /// start. Returns `false` where it does not apply (non-glibc platforms).
    @discardableResult
    public static func reuseLargeBlocks() -> Bool {
        pooler_configure_allocator() != 0
    }
}

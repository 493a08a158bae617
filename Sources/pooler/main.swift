import Runtime

// OpenBLAS picks its kernels when it loads; if it picked a slow fallback for this CPU,
// restart once with OPENBLAS_CORETYPE set (a user's own setting always wins).
BLASSetup.reexecWithFastKernelIfNeeded()
// Multi-MB tensors are reused from the heap rather than mapped and unmapped per op.
AllocatorTuning.reuseLargeBlocks()
PoolerCommand.main()

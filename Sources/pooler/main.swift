import Autodiff

// OpenBLAS picks its kernels when it loads; if it picked a slow fallback for this CPU,
// restart once with OPENBLAS_CORETYPE set (a user's own setting always wins).
BLASRuntime.reexecWithFastKernelIfNeeded()
PoolerCommand.main()

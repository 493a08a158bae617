// swift-tools-version:6.0
import PackageDescription

// Dependency graph (one way; see ../shared/STYLE.md and the README's "Layout"), as imported:
//   COpenBLAS, CPlatform, Parallelism ← Autodiff ← Pooling ← Evaluation ← Training ← pooler
//   CHDF5, CPlatform, CZlib, Parallelism ← HiddenStates ← Evaluation, Training
//   Parallelism ← Training (sharded steps and dev evaluation on ForkJoin workers)
//   Evaluation ← Training (DevEvaluation: cosine similarities, Spearman)
//   Training, Evaluation ← LayerSweep (per-layer strategies and heads, chosen on dev) ← pooler
//   Autodiff, Pooling, Parallelism, CPlatform ← Encoder (tokenizer, BERT forward, model folders; inference only) ← pooler
//   Autodiff (read-only BLAS queries), COpenBLAS, CPlatform ← Runtime (process setup: BLAS kernel
//       re-exec and threads, allocator) ← executables only: pooler, PoolerBench, Examples/TrainInfoNCE
let package = Package(
    name: "Pooler",
    platforms: [.macOS(.v15)],  // Synchronization.Mutex
    products: [
        .executable(name: "pooler", targets: ["pooler"]),
        .library(name: "Autodiff", targets: ["Autodiff"]),
        .library(name: "HiddenStates", targets: ["HiddenStates"]),
        .library(name: "Pooling", targets: ["Pooling"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Encoder", targets: ["Encoder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // SHA-256 of inputs, checkpoints and exported tensors.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries: a module map plus a tiny shim header each; no unsafe flags.
        .systemLibrary(
            name: "COpenBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CHDF5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Small C helpers: CPU feature detection and F16C half→float conversion,
        // selected at run time so no build flags are needed.
        .target(name: "CPlatform"),

        // Fork-join on POSIX threads, shared by Autodiff and HiddenStates.
        .target(name: "Parallelism"),
        .target(name: "Autodiff", dependencies: ["COpenBLAS", "CPlatform", "Parallelism"]),
        .target(name: "HiddenStates", dependencies: ["CHDF5", "CPlatform", "CZlib", "Parallelism"]),
        .target(name: "Pooling", dependencies: ["Autodiff", "CPlatform", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Evaluation", dependencies: ["Autodiff", "Pooling", "HiddenStates"]),
        .target(name: "Training", dependencies: ["Autodiff", "Pooling", "HiddenStates", "Evaluation", "Parallelism"]),
        // Which layer and which pooling: fixed strategies and a trained head per layer, chosen on dev.
        .target(name: "LayerSweep", dependencies: ["Training", "Evaluation", "HiddenStates", "Pooling"]),
        .target(name: "Encoder", dependencies: ["Autodiff", "Pooling", "Parallelism", "CPlatform"]),
        // Process setup for executables only (BLAS kernel re-exec and threads, allocator).
        .target(name: "Runtime", dependencies: ["Autodiff", "COpenBLAS", "CPlatform"]),
        // The HDF5 reader's fuzz harness: seed files, byte mutations, read-everything; used by
        // `PoolerBench fuzz-hdf5` and a quick test. No stable API.
        .target(name: "FuzzSupport", dependencies: ["HiddenStates", "Autodiff", "Pooling", "Training"]),

        .executableTarget(
            name: "pooler",
            dependencies: [
                "Autodiff", "HiddenStates", "Training", "Pooling", "Evaluation", "Encoder", "LayerSweep", "Runtime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The sentence-transformers module `pooler export` writes (a real Python file, tested).
            resources: [.copy("Resources/pooler_head.py")]
        ),
        .executableTarget(
            name: "PoolerBench",
            dependencies: ["Autodiff", "HiddenStates", "COpenBLAS", "CPlatform", "Training", "Pooling", "Evaluation", "Encoder",
                           "FuzzSupport", "Runtime"]
        ),

        // Worked examples (built with the tests, so they keep compiling); see Examples/.
        .executableTarget(name: "CompareStrategies", dependencies: ["Evaluation"], path: "Examples/CompareStrategies"),
        .executableTarget(name: "TrainInfoNCE", dependencies: ["Training", "Pooling", "Runtime"], path: "Examples/TrainInfoNCE"),
        .executableTarget(name: "EmbedWithHead", dependencies: ["Pooling", "HiddenStates"], path: "Examples/EmbedWithHead"),
        .executableTarget(name: "EmbedText", dependencies: ["Encoder"], path: "Examples/EmbedText"),

        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff"]),
        .testTarget(name: "HiddenStatesTests", dependencies: ["HiddenStates"],
                    exclude: ["Fixtures"]),  // corrupt HDF5 files, read through #filePath
        .testTarget(name: "PoolingTests", dependencies: ["Pooling", "Autodiff"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Pooling", "HiddenStates", "Autodiff"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Pooling", "Autodiff", "HiddenStates"]),
        .testTarget(name: "EncoderTests", dependencies: ["Encoder", "Pooling", "Autodiff", "HiddenStates"],
                    exclude: ["Fixtures"]),  // read through #filePath (scripts/make-tiny-bert.py writes them)
        .testTarget(name: "LayerSweepTests", dependencies: ["LayerSweep", "Training", "Evaluation", "HiddenStates"]),
        .testTarget(name: "CLITests", dependencies: ["pooler", "Encoder"]),
        .testTarget(name: "FuzzSupportTests", dependencies: ["FuzzSupport", "HiddenStates"]),
    ],
    swiftLanguageModes: [.v6]
)

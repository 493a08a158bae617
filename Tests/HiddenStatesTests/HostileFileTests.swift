import Foundation
import HiddenStates
import Testing

/// Files whose declared sizes lie, paths that are not regular files, files held by a writer, and
/// bad pairs or scores: each gives a typed error naming the file (and dataset), never a crash or hang.
@Suite("hostile files: sizes, special paths, locks, pairs and scores")
struct HostileFileTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    private func open(_ path: String, budget: MemoryBudget = .standard) throws -> HiddenStatesFile {
        try HiddenStatesFile(path: path, options: .init(memoryBudget: budget))
    }

    private static func isImplausible(_ error: HiddenStatesError, _ path: String, _ dataset: String) -> Bool {
        if case .implausibleStorage(path, dataset, _, _) = error { return true } else { return false }
    }

    // MARK: 1. Sizes are checked before allocating

    @Test("a sentence declared with 2^31 rows whose /tokens stores nothing")
    func hugeSentence() throws {
        let path = directory.path("huge-sentence.h5")
        let writer = try HDF5Writer(path: path)
        try writer.createUnwrittenDataset("/tokens", shape: [1 << 31, 384], type: .float16)
        try writer.createDataset("/offsets", shape: [2], type: .int64, values: .integers([0, 1 << 31]))
        try writer.close()
        expectHiddenStatesError([path, "/tokens", "declares", "stores only"], { _ = try open(path) }) {
            Self.isImplausible($0, path, "/tokens")
        }
    }

    @Test("offsets that jump past the real /tokens row count")
    func offsetsPastTokens() throws {
        let path = directory.path("jump.h5")
        try Fixtures.writeRaw(to: path, offsets: [0, 1 << 31, 6])
        expectHiddenStatesError([path, "/offsets[2] = 6 is smaller"], { _ = try open(path) }) {
            if case .invalidOffsets(path, "/offsets", 2, _) = $0 { return true } else { return false }
        }
        let end = directory.path("end.h5")
        try Fixtures.writeRaw(to: end, offsets: [0, 2, 1 << 40])
        expectHiddenStatesError([end, "must equal the 6 rows"], { _ = try open(end) }) {
            if case .invalidOffsets(end, "/offsets", 2, .doesNotEndAtTokens(1 << 40, 6)) = $0 { return true }
            return false
        }
    }

    @Test("a chunked, compressed /tokens declared 2^40 rows but storing one chunk")
    func hugeChunkedTokens() throws {
        let path = directory.path("huge-chunked.h5")
        let writer = try HDF5Writer(path: path)
        try writer.createUnwrittenDataset("/tokens", shape: [1 << 40, 4], type: .float16,
                                          filters: .init(chunk: [64, 4], gzip: 4, shuffle: true))
        try writer.createDataset("/offsets", shape: [2], type: .int64, values: .integers([0, 1 << 40]))
        try writer.close()
        expectHiddenStatesError([path, "/tokens", "stores only"], { _ = try open(path) }) {
            Self.isImplausible($0, path, "/tokens")
        }
    }

    @Test("a shape whose element count overflows 64 bits")
    func overflowingShape() throws {
        let path = directory.path("overflow.h5")
        let writer = try HDF5Writer(path: path)
        try writer.createUnwrittenDataset("/tokens", shape: [1 << 40, 1 << 30], type: .float32,
                                          filters: .init(chunk: [1, 1024]))
        try writer.createDataset("/offsets", shape: [2], type: .int64, values: .integers([0, 1 << 40]))
        try writer.close()
        expectHiddenStatesError([path, "/tokens", "overflows"], { _ = try open(path) }) {
            if case .sizeOverflow(path, "/tokens", _) = $0 { return true } else { return false }
        }
    }

    @Test("a padded /hidden_states with an enormous N × L × D and a mask to match")
    func hugePadded() throws {
        let path = directory.path("huge-padded.h5")
        let writer = try HDF5Writer(path: path)
        try writer.createUnwrittenDataset("/hidden_states", shape: [1 << 20, 1 << 12, 384], type: .float32,
                                          filters: .init(chunk: [1, 64, 384], gzip: 1))
        try writer.createUnwrittenDataset("/attention_mask", shape: [1 << 20, 1 << 12], type: .int8,
                                          filters: .init(chunk: [1, 64]))
        try writer.close()
        expectHiddenStatesError([path, "/hidden_states", "stores only"], { _ = try open(path) }) {
            Self.isImplausible($0, path, "/hidden_states")
        }
    }

    @Test("a chunk larger than the memory budget")
    func hugeChunk() throws {
        let path = directory.path("huge-chunk.h5")
        let writer = try HDF5Writer(path: path)
        try writer.createUnwrittenDataset("/tokens", shape: [1 << 20, 2], type: .float32,
                                          filters: .init(chunk: [1 << 20, 2]))
        try writer.createDataset("/offsets", shape: [2], type: .int64, values: .integers([0, 1 << 20]))
        try writer.close()
        expectHiddenStatesError([path, "/tokens", "one chunk", "memory budget"],
                                { _ = try open(path, budget: MemoryBudget(bytes: 1 << 20)) }) {
            if case .exceedsMemoryBudget(path, "/tokens", _, 8 << 20, 1 << 20) = $0 { return true } else { return false }
        }
    }

    @Test("reads larger than the memory budget are refused before allocating")
    func budget() throws {
        let path = directory.path("budget.h5")
        try Fixtures.writeRaw(to: path)  // /tokens 6 × 2 float32 (48 bytes of Float), /offsets [3]
        let file = try open(path, budget: MemoryBudget(bytes: 40))
        expectHiddenStatesError([path, "/tokens", "2 sentences", "memory budget", "memoryBudget"],
                                { _ = try file.readAll() }) {
            if case .exceedsMemoryBudget(path, "/tokens", _, 48, 40) = $0 { return true } else { return false }
        }
        #expect(try file.read(sentences: [0]).tokenCount == 2)  // 16 bytes: within budget
        expectHiddenStatesError([path, "/offsets"], { _ = try open(path, budget: MemoryBudget(bytes: 16)) }) {
            if case .exceedsMemoryBudget(path, "/offsets", _, _, 16) = $0 { return true } else { return false }
        }
    }

    @Test("pairs declared far larger than they are stored, and pairs/scores counts that disagree")
    func pairsSizes() throws {
        let path = directory.path("huge-pairs.h5")
        let writer = try HDF5Writer(path: path)
        try writer.createDataset("/tokens", shape: [6, 2], type: .float32, values: .floats(Array(repeating: 1, count: 12)))
        try writer.createDataset("/offsets", shape: [3], type: .int64, values: .integers([0, 2, 6]))
        try writer.createUnwrittenDataset("/pairs", shape: [1 << 40, 2], type: .int64)
        try writer.close()
        expectHiddenStatesError([path, "/pairs"], { _ = try open(path) }) { Self.isImplausible($0, path, "/pairs") }

        let mismatch = directory.path("mismatch.h5")
        try Fixtures.writeRaw(to: mismatch, pairs: [0, 1], scores: [1, 2, 3])
        expectHiddenStatesError([mismatch, "/scores has 3 scores", "1 pairs"], { _ = try open(mismatch) }) {
            $0 == .scoresCountMismatch(path: mismatch, dataset: "/scores", scores: 3, pairs: 1)
        }
    }

    @Test("memory budget sizes parse as executables write them")
    func budgetParsing() throws {
        #expect(MemoryBudget(parsing: "8G")?.bytes == 8 << 30)
        #expect(MemoryBudget(parsing: "512MiB")?.bytes == 512 << 20)
        #expect(MemoryBudget(parsing: "4096")?.bytes == 4096)
        #expect(MemoryBudget(parsing: "lots") == nil)
        #expect(MemoryBudget(parsing: "-1G") == nil)
        #expect(try MemoryBudget(environment: ["POOLER_MEMORY_BUDGET": "2G"]).bytes == 2 << 30)
        #expect(try MemoryBudget(environment: [:]) == .standard)
        #expect(throws: MemoryBudgetParseError.self) { try MemoryBudget(environment: ["POOLER_MEMORY_BUDGET": "x"]) }
    }

    // MARK: HDF5 1.10 hangs and crashes avoided by a pre-check (found by the fuzzer)

    /// Writes a small file with a string attribute and returns its bytes and its global heap's offset.
    private func fileWithGlobalHeap(_ path: String) throws -> (bytes: Data, heap: Int) {
        try Fixtures.writeRaw(to: path, attributes: ["model": .string("a model name")])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let heap = try #require(bytes.range(of: Data("GCOL".utf8))).lowerBound
        return (bytes, heap)
    }

    /// Offset of the free-space object (index 0) of the collection at `heap`.
    private func freeSpaceObject(in bytes: Data, heap: Int) -> Int {
        func uint(_ at: Int, _ width: Int) -> Int { (0..<width).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        var p = heap + 16
        while uint(p, 2) != 0 { p += 16 + (uint(p + 8, 8) + 7) / 8 * 8 }
        return p
    }

    @Test("a global heap whose free-space object has size 0 (HDF5 1.10 loops forever reading strings)")
    func zeroFreeSpace() throws {
        let path = directory.path("gcol-loop.h5")
        var (bytes, heap) = try fileWithGlobalHeap(path)
        let free = freeSpaceObject(in: bytes, heap: heap)
        for k in 0..<8 { bytes[free + 8 + k] = 0 }
        try bytes.write(to: URL(fileURLWithPath: path))
        let started = Date()
        expectHiddenStatesError([path, "global heap", "byte \(heap)", "size 0"], { _ = try open(path) }) {
            if case .corruptGlobalHeap(path, heap, _) = $0 { return true } else { return false }
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("a global heap object whose size runs past its collection (H5HG_read would memcpy it: a segfault)")
    func oversizedHeapObject() throws {
        let path = directory.path("gcol-size.h5")
        var (bytes, heap) = try fileWithGlobalHeap(path)
        bytes[heap + 16 + 8 + 6] = 0x03  // object 1's size → about 2^49
        try bytes.write(to: URL(fileURLWithPath: path))
        expectHiddenStatesError([path, "global heap", "past the collection's end"], { _ = try open(path) }) {
            if case .corruptGlobalHeap(path, heap, _) = $0 { return true } else { return false }
        }
    }

    // MARK: 2. Non-regular files

    @Test("a folder is refused with a hint to give the file inside")
    func folder() throws {
        let path = directory.url.path
        expectHiddenStatesError([path, "is a folder", ".h5 file inside"], { _ = try open(path) }) {
            $0 == .isFolder(path: path)
        }
        expectHiddenStatesError([path, "is a folder"], { _ = try HDF5Reader(path: path) }) { $0 == .isFolder(path: path) }
    }

    @Test("a FIFO is refused before HDF5 opens it (no hang)")
    func fifo() throws {
        let path = directory.path("pipe.h5")
        #expect(mkfifo(path, 0o600) == 0)
        let started = Date()
        expectHiddenStatesError([path, "a FIFO", "not a regular file"], { _ = try open(path) }) {
            $0 == .notRegularFile(path: path, kind: "a FIFO (named pipe)")
        }
        expectHiddenStatesError([path, "a FIFO"], { _ = try HDF5Reader(path: path) }) {
            if case .notRegularFile(path, _) = $0 { return true } else { return false }
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("a device is refused")
    func device() {
        expectHiddenStatesError(["/dev/null", "a character device", "not a regular file"], { _ = try open("/dev/null") }) {
            $0 == .notRegularFile(path: "/dev/null", kind: "a character device")
        }
    }

    // MARK: 3. A file held open by a writer

    @Test("a file another process holds for writing gives fileLocked, not an HDF5 stack")
    func lockedByWriter() throws {
        let path = directory.path("locked.h5")
        try Fixtures.writeRaw(to: path)
        // What a writing process holds: HDF5 1.10 takes flock(LOCK_EX) on files it opens for writing.
        // A separate open file description behaves exactly like another process's.
        let descriptor = Glibc.open(path, O_RDWR)
        #expect(descriptor >= 0)
        defer { Glibc.close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        expectHiddenStatesError([path, "held open for writing", "unable to lock file"], { _ = try open(path) }) {
            if case .fileLocked(path, _) = $0 { return true } else { return false }
        }
        #expect(flock(descriptor, LOCK_UN) == 0)
        #expect(try open(path).metadata.sentences == 2)
    }

    @Test("a lock held by another process (util-linux flock, as a writer holds it)",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")))
    func lockedByOtherProcess() throws {
        let path = directory.path("locked-elsewhere.h5")
        try Fixtures.writeRaw(to: path)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--exclusive", "--no-fork", path, "sleep", "20"]
        try holder.run()
        defer {
            // SIGKILL: the child may inherit a blocked SIGTERM from the test runner.
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        // Wait (≤ 10 s) until the other process holds the lock.
        let probe = Glibc.open(path, O_RDONLY)
        defer { Glibc.close(probe) }
        var held = false
        for _ in 0..<1000 where !held {
            if flock(probe, LOCK_SH | LOCK_NB) == 0 {
                _ = flock(probe, LOCK_UN)
                usleep(10_000)
            } else {
                held = true
            }
        }
        #expect(held)
        expectHiddenStatesError([path, "held open for writing"], { _ = try open(path) }) {
            if case .fileLocked(path, _) = $0 { return true } else { return false }
        }
    }

    // MARK: 4. Pairs and scores are checked when the file is opened

    @Test("NaN and ±Inf scores are refused at open, naming the first bad pair", arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteScores(bad: Float) throws {
        let path = directory.path("scores.h5")
        try Fixtures.writeRaw(to: path, pairs: [0, 1, 1, 0, 0, 0], scores: [1, bad, bad])
        expectHiddenStatesError([path, "/scores[1]", "pair 1"], { _ = try open(path) }) {
            if case .nonFiniteScore(path, "/scores", 1, _) = $0 { return true } else { return false }
        }
    }

    @Test("a pair index out of range is refused at open")
    func pairIndexAtOpen() throws {
        let path = directory.path("pairs.h5")
        try Fixtures.writeRaw(to: path, pairs: [0, 1, -1, 0])
        expectHiddenStatesError([path, "/pairs[1, 0] = -1"], { _ = try open(path) }) {
            $0 == .pairIndexOutOfRange(path: path, dataset: "/pairs", pair: 1, column: 0, value: -1, sentences: 2)
        }
    }
}

import Foundation
import FuzzSupport
import HiddenStates
import Testing

/// The fuzz harness works (the long run is `PoolerBench fuzz-hdf5`, kept out of `swift test`).
@Suite("HDF5 fuzz harness")
struct FuzzHarnessTests {
    /// `Tests/Fuzz/seeds/hdf5` of this package.
    static let seedFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/seeds/hdf5").path

    static func seedFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: seedFolder).filter { $0.hasSuffix(".h5") }.sorted()
            .map { seedFolder + "/" + $0 }
    }

    @Test("every committed seed is a valid file, read without error")
    func seedsAreValid() throws {
        let seeds = try Self.seedFiles()
        #expect(seeds.count >= 6)
        for seed in seeds {
            #expect(readEverything(at: seed, options: .init(decompressionThreads: 2)) == .ok, "\(seed)")
            let size = try FileManager.default.attributesOfItem(atPath: seed)[.size] as? Int ?? 0
            #expect(size < 64 << 10, "\(seed) is \(size) bytes; seeds should be a few KB")
        }
    }

    @Test("the seed writer produces valid files")
    func regeneratedSeeds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-seeds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let written = try FuzzSeeds.write(to: folder)
        #expect(written.map { URL(fileURLWithPath: $0).lastPathComponent }
            == (try Self.seedFiles()).map { URL(fileURLWithPath: $0).lastPathComponent })
        for path in written { #expect(readEverything(at: path, options: .init()) == .ok, "\(path)") }
    }

    @Test("300 mutants: no crash, no untyped error, and mutants are reproducible")
    func quickRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fuzzer = try HDF5Fuzzer(seedFiles: try Self.seedFiles(), seed: 42, currentPath: folder + "/current.h5")
        let outcomes = try fuzzer.run(0..<300)
        #expect(outcomes.iterations == 300)
        #expect(outcomes.otherErrors == 0, "\(outcomes)")
        // `leaks` is not checked here: tests running in parallel hold HDF5 objects too (PoolerBench checks it).
        _ = outcomes.leaks
        #expect(outcomes.typedErrors > 0 && outcomes.ok > 0, "\(outcomes)")
        #expect(fuzzer.mutator.mutant(seed: 42, iteration: 17).bytes == fuzzer.mutator.mutant(seed: 42, iteration: 17).bytes)
        #expect(FileManager.default.fileExists(atPath: folder + "/current.h5.txt"))
    }
}

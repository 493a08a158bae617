import Autodiff
import Foundation
import HiddenStates
import Pooling
import Testing
@testable import Training

/// A fresh temporary directory, removed when the value goes away.
final class ScratchDirectory {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("training-tests-\(UUID().uuidString)")
    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    func run(_ name: String) -> RunDirectory { RunDirectory(url.appendingPathComponent(name)) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

enum Fixture {
    static let train = SyntheticPairs.split(pairs: 240, dim: 16, seed: 1, path: "train")
    static let dev = SyntheticPairs.split(pairs: 120, dim: 16, seed: 2, path: "dev")

    static func configuration(_ kind: HeadKind = .additive, loss: LossKind = .cosent, epochs: Int = 2,
                              learningRate: Float = 1e-2) -> TrainingConfiguration {
        TrainingConfiguration(head: HeadConfiguration(kind: kind, dim: 16, hidden: 16, heads: 4, keyDim: 8),
                              loss: loss, epochs: epochs, learningRate: learningRate, batchSize: 32, seed: 7,
                              patience: 0)
    }

    /// Mean pooling's dev Spearman, computed without any head.
    static func meanPoolingSpearman(_ split: TrainingSplit) -> Double {
        let (rows, segments) = split.packedRows(of: Array(0..<split.sentenceCount))
        let means = rows.segmentMean(segments)
        let dim = split.dim
        let cosines = split.pairs.map { pair -> Double in
            var (uv, uu, vv) = (0.0, 0.0, 0.0)
            for j in 0..<dim {
                let u = Double(means[pair.first, j]), v = Double(means[pair.second, j])
                uv += u * v; uu += u * u; vv += v * v
            }
            return uv / (uu * vv).squareRoot()
        }
        return 100 * RankCorrelationReference.spearman(cosines, (split.scores ?? []).map(Double.init))
    }
}

/// Independent Spearman (average ranks for ties) so the test does not only check Evaluation against itself.
enum RankCorrelationReference {
    static func ranks(_ x: [Double]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var ranks = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            for k in i...j { ranks[order[k]] = Double(i + j) / 2 + 1 }
            i = j + 1
        }
        return ranks
    }

    static func spearman(_ a: [Double], _ b: [Double]) -> Double {
        let (x, y) = (ranks(a), ranks(b))
        let (mx, my) = (x.reduce(0, +) / Double(x.count), y.reduce(0, +) / Double(y.count))
        let sxy = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
        let sxx = x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        let syy = y.map { ($0 - my) * ($0 - my) }.reduce(0, +)
        return sxy / (sxx * syy).squareRoot()
    }
}

@Suite("trainer")
struct TrainerTests {
    let scratch: ScratchDirectory
    init() throws { scratch = try ScratchDirectory() }

    @Test("before training each head scores exactly mean pooling; training beats it", arguments: [HeadKind.additive, .multihead])
    func learns(_ kind: HeadKind) throws {
        // Multihead starts with zero queries, so its keys get no gradient at first: it needs a larger rate.
        let trainer = try Trainer(configuration: Fixture.configuration(kind, epochs: 8, learningRate: kind == .additive ? 3e-2 : 1e-1), train: Fixture.train, dev: Fixture.dev,
                                  directory: scratch.run("learns-\(kind)"))
        let outcome = try trainer.run()
        let mean = Fixture.meanPoolingSpearman(Fixture.dev)
        #expect(abs(outcome.initialDevSpearman - mean) < 1e-3, "initial \(outcome.initialDevSpearman) vs mean \(mean)")
        let best = try #require(outcome.best)
        #expect(best.devSpearman > mean + 5, "best \(best.devSpearman) vs mean pooling \(mean)")
        #expect(outcome.reason == .completed)
        #expect(outcome.steps == 8 * trainer.batchesPerEpoch)
    }

    @Test("the run directory holds the head, the log, the summary and the checkpoint")
    func runDirectory() throws {
        let directory = scratch.run("layout")
        let outcome = try Trainer(configuration: Fixture.configuration(), train: Fixture.train, dev: Fixture.dev,
                                  directory: directory, toolVersion: "9.9.9").run()
        let head = try HeadExport.load(from: directory.head)
        #expect(head.parameters == outcome.bestParameters)
        let (rows, segments) = Fixture.dev.packedRows(of: Array(0..<Fixture.dev.sentenceCount))
        _ = head.pooled(rows, segments: segments)
        #expect(head.configuration.provenance.poolerVersion == "9.9.9")
        let lines = try String(contentsOf: directory.log, encoding: .utf8).split(separator: "\n")
        let snake = JSONDecoder()
        snake.keyDecodingStrategy = .convertFromSnakeCase
        let records = try lines.map { try snake.decode(EvaluationRecord.self, from: Data($0.utf8)) }
        #expect(lines.first?.contains("\"dev_spearman\"") == true)
        #expect(records.map(\.kind) == [.initial, .epoch, .epoch])
        #expect(records.last?.trainLoss != nil)
        let summary = try RunSummary.decode(Data(contentsOf: directory.summary))
        #expect(summary.configuration.warmup == Fixture.configuration().warmup)
        #expect(summary.bestDevSpearman == outcome.best?.devSpearman)
        #expect(summary.stoppedBy == .completed)
        #expect(summary.train.sha256 == nil)  // in-memory split: no file to hash
        let checkpoint = try Checkpoint.read(from: directory.checkpoint)
        #expect(checkpoint.parameters == outcome.finalParameters)
        #expect(checkpoint.progress.finished)
    }

    @Test("the same seed gives identical weights, on one worker or two")
    func deterministic() throws {
        let a = try Trainer(configuration: Fixture.configuration(), train: Fixture.train, dev: Fixture.dev,
                            directory: scratch.run("a"), workers: 1).run()
        let b = try Trainer(configuration: Fixture.configuration(), train: Fixture.train, dev: Fixture.dev,
                            directory: scratch.run("b"), workers: 2).run()
        #expect(a.finalParameters == b.finalParameters)
        #expect(a.bestParameters == b.bestParameters)
        #expect(a.best == b.best && a.initialDevSpearman == b.initialDevSpearman)
        var other = Fixture.configuration()
        other.seed = 8
        let c = try Trainer(configuration: other, train: Fixture.train, dev: Fixture.dev, directory: scratch.run("c")).run()
        #expect(a.finalParameters != c.finalParameters)
    }

    /// Stops a run when `condition` first holds, resumes it, and compares with an uninterrupted run.
    private func checkResume(_ name: String, kind: HeadKind, loss: LossKind = .cosent,
                             _ condition: @escaping (TrainingEvent) -> Bool) throws {
        var configuration = Fixture.configuration(kind, loss: loss)
        configuration.evalEvery = 5
        let straight = try Trainer(configuration: configuration, train: Fixture.train, dev: Fixture.dev,
                                   directory: scratch.run("\(name)-straight")).run()
        let directory = scratch.run("\(name)-resumed")
        let stop = StopSignal()
        let first = try Trainer(configuration: configuration, train: Fixture.train, dev: Fixture.dev, directory: directory)
            .run(stop: stop) { event in if condition(event) { stop.request() } }
        #expect(first.reason == .interrupted)
        #expect(first.steps < straight.steps)
        let resumed = try Trainer(configuration: configuration, train: Fixture.train, dev: Fixture.dev, directory: directory)
            .run(resume: true)
        #expect(resumed.reason == .completed)
        #expect(resumed.steps == straight.steps)
        #expect(resumed.finalParameters == straight.finalParameters, "resumed weights differ from the uninterrupted run")
        #expect(resumed.bestParameters == straight.bestParameters)
        #expect(resumed.best == straight.best)
        let straightLog = try String(contentsOf: scratch.run("\(name)-straight").log, encoding: .utf8)
        let resumedLog = try String(contentsOf: directory.log, encoding: .utf8)
        func scores(_ log: String) -> [String] { log.split(separator: "\n").map { String($0.split(separator: ",").filter { $0.contains("devSpearman") }.joined()) } }
        #expect(scores(straightLog) == scores(resumedLog))
    }

    @Test("2 epochs straight = 1 epoch, interrupt, resume 1 epoch (bit-identical weights)")
    func resumeAfterEpoch() throws {
        try checkResume("epoch", kind: .additive) { event in
            if case .evaluated(let record) = event { return record.kind == .epoch && record.epoch == 1 }
            return false
        }
    }

    @Test("interrupting mid-epoch and resuming is bit-identical too (multihead, InfoNCE)")
    func resumeMidEpoch() throws {
        try checkResume("mid", kind: .multihead, loss: .infonce) { event in
            if case .stepped(let report) = event { return report.step == 3 }
            return false
        }
    }

    @Test("InfoNCE trains on a file without scores and cosine-MSE trains too", arguments: [LossKind.infonce, .cosineMSE])
    func otherLosses(_ loss: LossKind) throws {
        let train = loss == .infonce ? SyntheticPairs.split(pairs: 240, dim: 16, seed: 1, withScores: false, path: "train") : Fixture.train
        var configuration = Fixture.configuration(loss: loss, epochs: 3)
        configuration.symmetric = true
        let outcome = try Trainer(configuration: configuration, train: train, dev: Fixture.dev,
                                  directory: scratch.run("loss-\(loss)")).run()
        let best = try #require(outcome.best)
        #expect(best.devSpearman > outcome.initialDevSpearman + 1)
    }

    @Test("patience stops early and keeps the best state")
    func earlyStopping() throws {
        var configuration = Fixture.configuration(epochs: 30, learningRate: 0.3)
        configuration.patience = 2
        configuration.schedule = .constant
        let outcome = try Trainer(configuration: configuration, train: Fixture.train, dev: Fixture.dev,
                                  directory: scratch.run("early")).run()
        #expect(outcome.reason == .earlyStopped)
        #expect(outcome.epochsCompleted < 30)
        let best = try #require(outcome.best)
        #expect(best.epoch == outcome.epochsCompleted - 2)
    }

    @Test("a NaN in the training data stops with nonFiniteLoss and keeps the last good checkpoint")
    func nonFinite() throws {
        var tokens = Fixture.train.tokens
        for j in 0..<16 { tokens[0, j] = .nan }
        let train = TrainingSplit(path: "poisoned", tokens: tokens, offsets: Fixture.train.offsets,
                                  pairs: Fixture.train.pairs, scores: Fixture.train.scores)
        let directory = scratch.run("nan")
        var caught: TrainingError?
        do {
            _ = try Trainer(configuration: Fixture.configuration(), train: train, dev: Fixture.dev, directory: directory).run()
        } catch let error as TrainingError {
            caught = error
        }
        guard case .nonFiniteLoss(let epoch, _, _, let checkpoint)? = caught else {
            Issue.record("expected nonFiniteLoss, got \(String(describing: caught))")
            return
        }
        #expect(epoch == 1)
        #expect(checkpoint == directory.checkpoint.path)
        let kept = try Checkpoint.read(from: directory.checkpoint)
        #expect(kept.parameters.values.allSatisfy { $0.scalars.allSatisfy(\.isFinite) })
        #expect(caught?.description.contains("HINT") == true)
    }

    @Test("mismatches are typed errors before any work")
    func errors() throws {
        func error(_ body: () throws -> Void) -> TrainingError? {
            do { try body() } catch let error as TrainingError { return error } catch { return nil }
            return nil
        }
        var wide = Fixture.configuration()
        wide.head.dim = 32
        #expect(error { _ = try Trainer(configuration: wide, train: Fixture.train, dev: Fixture.dev, directory: scratch.run("e1")) }
                == .dimensionMismatch(path: "train", fileDim: 16, headDim: 32))
        let noPairs = TrainingSplit(path: "empty", tokens: Fixture.train.tokens, offsets: Fixture.train.offsets, pairs: [], scores: [])
        #expect(error { _ = try Trainer(configuration: Fixture.configuration(), train: noPairs, dev: Fixture.dev, directory: scratch.run("e2")) }
                == .noPairs(path: "empty"))
        let unscored = SyntheticPairs.split(pairs: 20, seed: 3, withScores: false, path: "unscored")
        #expect(error { _ = try Trainer(configuration: Fixture.configuration(), train: unscored, dev: Fixture.dev, directory: scratch.run("e3")) }
                == .missingScores(path: "unscored", loss: "cosent"))
        var strict = Fixture.configuration(loss: .infonce)
        strict.infonceThreshold = 6
        guard case .emptyPositiveSet(let path, let threshold, _)? =
                error({ _ = try Trainer(configuration: strict, train: Fixture.train, dev: Fixture.dev, directory: scratch.run("e4")) })
        else {
            Issue.record("expected emptyPositiveSet")
            return
        }
        #expect(path == "train" && threshold == 6)
        var bad = Fixture.configuration()
        bad.learningRate = -1
        #expect(error { _ = try Trainer(configuration: bad, train: Fixture.train, dev: Fixture.dev, directory: scratch.run("e5")) }
                == .invalidValue(field: "learningRate", value: "-1.0", expected: "a positive number such as 3e-4"))

        let directory = scratch.run("resume")
        let stop = StopSignal()
        stop.request()
        _ = try Trainer(configuration: Fixture.configuration(), train: Fixture.train, dev: Fixture.dev, directory: directory).run(stop: stop)
        var changed = Fixture.configuration()
        changed.learningRate = 5e-3
        #expect(error { _ = try Trainer(configuration: changed, train: Fixture.train, dev: Fixture.dev, directory: directory).run(resume: true) }
                == .resumeMismatch(checkpoint: directory.checkpoint.path, field: "learningRate", checkpointValue: "0.01", requestedValue: "0.005"))
        #expect(error { _ = try Trainer(configuration: Fixture.configuration(), train: Fixture.train, dev: Fixture.dev, directory: directory).run() }
                == .runDirectoryInUse(path: directory.url.path))
        let fresh = scratch.run("never-ran")
        #expect(error { _ = try Trainer(configuration: Fixture.configuration(), train: Fixture.train, dev: Fixture.dev, directory: fresh).run(resume: true) }
                == .checkpointMissing(path: fresh.checkpoint.path))
    }

    @Test("a synthetic HDF5 file loads into the same split it was written from")
    func loadsHDF5() throws {
        let path = scratch.path("synthetic.h5")
        try SyntheticPairs.write(path: path, pairs: 30, seed: 4)
        let loaded = try TrainingSplit.load(path: path, blockSize: 7)
        let expected = SyntheticPairs.split(pairs: 30, seed: 4)
        #expect(loaded.tokens == expected.tokens)
        #expect(loaded.offsets == expected.offsets)
        #expect(loaded.pairs == expected.pairs)
        #expect(loaded.scores == expected.scores)
        #expect(loaded.model == "synthetic")
        let (rows, segments) = loaded.packedRows(of: [3, 1])
        #expect(segments.lengths == [loaded.offsets[4] - loaded.offsets[3], loaded.offsets[2] - loaded.offsets[1]])
        #expect(rows.slice(alongAxis: 0, 0..<segments.lengths[0]) == loaded.tokens.slice(alongAxis: 0, loaded.offsets[3]..<loaded.offsets[4]))
        #expect(ContentDigest.sha256Hex(ofFileAt: path)?.count == 64)
    }

    @Test("SHA-256 matches the FIPS 180-4 test vectors (file digests stream in blocks)")
    func sha256() throws {
        #expect(ContentDigest.sha256Hex(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ContentDigest.sha256Hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([UInt8](repeating: 0x61, count: 3_000_000)).write(to: URL(fileURLWithPath: path))
        #expect(ContentDigest.sha256Hex(ofFileAt: path) == ContentDigest.sha256Hex(of: Data([UInt8](repeating: 0x61, count: 3_000_000))))
        #expect(ContentDigest.sha256Hex(ofFileAt: path + ".missing") == nil)
    }
}

@Test("warmup is written as {\"fraction\": 0.1} or {\"steps\": 100}; the older {\"fraction\": {\"_0\": 0.1}} still reads")
func warmupEncoding() throws {
    let fraction = String(decoding: try JSONEncoder().encode(Warmup.fraction(0.1)), as: UTF8.self)
    #expect(fraction == #"{"fraction":0.1}"#)
    #expect(String(decoding: try JSONEncoder().encode(Warmup.steps(100)), as: UTF8.self) == #"{"steps":100}"#)
    #expect(try JSONDecoder().decode(Warmup.self, from: Data(#"{"fraction":{"_0":0.25}}"#.utf8)) == .fraction(0.25))
    #expect(try JSONDecoder().decode(Warmup.self, from: Data(#"{"steps":{"_0":7}}"#.utf8)) == .steps(7))
    #expect(try JSONDecoder().decode(Warmup.self, from: Data(fraction.utf8)) == .fraction(0.1))
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(Warmup.self, from: Data("{}".utf8)) }
}

@Test("after a redrawn bar, finish() ends its line so the Ctrl-C message starts on a new one")
func progressBarFinish() {
    final class Sink: @unchecked Sendable { var text = "" }
    let sink = Sink()
    let display = ProgressDisplay(isTerminal: true, write: { sink.text += $0 }, report: { sink.text += $0 })
    display.handle(.stepped(StepReport(epoch: 1, epochs: 2, batchInEpoch: 3, batchesPerEpoch: 3, step: 3, totalSteps: 6,
                                       loss: 1, learningRate: 1e-4, pairsPerSecond: 100, remainingSeconds: 1)))
    #expect(sink.text.hasPrefix("\r") && !sink.text.hasSuffix("\n"))
    display.finish()
    #expect(sink.text.hasSuffix("\n"))
    display.finish()
    #expect(!sink.text.hasSuffix("\n\n"))  // nothing more once the bar has ended
}

@Test("training JSON is snake_case; camelCase files of earlier versions still read")
func snakeCaseTrainingJSON() throws {
    let configuration = TrainingConfiguration(head: HeadConfiguration(kind: .multihead, dim: 8, heads: 2, keyDim: 4),
                                              learningRate: 1e-3, warmup: .steps(5), evalEvery: 10)
    let data = try SnakeCaseJSON.encoder([.sortedKeys]).encode(configuration)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"learning_rate\"") && text.contains("\"eval_every\"") && text.contains("\"key_dim\":4"))
    #expect(!text.contains("learningRate"))
    #expect(try SnakeCaseJSON.decoder().decode(TrainingConfiguration.self, from: data) == configuration)
    // An earlier version's camelCase (synthesized enum coding for warmup included).
    let legacy = try JSONEncoder().encode(configuration)
    let old = String(decoding: legacy, as: UTF8.self).replacingOccurrences(of: #""warmup":{"steps":5}"#, with: #""warmup":{"steps":{"_0":5}}"#)
    #expect(old.contains("learningRate") && old.contains("_0"))
    #expect(try SnakeCaseJSON.decoder().decode(TrainingConfiguration.self, from: Data(old.utf8)) == configuration)
}

/// Distillation: sentences-only data, combined losses, resume and the teacher's digest.
@Suite("distillation")
struct DistillationTrainerTests {
    let scratch: ScratchDirectory
    init() throws { scratch = try ScratchDirectory() }

    /// A teacher that is mean pooling of the split seen through a fixed random rotation-like map.
    static func teacher(for split: TrainingSplit, seed: UInt64 = 3) -> TeacherEmbeddings {
        let (rows, segments) = split.packedRows(of: Array(0..<split.sentenceCount))
        var generator = Xoshiro256StarStar(seed: seed)
        let map = Tensor.randomNormal([split.dim, split.dim], using: &generator)
        return TeacherEmbeddings(path: "teacher", pooling: "mean", embeddings: rows.segmentMean(segments).matmul(map))
    }

    static func configuration(_ loss: LossKind, weight: Float = 1) -> TrainingConfiguration {
        var configuration = Fixture.configuration(loss: loss)
        configuration.distillation = Distillation(metric: .cosine, weight: weight, teacherPooling: "mean")
        return configuration
    }

    @Test("distill alone trains on sentences without pairs and lowers the distance to the teacher")
    func unlabelled() throws {
        let sentencesOnly = TrainingSplit(path: "sentences", tokens: Fixture.train.tokens, offsets: Fixture.train.offsets,
                                          pairs: [], scores: nil)
        let configuration = Self.configuration(.distill)
        let trainer = try Trainer(configuration: configuration, train: sentencesOnly, dev: Fixture.dev,
                                  directory: scratch.run("unlabelled"), teacher: Self.teacher(for: sentencesOnly))
        #expect(trainer.trainPairs.count == sentencesOnly.sentenceCount)
        #expect(trainer.batchesPerEpoch == (sentencesOnly.sentenceCount + 31) / 32)
        var losses: [Double] = []
        let outcome = try trainer.run { event in
            if case .evaluated(let record) = event, let loss = record.trainLoss { losses.append(loss) }
        }
        #expect(outcome.reason == .completed)
        #expect(losses.count == 2 && losses[1] < losses[0], "distillation loss per epoch: \(losses)")
    }

    @Test("CoSENT + distill logs both terms; total = cosent + weight · scale · distill")
    func combinedLog() throws {
        let configuration = Self.configuration(.cosent, weight: 0.5)
        let directory = scratch.run("combined")
        var steps: [StepReport] = []
        _ = try Trainer(configuration: configuration, train: Fixture.train, dev: Fixture.dev, directory: directory,
                        teacher: Self.teacher(for: Fixture.train)).run { event in
            if case .stepped(let report) = event { steps.append(report) }
        }
        let first = try #require(steps.first)
        #expect(first.partNames == ["cosent", "distill"])
        #expect(abs(first.loss - (first.partLosses[0] + 0.5 * 20 * first.partLosses[1])) < 1e-3 * max(1, first.loss))
        #expect(ProgressDisplay.plain(first).contains("(cosent "))
        let log = try String(contentsOf: directory.log, encoding: .utf8)
        #expect(log.contains("train_loss_parts") || log.contains("trainLossParts"), "\(log)")
    }

    @Test("a teacher of another sentence count or width is refused; distill without teacher is refused")
    func teacherChecks() throws {
        let short = TeacherEmbeddings(path: "short", pooling: "mean", embeddings: Tensor.zeros([3, 16]))
        let wide = TeacherEmbeddings(path: "wide", pooling: "mean", embeddings: Tensor.zeros([Fixture.train.sentenceCount, 8]))
        for teacher in [short, wide, nil] {
            #expect(throws: TrainingError.self) {
                _ = try Trainer(configuration: Self.configuration(.distill), train: Fixture.train, dev: Fixture.dev,
                                directory: scratch.run("refused"), teacher: teacher)
            }
        }
    }

    @Test("distill resumes bit-identically; a different teacher digest is refused")
    func resume() throws {
        var configuration = Self.configuration(.cosent)
        configuration.evalEvery = 5
        let teacher = Self.teacher(for: Fixture.train)
        let straight = try Trainer(configuration: configuration, train: Fixture.train, dev: Fixture.dev,
                                   directory: scratch.run("straight"), teacher: teacher).run()
        let directory = scratch.run("resumed")
        let stop = StopSignal()
        let first = try Trainer(configuration: configuration, train: Fixture.train, dev: Fixture.dev, directory: directory,
                                teacher: teacher).run(stop: stop) { event in
            if case .stepped(let report) = event, report.step == 7 { stop.request() }
        }
        #expect(first.reason == .interrupted)
        let resumed = try Trainer(configuration: configuration, train: Fixture.train, dev: Fixture.dev, directory: directory,
                                  teacher: teacher).run(resume: true)
        #expect(resumed.finalParameters == straight.finalParameters)
        #expect(resumed.best == straight.best)
        // The checkpoint recorded the teacher's digest ("" for this in-memory teacher); another one is refused.
        let checkpoint = try Checkpoint.read(from: directory.checkpoint)
        #expect(throws: TrainingError.self) {
            try Trainer.checkResumable(checkpoint, configuration: configuration, directory: directory,
                                       inputs: Checkpoint.InputDigests(train: checkpoint.inputs?.train ?? "",
                                                                       dev: checkpoint.inputs?.dev ?? "", teacher: "other"))
        }
    }

    @Test("distill gives the same weights on one worker and two; the summary names the teacher")
    func determinism() throws {
        let configuration = Self.configuration(.distill)
        let teacher = Self.teacher(for: Fixture.train)
        let one = try Trainer(configuration: configuration, train: Fixture.train, dev: Fixture.dev,
                              directory: scratch.run("one"), teacher: teacher, workers: 1).run()
        let two = try Trainer(configuration: configuration, train: Fixture.train, dev: Fixture.dev,
                              directory: scratch.run("two"), teacher: teacher, workers: 2).run()
        #expect(one.finalParameters == two.finalParameters)
        let summary = try RunSummary.decode(Data(contentsOf: scratch.run("one").summary))
        #expect(summary.teacher?.pooling == "mean" && summary.teacher?.dim == 16)
    }

    @Test("concatenated splits shift pair indices and keep scores")
    func concatenation() {
        let joined = TrainingSplit.concatenated([Fixture.train, Fixture.dev])
        #expect(joined.sentenceCount == Fixture.train.sentenceCount + Fixture.dev.sentenceCount)
        #expect(joined.pairs.count == Fixture.train.pairs.count + Fixture.dev.pairs.count)
        #expect(joined.pairs[Fixture.train.pairs.count].first == Fixture.dev.pairs[0].first + Fixture.train.sentenceCount)
        #expect(joined.scores?.count == joined.pairs.count)
        #expect(joined.paths == ["train", "dev"])
    }

    /// A ragged file of 4 sentences (dim 4) with texts and seeded tokens.
    private func writeStates(_ name: String, texts: [String], seed: UInt64) throws -> String {
        let path = scratch.path(name)
        var generator = Xoshiro256StarStar(seed: seed)
        let writer = try RaggedWriter(path: path, dim: 4)
        for (length, text) in zip([3, 5, 2, 4], texts) {
            try writer.append(sentence: ArraySlice(Tensor.randomNormal([length, 4], using: &generator).scalars), text: text)
        }
        try writer.finish(pairs: [SentencePair(0, 1), SentencePair(2, 3)], scores: [1, 4])
        return path
    }

    @Test("a teacher file is pooled, or read as embeddings; other sentences are refused naming the first difference")
    func teacherFiles() throws {
        let texts = ["a", "b", "c", "d"]
        let train = try writeStates("train.h5", texts: texts, seed: 1)
        let same = try writeStates("teacher.h5", texts: texts, seed: 2)
        let teacher = try TeacherEmbeddings.load(same + ":mean", for: train)
        #expect(teacher.embeddings.shape == [4, 4] && teacher.pooling == "mean" && teacher.path == same)
        let file = try HiddenStatesFile(path: same)
        let all = try file.readAll()
        file.close()
        let rows = Tensor(shape: [all.tokenCount, 4], scalars: all.tokens)
        #expect(teacher.embeddings == rows.segmentMean(Segments(lengths: [3, 5, 2, 4])))

        let other = try writeStates("other.h5", texts: ["a", "b", "x", "d"], seed: 2)
        do {
            _ = try TeacherEmbeddings.load(other + ":mean", for: train)
            Issue.record("a teacher with other texts was accepted")
        } catch let TrainingError.teacherMismatch(_, _, what, index, expected, actual) {
            #expect(what == "the sentence texts" && index == 2 && expected == "\"c\"" && actual == "\"x\"")
        }

        let embeddings = scratch.path("embeddings.h5")
        let writer = try EmbeddingsWriter(path: embeddings, dim: 3)
        try writer.append([Float](repeating: 0.5, count: 12), texts: texts)
        try writer.finish()
        let read = try TeacherEmbeddings.load(embeddings, for: train)
        #expect(read.embeddings.shape == [4, 3] && read.pooling == nil)
        #expect(TeacherEmbeddings.parse("/x/y.h5:mean") == ("/x/y.h5", "mean"))
        #expect(TeacherEmbeddings.parse("/x/y.h5") == ("/x/y.h5", nil))
    }
}

import Evaluation
import Foundation
import LayerSweep
import Testing
import Training

@Suite("layer sweep")
struct LayerSweepTests {
    @Test("every layer × method on dev and test; the choice is the dev argmax; files written")
    func endToEnd() throws {
        let fixture = try SweepFixture()
        let sweep = try fixture.sweep(out: "out")
        let outcome = try sweep.run(resume: false)
        let report = try #require(outcome.report)
        #expect(report.layers.map(\.layer) == [0, 2])
        for layer in report.layers {
            #expect(layer.methods.map(\.method) == ["mean", "max", "additive"])
            #expect(layer.methods.map(\.learned) == [false, false, true])
            for method in layer.methods {
                #expect(method.dev.pairs == 48)
                #expect(method.test?.pairs == 48)
                #expect(method.dev.spearmanCosine.isFinite)
            }
            #expect(layer.learnedHead?.epochsCompleted == 3)
            #expect(FileManager.default.fileExists(atPath: sweep.resultFile(try #require(sweep.layers.first { $0.layer == layer.layer })).path))
        }
        // The choice: the highest dev Spearman over every (layer, method), whatever test says.
        let all = report.layers.flatMap { layer in layer.methods.map { (layer.layer, $0) } }
        let top = try #require(all.max { $0.1.dev.spearmanCosine < $1.1.dev.spearmanCosine })
        let best = try #require(report.best)
        #expect(best.layer == top.0 && best.method == top.1.method)
        #expect(best.devSpearmanCosine == top.1.dev.spearmanCosine)
        #expect(best.testSpearmanCosine == top.1.test?.spearmanCosine)
        // The signal is in layer 2 (L0 holds 5% of it): the choice is there, and beats layer 0.
        #expect(best.layer == 2)
        // The reference: layer 2's best fixed strategy on dev; the comparison is paired, on test.
        let reference = try #require(report.lastLayerBestFixed)
        let lastFixed = try #require(report.layers.last?.methods.filter { !$0.learned }.max { $0.dev.spearmanCosine < $1.dev.spearmanCosine })
        #expect(reference.layer == 2 && reference.method == lastFixed.method)
        let comparison = try #require(report.comparison)
        #expect(comparison.choice == best && comparison.reference == reference)
        if best.method != reference.method {
            let difference = try #require(comparison.difference)
            #expect(abs(difference - ((best.testSpearmanCosine ?? .nan) - (reference.testSpearmanCosine ?? .nan))) < 1e-9)
            #expect(comparison.differenceCI?.contains(difference) == true)
            #expect(comparison.pValue != nil)
        }
        // report.json holds what was returned; the JSON has the best object's four figures.
        let written = try SweepReport.read(from: sweep.reportFile)
        #expect(written == report)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        let bestJSON = try #require(json["best"] as? [String: Any])
        for key in ["layer", "method", "dev_spearman_cosine", "test_spearman_cosine"] { #expect(bestJSON[key] != nil, "\(key)") }
        #expect(json["comparison"] is [String: Any])
    }

    @Test("the layers' prompt template is in the report and the table; layers with different templates are refused")
    func templates() throws {
        let prompt = "Summarise: {sentence}"
        let fixture = try SweepFixture(templates: [0: prompt, 2: prompt])
        let report = try #require(try fixture.sweep(out: "out", training: nil).run(resume: false).report)
        #expect(report.template == prompt)
        #expect(report.table().contains("wrapped in the template 'Summarise: {sentence}'"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
        #expect(json["template"] as? String == prompt)
        let bareFixture = try SweepFixture()
        let bare = try #require(try bareFixture.sweep(out: "out", training: nil).run(resume: false).report)
        #expect(bare.template == nil && !bare.table().contains("template"))

        let mixed = try SweepFixture(templates: [0: prompt, 2: "none"])
        #expect { try mixed.sweep(out: "out").preflight(resume: false) } throws: { error in
            guard case SweepError.mixedTemplates(let first, let firstTemplate, let other, let otherTemplate) = error else { return false }
            return first.hasSuffix("L0/train.h5") && firstTemplate == prompt && other.contains("L2/") && otherTemplate == "none"
        }
    }

    @Test("interrupted in a layer's training, resumed: finished layers kept, the result bit-identical")
    func resume() throws {
        let fixture = try SweepFixture()
        let straight = try #require(try fixture.sweep(out: "straight").run(resume: false).report)

        let sweep = try fixture.sweep(out: "stopped")
        let stop = StopSignal()
        var steps = 0
        let first = try sweep.run(resume: false, stop: stop) { event in
            if case .training(let layer, .stepped) = event, layer == 2 {
                steps += 1
                if steps == 4 { stop.request() }
            }
        }
        guard case .interrupted(let layer, let checkpoint) = first else {
            Issue.record("expected an interrupted sweep, got \(first)")
            return
        }
        #expect(layer == 2)
        #expect(FileManager.default.fileExists(atPath: checkpoint))
        let finishedL0 = try Data(contentsOf: sweep.resultFile(sweep.layers[0]))

        var trainedLayers: Set<Int> = []
        var reused: [Int] = []
        let second = try sweep.run(resume: true) { event in
            switch event {
            case .training(let layer, _): trainedLayers.insert(layer)
            case .layerReused(let result): reused.append(result.layer)
            default: break
            }
        }
        let resumed = try #require(second.report)
        #expect(reused == [0])
        #expect(trainedLayers == [2])
        #expect(try Data(contentsOf: sweep.resultFile(sweep.layers[0])) == finishedL0)
        // Same figures as the sweep that was never stopped (paths and timings aside).
        #expect(resumed.layers.map(\.methods) == straight.layers.map(\.methods))
        #expect(resumed.best == straight.best)
        #expect(resumed.comparison == straight.comparison)

        // A finished sweep resumed again redoes nothing.
        var again: [Int] = []
        _ = try sweep.run(resume: true) { if case .layerReused(let r) = $0 { again.append(r.layer) } }
        #expect(again == [0, 2])
    }


    @Test("resume refuses other settings, changed inputs, a missing sweep; a new sweep refuses an old folder")
    func resumeChecks() throws {
        let fixture = try SweepFixture()
        let sweep = try fixture.sweep(out: "out", strategies: ["mean"])
        _ = try sweep.run(resume: false)
        #expect(throws: SweepError.sweepExists(path: sweep.output.path)) { try sweep.preflight(resume: false) }

        let other = try fixture.sweep(out: "out", strategies: ["mean", "max"])
        #expect(throws: SweepError.resumeMismatch(path: sweep.settingsFile.path, field: "--strategies",
                                                  recorded: "mean", requested: "mean,max")) {
            try other.preflight(resume: true)
        }
        var lr = SweepFixture.training()
        lr.learningRate = 1e-3
        let otherRate = try fixture.sweep(out: "out", strategies: ["mean"], training: lr)
        let error = #expect(throws: SweepError.self) { try otherRate.preflight(resume: true) }
        if case .resumeMismatch(_, let field, _, _)? = error { #expect(field == "learningRate") } else { Issue.record("\(String(describing: error))") }

        let fresh = try fixture.sweep(out: "never-started")
        #expect(throws: SweepError.nothingToResume(path: fresh.output.path)) { try fresh.preflight(resume: true) }

        // A layer's file replaced after the layer finished: resume names it.
        let dev = fixture.root + "/L0/dev.h5"
        try SyntheticPairs.write(path: dev, pairs: 40, dim: 8, seed: 2)
        let changed = #expect(throws: SweepError.self) { try sweep.run(resume: true) }
        if case .inputChanged(let layer, let path, _, _)? = changed {
            #expect(layer == 0 && path == dev)
        } else {
            Issue.record("expected inputChanged, got \(String(describing: changed))")
        }
    }

    @Test("--layers without the last layer: the last layer is still the reference, scored with fixed strategies only")
    func referenceOutsideLayers() throws {
        let fixture = try SweepFixture()
        let every = try SweepLayer.discover(root: fixture.root)
        let chosen = try SweepLayer.discover(root: fixture.root, requested: [0])
        let settings = SweepSettings(root: fixture.root, layers: [0], referenceLayer: 2, strategies: ["mean", "max"],
                                     training: SweepFixture.training(), resamples: 200)
        let sweep = LayerSweep(layers: chosen, referenceLayer: every[1], settings: settings,
                               output: URL(fileURLWithPath: fixture.path("out")), workers: 2, toolVersion: "test")
        let report = try #require(try sweep.run(resume: false).report)
        #expect(report.layers.map(\.layer) == [0, 2])
        let reference = try #require(report.layers.last)
        #expect(reference.referenceOnly == true && reference.learnedHead == nil)
        #expect(reference.methods.map(\.method) == ["mean", "max"])
        #expect(report.layers[0].methods.map(\.method) == ["mean", "max", "additive"])
        #expect(report.lastLayerBestFixed?.layer == 2)
        #expect(!FileManager.default.fileExists(atPath: fixture.path("out/L2/run")))
        #expect(report.table().contains("L2: the model's last layer, not among --layers"))
        // A different reference on resume is refused.
        let other = SweepSettings(root: fixture.root, layers: [0], referenceLayer: 0, strategies: ["mean", "max"],
                                  training: SweepFixture.training(), resamples: 200)
        let moved = LayerSweep(layers: chosen, settings: other, output: sweep.output, workers: 2, toolVersion: "test")
        #expect(throws: SweepError.self) { try moved.preflight(resume: true) }
    }

    @Test("resume with the root spelled another way (a symbolic link): the finished layers are the same files")
    func resumeThroughLink() throws {
        let fixture = try SweepFixture()
        let straight = try #require(try fixture.sweep(out: "out", training: nil).run(resume: false).report)
        let link = fixture.path("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.root)
        let layers = try SweepLayer.discover(root: link)
        let settings = SweepSettings(root: link, layers: layers.map(\.layer), strategies: ["mean", "max"], training: nil,
                                     resamples: 200)
        let again = LayerSweep(layers: layers, settings: settings, output: URL(fileURLWithPath: fixture.path("out")),
                               workers: 2, toolVersion: "test")
        let resumed = try #require(try again.run(resume: true).report)
        #expect(resumed.layers.map(\.methods) == straight.layers.map(\.methods))
    }

    @Test("without a head: fixed strategies only; no test split: dev only, no comparison figures")
    func fixedOnlyWithoutTest() throws {
        let fixture = try SweepFixture(test: false)
        let report = try #require(try fixture.sweep(out: "out", strategies: ["mean", "max", "cls"], training: nil).run(resume: false).report)
        #expect(report.layers.allSatisfy { $0.methods.map(\.method) == ["mean", "max", "cls"] && $0.learnedHead == nil })
        #expect(report.layers.allSatisfy { $0.methods.allSatisfy { $0.test == nil } })
        #expect(!report.hasTest)
        #expect(report.bestHead == nil)
        let best = try #require(report.best)
        #expect(best.testSpearmanCosine == nil)
        if best.layer != report.lastLayerBestFixed?.layer || best.method != report.lastLayerBestFixed?.method {
            #expect(report.comparison?.difference == nil)
            #expect(report.comparison?.note?.contains("no test split") == true)
        }
        #expect(!report.table().contains("test ("))
        #expect(!report.svg().contains("nan"))
    }
}

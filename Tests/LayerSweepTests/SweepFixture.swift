import Foundation
import HiddenStates
import LayerSweep
import Training

/// A scratch folder with a generated sweep root: `ROOT/L<k>/{train,dev,test}.h5` for each
/// `(layer, signal)`, every layer holding the same pairs and gold scores (``SyntheticPairs`` with
/// the same seeds) and more or less of the signal, like the layers of one model.
final class SweepFixture {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-tests-\(UUID().uuidString)")
    var root: String { url.appendingPathComponent("root").path }

    /// `templates[k]`: the `template` attribute of layer k's files (none when absent).
    init(layers: [(layer: Int, signal: Float)] = [(0, 0.05), (2, 1)], test: Bool = true, dim: Int = 8,
         templates: [Int: String] = [:]) throws {
        for (layer, signal) in layers {
            let attributes: [String: AttributeValue] = templates[layer].map { ["template": .string($0)] } ?? [:]
            let folder = url.appendingPathComponent("root/L\(layer)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try SyntheticPairs.write(path: folder.appendingPathComponent("train.h5").path, pairs: 96, dim: dim, seed: 1, signal: signal,
                                     extraAttributes: attributes)
            try SyntheticPairs.write(path: folder.appendingPathComponent("dev.h5").path, pairs: 48, dim: dim, seed: 2, signal: signal,
                                     extraAttributes: attributes)
            if test {
                try SyntheticPairs.write(path: folder.appendingPathComponent("test.h5").path, pairs: 48, dim: dim, seed: 3, signal: signal,
                                         extraAttributes: attributes)
            }
        }
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// A small head: the additive head, 3 epochs, a rate at which it learns the synthetic signal.
    static func training(dim: Int = 8) -> TrainingConfiguration {
        var configuration = TrainingConfiguration.defaults
        configuration.head.dim = dim
        configuration.head.hidden = 8
        configuration.epochs = 3
        configuration.learningRate = 3e-2
        configuration.batchSize = 16
        configuration.patience = 0
        return configuration
    }

    func sweep(out: String, layers: [Int]? = nil, strategies: [String] = ["mean", "max"],
               training: TrainingConfiguration? = SweepFixture.training(), resamples: Int = 200) throws -> LayerSweep {
        let found = try SweepLayer.discover(root: root, requested: layers)
        let settings = SweepSettings(root: root, layers: found.map(\.layer), strategies: strategies, training: training,
                                     resamples: resamples)
        return LayerSweep(layers: found, settings: settings, output: URL(fileURLWithPath: path(out)), workers: 2,
                          toolVersion: "test")
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

extension SweepOutcome {
    var report: SweepReport? {
        if case .completed(let report) = self { return report }
        return nil
    }
}

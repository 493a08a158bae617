import Pooling
import Testing
import Training

/// ``TrainingConfiguration/firstDifference(from:)``: what `--resume` compares with the checkpoint.
@Suite("training configuration differences")
struct ConfigurationDifferenceTests {
    static func configuration(_ kind: HeadKind, formatVersion: Int, scoreNormalization: ScoreNormalization = .rms) -> TrainingConfiguration {
        var configuration = TrainingConfiguration.defaults
        configuration.head = HeadConfiguration(kind: kind, dim: 8, heads: 2, keyDim: 4, scoreNormalization: scoreNormalization,
                                               formatVersion: formatVersion)
        return configuration
    }

    @Test("a format-1 checkpoint's head equals the same settings in format 2; multihead score normalisation is named")
    func formatVersions() {
        let old = Self.configuration(.additive, formatVersion: 1)
        #expect(old.firstDifference(from: Self.configuration(.additive, formatVersion: 2)) == nil)
        let oldMultihead = Self.configuration(.multihead, formatVersion: 1, scoreNormalization: .none)
        #expect(oldMultihead.firstDifference(from: Self.configuration(.multihead, formatVersion: 2, scoreNormalization: .none)) == nil)
        let difference = oldMultihead.firstDifference(from: Self.configuration(.multihead, formatVersion: 2))
        #expect(difference?.field == "head.scoreNormalization" && difference?.mine == "none" && difference?.theirs == "rms")
    }
}

import Foundation
import Testing
@testable import Encoder

@Suite("vectorised kernels: erf, GELU, exp, LayerNorm")
struct KernelTests {
    /// Evenly spaced points over [lower, upper] (both ends included).
    static func grid(_ lower: Float, _ upper: Float, count: Int) -> [Float] {
        (0..<count).map { lower + (upper - lower) * Float($0) / Float(count - 1) }
    }

    @Test("erf: max abs error ≤ 1e-6 against double erf over [-8, 8] (1 M points)")
    func erfAccuracy() {
        var x = Self.grid(-8, 8, count: 1_000_001)
        let exact = x.map { Foundation.erf(Double($0)) }
        x.withUnsafeMutableBufferPointer { Activation.erf($0.baseAddress!, count: $0.count) }  // test-only unwrap
        let worst = zip(x, exact).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst <= 1e-6, "max |erf error| = \(worst)")
    }

    @Test("GELU: ½x(1+erf(x/√2)) within 1e-6 · max(1, |x|) over [-12, 12]; odd-length tails take the same formula")
    func geluAccuracy() {
        for count in [1_000_001, 7, 13] {
            var x = Self.grid(-12, 12, count: count)
            let exact = x.map { v -> Double in let d = Double(v); return 0.5 * d * (1 + Foundation.erf(d / 2.0.squareRoot())) }
            let input = x
            x.withUnsafeMutableBufferPointer { Activation.gelu($0.baseAddress!, count: $0.count) }
            let worst = zip(zip(x, exact), input).map { pair, v in abs(Double(pair.0) - pair.1) / Double(max(1, abs(v))) }.max() ?? 0
            #expect(worst <= 1e-6, "count \(count): max scaled |GELU error| = \(worst)")
        }
    }

    @Test("exp: relative error ≤ 2e-7 over [-87, 0] (softmax's range)")
    func expAccuracy() {
        var x = Self.grid(-87, 0, count: 100_001)
        let exact = x.map { Foundation.exp(Double($0)) }
        x.withUnsafeMutableBufferPointer { Activation.exp($0.baseAddress!, count: $0.count) }
        let worst = zip(x, exact).map { abs(Double($0) - $1) / $1 }.max() ?? 0
        #expect(worst <= 2e-7, "max relative exp error = \(worst)")
    }

    @Test("LayerNorm of a row matches the double-precision formula, widths with and without an 8-lane tail",
          arguments: [384, 37, 5])
    func layerNorm(width: Int) {
        var generator = SystemRandomNumberGenerator()
        var row = (0..<width).map { _ in Float.random(in: -3...5, using: &generator) + 100 }  // offset: cancellation test
        let gain = (0..<width).map { _ in Float.random(in: 0.5...1.5, using: &generator) }
        let bias = (0..<width).map { _ in Float.random(in: -0.5...0.5, using: &generator) }
        let values = row.map(Double.init)
        let mean = values.reduce(0, +) / Double(width)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
        let expected = (0..<width).map { (values[$0] - mean) / (variance + 1e-12).squareRoot() * Double(gain[$0]) + Double(bias[$0]) }
        row.withUnsafeMutableBufferPointer { r in
            gain.withUnsafeBufferPointer { g in
                bias.withUnsafeBufferPointer { b in
                    LayerNorm.normalize(r.baseAddress!, rows: 1, width: width, gain: g.baseAddress!, bias: b.baseAddress!, epsilon: 1e-12)
                }
            }
        }
        let worst = zip(row, expected).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst < 2e-5, "width \(width): max |Δ| = \(worst)")
    }
}

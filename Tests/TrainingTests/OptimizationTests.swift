import Autodiff
import Foundation
import Testing
@testable import Training

@Suite("optimisation")
struct OptimizationTests {
    @Test("AdamW matches the update computed by hand (PyTorch's formula), decay skipped where asked")
    func adamW() {
        var parameters = ["w": Tensor([1.0, -2.0]), "b": Tensor([0.5])]
        var optimizer = AdamW(hyperparameters: .init(weightDecay: 0.1), withoutDecay: ["b"])
        let lr: Float = 0.01
        var reference = (w: [1.0, -2.0], b: [0.5], mw: [0.0, 0.0], vw: [0.0, 0.0], mb: [0.0], vb: [0.0])
        let gradientsPerStep: [([Double], [Double])] = [([0.3, -0.1], [2.0]), ([-0.2, 0.4], [-1.0]), ([0.05, 0.05], [0.5])]
        for (t, (gw, gb)) in gradientsPerStep.enumerated() {
            optimizer.step(&parameters, gradients: ["w": Tensor(gw.map(Float.init)), "b": Tensor(gb.map(Float.init))],
                           learningRate: lr)
            let step = Double(t + 1)
            func update(_ p: inout [Double], _ m: inout [Double], _ v: inout [Double], _ g: [Double], decay: Double) {
                for i in p.indices {
                    p[i] *= 1 - Double(lr) * decay
                    m[i] = 0.9 * m[i] + 0.1 * g[i]
                    v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                    let mHat = m[i] / (1 - pow(0.9, step))
                    let vHat = v[i] / (1 - pow(0.999, step))
                    p[i] -= Double(lr) * mHat / (vHat.squareRoot() + 1e-8)
                }
            }
            update(&reference.w, &reference.mw, &reference.vw, gw, decay: 0.1)
            update(&reference.b, &reference.mb, &reference.vb, gb, decay: 0)
        }
        for (got, want) in zip((parameters["w"]?.scalars ?? []), reference.w) { #expect(abs(Double(got) - want) < 1e-6) }
        for (got, want) in zip((parameters["b"]?.scalars ?? []), reference.b) { #expect(abs(Double(got) - want) < 1e-6) }
        #expect(optimizer.state.step == 3)
    }

    @Test("warm-up is linear from 0; cosine reaches half the peak midway and 0 at the end")
    func schedule() {
        let cosine = LearningRateSchedule(kind: .cosine, peak: 1, warmupSteps: 10, totalSteps: 110)
        #expect(cosine.learningRate(atStep: 0) == 0)
        #expect(cosine.learningRate(atStep: 5) == 0.5)
        #expect(cosine.learningRate(atStep: 10) == 1)
        #expect(abs(cosine.learningRate(atStep: 60) - 0.5) < 1e-6)
        #expect(abs(cosine.learningRate(atStep: 110)) < 1e-6)
        let linear = LearningRateSchedule(kind: .linear, peak: 2, warmupSteps: 0, totalSteps: 100)
        #expect(linear.learningRate(atStep: 0) == 2)
        #expect(abs(linear.learningRate(atStep: 75) - 0.5) < 1e-6)
        let constant = LearningRateSchedule(kind: .constant, peak: 3, warmupSteps: 4, totalSteps: 100)
        #expect(constant.learningRate(atStep: 2) == 1.5)
        #expect(constant.learningRate(atStep: 99) == 3)
    }

    @Test("warm-up parses a fraction or a step count")
    func warmupParsing() {
        #expect(Warmup(parsing: "0.1") == .fraction(0.1))
        #expect(Warmup(parsing: "100") == .steps(100))
        #expect(Warmup(parsing: "1.5") == nil)
        #expect(Warmup(parsing: "-3") == nil)
        #expect(Warmup(parsing: "ten") == nil)
        #expect(Warmup.fraction(0.1).steps(outOf: 91) == 10)
    }

    @Test("clipping scales the global norm down to the limit and leaves small gradients alone")
    func clipping() {
        var gradients = ["a": Tensor([3, 0]), "b": Tensor([[0, 4]])]
        let norm = GradientClipping.clip(&gradients, maxNorm: 1)
        #expect(abs(norm - 5) < 1e-9)
        #expect(abs(GradientClipping.globalNorm(gradients) - 1) < 1e-5)
        #expect(abs((gradients["a"]?.scalars.first ?? 0) - 0.6) < 1e-5)
        var small = ["a": Tensor([0.3, 0.4])]
        GradientClipping.clip(&small, maxNorm: 1)
        #expect(small["a"] == Tensor([0.3, 0.4]))
        var broken = ["a": Tensor([Float.nan])]
        #expect(GradientClipping.clip(&broken, maxNorm: 1).isNaN)
    }
}

import Foundation
import Testing
import Autodiff

@Suite("Tape semantics")
struct TapeTests {
    @Test("a reused node receives both terms: d(x·x)/dx = 2x")
    func reusedNode() {
        let tape = Tape()
        let x = tape.parameter(Tensor([1, -2, 3]))
        tape.backward((x * x).sum())
        #expect(tape.gradient(of: x) == Tensor([2, -4, 6]))
    }

    @Test("parameter gradients accumulate across backward calls until zeroGradients()")
    func accumulation() {
        let tape = Tape()
        let x = tape.parameter(Tensor([1, 2]))
        let loss = (x * 3).sum()
        tape.backward(loss)
        tape.backward(loss)
        #expect(tape.gradient(of: x) == Tensor([6, 6]))
        tape.zeroGradients()
        #expect(tape.gradient(of: x) == Tensor([0, 0]))
    }

    @Test("constants get zero gradient and ops on constants record no pullback")
    func constants() {
        let tape = Tape()
        let c = tape.constant(Tensor([1, 2]))
        let w = tape.parameter(Tensor([3, 4]))
        let unused = tape.parameter(Tensor([5]))
        tape.backward((c.exp() * w).sum())
        #expect(tape.gradient(of: c) == Tensor([0, 0]))
        #expect(tape.gradient(of: unused) == Tensor([0]))
        #expect(close(tape.gradient(of: w), Tensor([1, 2]).exp()))
    }

    @Test("reset() empties the tape for reuse")
    func reset() {
        let tape = Tape()
        for step in 0..<3 {
            tape.reset()
            let w = tape.parameter(Tensor([Float(step)]))
            tape.backward(w.squared().sum())
            #expect(tape.gradient(of: w) == Tensor([2 * Float(step)]))
            #expect(tape.nodeCount == 3)
        }
    }

    @Test("a small model: linear layer + mean squared error, gradients match closed form")
    func linearModel() {
        let tape = Tape()
        let x = tape.constant(Tensor([[1, 2], [3, 4]]))  // [batch, in]
        let w = tape.parameter(Tensor([[0.5], [-1]]))   // [in, out]
        let b = tape.parameter(Tensor([0.25]))          // [out]
        let target = tape.constant(Tensor([[1], [0]]))
        let error = x.matmul(w) + b - target            // [batch, out]
        tape.backward(error.squared().mean())
        // error = [-2.25, -2.25]; dL/d error = 2·error / 2 = error; dW = xᵀ error, db = Σ error
        #expect(close(tape.gradient(of: w), Tensor([[-2.25 - 6.75], [-4.5 - 9]])))
        #expect(close(tape.gradient(of: b), Tensor([-4.5])))
    }
}

@Suite("Seeded random numbers")
struct RandomTests {
    @Test("SplitMix64 and xoshiro256** reproduce the reference streams")
    func referenceValues() {
        var splitMix = SplitMix64(seed: 0)
        #expect(splitMix.next() == 0xE220_A839_7B1D_CDAF)
        var a = Xoshiro256StarStar(seed: 42)
        var b = Xoshiro256StarStar(seed: 42)
        #expect((0..<5).map { _ in a.next() } == (0..<5).map { _ in b.next() })
        var c = Xoshiro256StarStar(seed: 0)
        c.state = [1, 2, 3, 4]
        #expect(c.next() == 11520)  // rotl(2·5, 7)·9, from the reference C code
    }

    @Test("state round-trips through Codable bit-exactly and the stream continues identically")
    func codableState() throws {
        var generator = Xoshiro256StarStar(seed: 7)
        for _ in 0..<10 { _ = generator.next() }
        let saved = try JSONEncoder().encode(generator)
        var restored = try JSONDecoder().decode(Xoshiro256StarStar.self, from: saved)
        #expect(restored == generator)
        #expect((0..<100).map { _ in restored.next() } == (0..<100).map { _ in generator.next() })
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Xoshiro256StarStar.self, from: Data(#"{"s0":0,"s1":0,"s2":0,"s3":0}"#.utf8))
        }
    }

    @Test("normal, uniform and Glorot initialisers have the right moments and bounds")
    func initialisers() {
        var generator = Xoshiro256StarStar(seed: 1)
        let normal = Tensor.randomNormal([100_000], mean: 2, standardDeviation: 3, using: &generator)
        let mean = normal.mean().scalar
        let variance = (normal - mean).squared().mean().scalar
        #expect(abs(mean - 2) < 0.05 && abs(variance.squareRoot() - 3) < 0.05)
        let glorot = Tensor.glorotUniform([384, 128], using: &generator)
        let limit = Float((6.0 / 512).squareRoot())
        #expect(glorot.scalars.allSatisfy { abs($0) <= limit })
        #expect(glorot.scalars.max()! > 0.9 * limit)
        let glorotNormal = Tensor.glorotNormal([384, 128], using: &generator)
        #expect(abs(glorotNormal.squared().mean().scalar.squareRoot() - Float((2.0 / 512).squareRoot())) < 0.005)
    }

    @Test("tensors round-trip through Codable; a shape/count mismatch is rejected")
    func tensorCodable() throws {
        let t = Inputs.normal([2, 3], seed: 3)
        #expect(try JSONDecoder().decode(Tensor.self, from: JSONEncoder().encode(t)) == t)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Tensor.self, from: Data(#"{"shape":[2,2],"scalars":[1,2,3]}"#.utf8))
        }
    }
}

import Foundation
import Testing
import Autodiff

/// `|a − b| ≤ tolerance` elementwise, with equal shapes.
func close(_ a: Tensor, _ b: Tensor, tolerance: Float = 1e-5) -> Bool {
    a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= tolerance }
}

/// Reference product with a triple loop, for matmul's forward values.
func naiveMatmul(_ a: [[Float]], _ b: [[Float]]) -> [[Float]] {
    a.map { row in (0..<b[0].count).map { j in zip(row, b.map { $0[j] }).reduce(0) { $0 + $1.0 * $1.1 } } }
}

func rows(_ t: Tensor) -> [[Float]] {
    (0..<t.shape[0]).map { Array(t.scalars[($0 * t.shape[1])..<(($0 + 1) * t.shape[1])]) }
}

@Suite("Forward values against closed forms")
struct ForwardTests {
    @Test("matmul matches a triple loop for every transpose combination",
          arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul(transposeA: Bool, transposeB: Bool) {
        let a = Inputs.normal([5, 7], seed: 1)
        let b = Inputs.normal([7, 3], seed: 2)
        let storedA = transposeA ? a.transposed() : a
        let storedB = transposeB ? b.transposed() : b
        let expected = Tensor(naiveMatmul(rows(a), rows(b)))
        #expect(close(storedA.matmul(storedB, transposeA: transposeA, transposeB: transposeB), expected, tolerance: 1e-4))
    }

    @Test("batched matmul equals per-item products, shared operand included")
    func batchedMatmul() {
        let a = Inputs.normal([3, 4, 5], seed: 3)
        let b = Inputs.normal([3, 5, 2], seed: 4)
        let shared = Inputs.normal([5, 2], seed: 5)
        let batched = a.matmul(b)
        let withShared = a.matmul(shared)
        for i in 0..<3 {
            let ai = a.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [4, 5])
            let bi = b.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [5, 2])
            #expect(close(batched.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [4, 2]), ai.matmul(bi), tolerance: 1e-4))
            #expect(close(withShared.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [4, 2]), ai.matmul(shared), tolerance: 1e-4))
        }
    }

    @Test("broadcasting: [2,3] + [3], [2,1] ⊙ [2,3], scalar / tensor")
    func broadcasting() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(x + Tensor([10, 20, 30]) == Tensor([[11, 22, 33], [14, 25, 36]]))
        #expect(Tensor([[2], [3]]) * x == Tensor([[2, 4, 6], [12, 15, 18]]))
        #expect(Tensor(scalar: 12) / Tensor([[1, 2, 3], [4, 6, 12]]) == Tensor([[12, 6, 4], [3, 2, 1]]))
        #expect((x + Tensor([10, 20, 30])).summed(toShape: [3]) == Tensor([25, 47, 69]))
    }

    @Test("activations at known points")
    func activations() {
        let x = Tensor([-100, 0, 1])
        #expect(close(x.sigmoid(), Tensor([0, 0.5, Float(1 / (1 + exp(-1.0)))])))
        #expect(close(x.relu(), Tensor([0, 0, 1])))
        #expect(close(x.gelu(), Tensor([0, 0, 0.8413447])))  // Φ(1) = 0.8413447
        #expect(close(Tensor([4, 9]).sqrt(), Tensor([2, 3])))
        #expect(close(x.tanh(), Tensor([-1, 0, Float(tanh(1.0))])))
    }

    @Test("vectorised tanh: relative error ≤ 1e-6 against Double tanh, odd length, ±inf and NaN")
    func tanhAccuracy() {
        // 400 003 points over [−20, 20] (odd count: the kernel's tail path runs too), plus the
        // branch point 0.625, tiny values and the special values.
        var inputs = (0...400_002).map { Float(-20 + 40 * Double($0) / 400_002) }
        inputs += [0.625, 0.62499994, 0.6250001, 1e-30, -1e-30, 1e-6, 9, 9.5, 30, -30]
        let y = Tensor(inputs).tanh()
        var worst: (error: Double, x: Float) = (0, 0)
        for (x, value) in zip(inputs, y.scalars) {
            let exact = Foundation.tanh(Double(x))
            let error = exact == 0 ? abs(Double(value)) : abs((Double(value) - exact) / exact)
            if error > worst.error { worst = (error, x) }
        }
        #expect(worst.error <= 1e-6, "tanh: relative error \(worst.error) at x = \(worst.x)")
        let special = Tensor([.infinity, -.infinity, .nan, 0]).tanh().scalars
        #expect(special[0] == 1 && special[1] == -1 && special[2].isNaN && special[3] == 0, "tanh(±inf, NaN, 0) = \(special)")
    }

    @Test("reductions: sum, mean, max along axes")
    func reductions() {
        let x = Tensor([[1, 5, 3], [4, 2, 6]])
        #expect(x.sum().scalar == 21)
        #expect(x.mean().scalar == 3.5)
        #expect(x.sum(alongAxis: 0) == Tensor([5, 7, 9]))
        #expect(x.sum(alongAxis: 1, keepingDimension: true) == Tensor([[9], [12]]))
        #expect(x.mean(alongAxis: -1) == Tensor([3, 4]))
        #expect(x.max(alongAxis: 1) == Tensor([5, 6]))
        #expect(x.max(alongAxis: 0) == Tensor([4, 5, 6]))
    }

    @Test("softmax equals eˣ / Σ eˣ; log-softmax its logarithm; logsumexp is stable")
    func softmax() {
        let x = Tensor([[1, 2, 3], [1000, 1000, 1000]])
        let e = [exp(1.0), exp(2.0), exp(3.0)]
        let total = e.reduce(0, +)
        let expected = Tensor([e.map { Float($0 / total) }, [1 / 3, 1 / 3, 1 / 3]])
        #expect(close(x.softmax(), expected))
        #expect(close(x.logSoftmax(), expected.log()))
        #expect(close(x.logSumExp(alongAxis: 1), Tensor([Float(log(total)), 1000 + Float(log(3.0))]), tolerance: 1e-4))
    }

    @Test("masked softmax: masked positions exactly 0, fully masked row all 0 and zero gradient, no NaN")
    func maskedSoftmax() {
        let x = Tensor([[1, 2, 3], [4, 5, 6]])
        let mask = Tensor([[1, 0, 1], [0, 0, 0]])
        let y = x.softmax(mask: mask)
        let expected = Float(exp(1.0) / (exp(1.0) + exp(3.0)))
        #expect(close(y, Tensor([[expected, 0, 1 - expected], [0, 0, 0]])))
        #expect(x.logSoftmax(mask: mask)[1, 2] == 0)
        let tape = Tape()
        let v = tape.parameter(x)
        tape.backward(v.softmax(mask: mask).squared().sum() + v.logSoftmax(mask: mask).sum())
        let dX = tape.gradient(of: v)
        #expect(dX.scalars.allSatisfy { $0.isFinite })
        #expect(dX[0, 1] == 0 && dX[1, 0] == 0 && dX[1, 1] == 0 && dX[1, 2] == 0)
    }

    @Test("L2 normalisation gives unit rows; a zero row stays zero")
    func l2Normalized() {
        let y = Tensor([[3, 4], [0, 0]]).l2Normalized()
        #expect(close(y, Tensor([[0.6, 0.8], [0, 0]])))
    }

    @Test("cross-entropy equals mean of logsumexp − target logit")
    func crossEntropy() {
        let logits = Tensor([[1, 2, 3], [0, 0, 0]])
        let first = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3
        let second = log(3.0)
        #expect(abs(logits.crossEntropy(targets: [2, 1]).scalar - Float((first + second) / 2)) < 1e-5)
    }

    @Test("concat, split, slice, reshape, transpose, gather, scatter-add")
    func shapes() {
        let a = Tensor([[1, 2], [3, 4]])
        let b = Tensor([[5], [6]])
        let joined = Tensor.concatenated([a, b], alongAxis: 1)
        #expect(joined == Tensor([[1, 2, 5], [3, 4, 6]]))
        #expect(joined.split(sizes: [2, 1], alongAxis: 1) == [a, b])
        #expect(Tensor.concatenated([a, a], alongAxis: 0).shape == [4, 2])
        #expect(a.transposed() == Tensor([[1, 3], [2, 4]]))
        #expect(joined.reshaped(to: [-1]).shape == [6])
        #expect(a.gathering(rows: [1, 1, 0]) == Tensor([[3, 4], [3, 4], [1, 2]]))
        #expect(a.scatteringAdd(rows: [2, 2], rowCount: 3) == Tensor([[0, 0], [0, 0], [4, 6]]))
    }
}

@Suite("Segment ops on packed rows")
struct SegmentTests {
    // Segments: rows 0..<2, an empty one, rows 2..<5.
    static let segments = Segments(offsets: [0, 2, 2, 5])
    static let x = Tensor([[1, 8], [3, 2], [5, 0], [4, 6], [0, 1]])

    @Test("sum, mean, max, first, last; an empty segment gives a zero row")
    func reductions() {
        let s = Self.segments
        #expect(Self.x.segmentSum(s) == Tensor([[4, 10], [0, 0], [9, 7]]))
        #expect(close(Self.x.segmentMean(s), Tensor([[2, 5], [0, 0], [3, 7.0 / 3]])))
        #expect(Self.x.segmentMax(s) == Tensor([[3, 8], [0, 0], [5, 6]]))
        #expect(Self.x.segmentFirst(s) == Tensor([[1, 8], [0, 0], [5, 0]]))
        #expect(Self.x.segmentLast(s) == Tensor([[3, 2], [0, 0], [0, 1]]))
        #expect(Tensor([[1], [2], [3]]).broadcastToRows(s) == Tensor([[1], [1], [3], [3], [3]]))
    }

    @Test("segment softmax: per segment and head the weights sum to 1 and match eˢ / Σ eˢ")
    func segmentSoftmax() {
        let scores = Inputs.normal([5, 2], seed: 9)
        let w = scores.segmentSoftmax(Self.segments)
        #expect(w.scalars.allSatisfy { $0.isFinite && $0 > 0 })
        for k in 0..<2 {
            let first = (0..<2).map { exp(Double(scores[$0, k])) }
            #expect(abs(w[0, k] - Float(first[0] / first.reduce(0, +))) < 1e-6)
            #expect(abs((2..<5).map { w[$0, k] }.reduce(0, +) - 1) < 1e-6)
        }
    }

    @Test("weighted sum: head k weights its column block; one head is Σ w h")
    func weightedSum() {
        let s = Self.segments
        let weights = Tensor([[0.5, 1], [2, 0], [1, 1], [0, 2], [3, -1]])
        let y = Self.x.segmentWeightedSum(s, weights: weights)
        // Column 0 uses head 0, column 1 uses head 1.
        #expect(y == Tensor([[0.5 * 1 + 2 * 3, 1 * 8 + 0 * 2], [0, 0], [1 * 5 + 0 * 4 + 3 * 0, 1 * 0 + 2 * 6 - 1 * 1]]))
        let single = Self.x.segmentWeightedSum(s, weights: weights.slice(alongAxis: 1, 0..<1))
        #expect(single == Tensor([[6.5, 8], [0, 0], [5, 3]]))
    }

    @Test("segments from lengths, offsets, Codable; invalid offsets are rejected when decoding")
    func segmentsValue() throws {
        let s = Segments(lengths: [2, 0, 3])
        #expect(s == Self.segments)
        #expect(s.count == 3 && s.rowCount == 5 && s.segmentOfRows == [0, 0, 2, 2, 2])
        let data = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(Segments.self, from: data) == s)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Segments.self, from: Data("[0, 3, 2]".utf8)) }
    }
}

@Suite("Multithreaded paths agree with single-threaded references")
struct ParallelPathTests {
    static let segments = Segments(lengths: (0..<300).map { ($0 * 7) % 23 })  // includes empty segments

    @Test("segment sum and weighted sum on a large batch equal sequential references")
    func segmentOps() {
        let s = Self.segments
        let x = Inputs.normal([s.rowCount, 64], seed: 11)
        let weights = Inputs.normal([s.rowCount, 2], seed: 12)
        #expect(close(x.segmentSum(s), x.scatteringAdd(rows: s.segmentOfRows, rowCount: s.count), tolerance: 1e-4))
        let weighted = (x.reshaped(to: [s.rowCount, 2, 32]) * weights.reshaped(to: [s.rowCount, 2, 1])).reshaped(to: [s.rowCount, 64])
        #expect(close(x.segmentWeightedSum(s, weights: weights), weighted.scatteringAdd(rows: s.segmentOfRows, rowCount: s.count),
                      tolerance: 1e-4))
        let softmax = weights.segmentSoftmax(s).scatteringAdd(rows: s.segmentOfRows, rowCount: s.count)
        for b in 0..<s.count { #expect(abs(softmax[b, 0] - (s.rows(b).isEmpty ? 0 : 1)) < 1e-5) }
    }

    @Test("batched small products split across threads equal per-item products")
    func batchedSmallProducts() {
        let a = Inputs.normal([64, 32, 48], seed: 13)
        let b = Inputs.normal([64, 48, 4], seed: 14)
        let c = a.matmul(b)
        for i in [0, 31, 63] {
            let ai = a.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [32, 48])
            let bi = b.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [48, 4])
            #expect(close(c.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [32, 4]), ai.matmul(bi), tolerance: 1e-4))
        }
    }
}

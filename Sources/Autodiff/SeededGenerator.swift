/// xoshiro256** — a small, fast, seedable random number generator with public, `Codable` state.
///
/// Training checkpoints save ``state`` and restore it bit-exactly, so a resumed run draws the
/// same numbers as an uninterrupted one. The seed is expanded with SplitMix64, as the authors
/// recommend, so nearby seeds give unrelated streams.
///
/// ```
/// t = s₁ << 17;  result = rotl(s₁ · 5, 7) · 9
/// s₂ ^= s₀; s₃ ^= s₁; s₁ ^= s₂; s₀ ^= s₃; s₂ ^= t; s₃ = rotl(s₃, 45)
/// ```
/// Reference: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators" (2018),
/// https://prng.di.unimi.it/xoshiro256starstar.c
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable, Hashable, Codable {
    /// The four 64-bit state words; never all zero.
    public var state: [UInt64] {
        get { [s0, s1, s2, s3] }
        set {
            precondition(newValue.count == 4 && newValue.contains { $0 != 0 },
                         "Xoshiro256StarStar: state needs 4 words, not all zero; got \(newValue)")
            (s0, s1, s2, s3) = (newValue[0], newValue[1], newValue[2], newValue[3])
        }
    }

    public var s0: UInt64
    public var s1: UInt64
    public var s2: UInt64
    public var s3: UInt64

    /// A generator whose state is four SplitMix64 outputs from `seed`.
    public init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        s0 = splitMix.next()
        s1 = splitMix.next()
        s2 = splitMix.next()
        s3 = splitMix.next()
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    private enum CodingKeys: String, CodingKey { case s0, s1, s2, s3 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        s0 = try container.decode(UInt64.self, forKey: .s0)
        s1 = try container.decode(UInt64.self, forKey: .s1)
        s2 = try container.decode(UInt64.self, forKey: .s2)
        s3 = try container.decode(UInt64.self, forKey: .s3)
        guard s0 | s1 | s2 | s3 != 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .s0, in: container, debugDescription: "xoshiro256** state is all zero (it would only produce zeros)")
        }
    }
}

/// SplitMix64: a one-word generator, used to expand seeds.
///
/// ```
/// z = (state += 0x9E3779B97F4A7C15)
/// z = (z ^ (z >> 30)) · 0xBF58476D1CE4E5B9;  z = (z ^ (z >> 27)) · 0x94D049BB133111EB;  z ^ (z >> 31)
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable, Hashable, Codable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

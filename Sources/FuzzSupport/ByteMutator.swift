import Autodiff
/// Byte-level mutations of HDF5 files, seeded: each mutant applies 1–4 of bit flips, overwrites with
/// interesting values (0, 0xFF, 0x7F, 0x80, and 2/4/8-byte extremes such as 2^31 or -1 — sizes and
/// addresses in HDF5 metadata are 4- or 8-byte little-endian), random bytes, truncation, duplication
/// of a block, and splicing with another seed.
///
/// Positions favour the first 4 KiB, where a small file's superblock, object headers, B-trees and
/// heaps live (corrupting raw data only changes values).
public struct ByteMutator {
    /// One mutation, as listed in a reproduction note.
    public enum Operation: String, CaseIterable, Sendable {
        case bitFlip, interestingByte, interestingWord, randomByte, truncate, duplicateBlock, splice
    }

    static let interestingBytes: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE]
    static let interestingWords: [UInt64] = [
        0, 1, 0xFF, 0x7F, 0x80, 0xFFFF, 0x7FFF, 0x8000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 1 << 31, 1 << 40, 4096, 65536,
    ]

    let seeds: [[UInt8]]

    public init(seeds: [[UInt8]]) {
        precondition(!seeds.isEmpty && seeds.allSatisfy { !$0.isEmpty }, "the fuzzer needs non-empty seed files")
        self.seeds = seeds
    }

    /// The mutant of iteration `iteration` of a run seeded with `seed`: a pure function of both, so
    /// any mutant can be regenerated alone.
    public func mutant(seed: UInt64, iteration: Int) -> (bytes: [UInt8], seedIndex: Int, operations: [Operation]) {
        var generator = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: iteration) &* 0xD6E8_FEB8_6659_FD93))
        let seedIndex = Int.random(in: 0..<seeds.count, using: &generator)
        var bytes = seeds[seedIndex]
        var operations: [Operation] = []
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            guard let operation = Operation.allCases.randomElement(using: &generator) else { break }
            apply(operation, to: &bytes, using: &generator)
            operations.append(operation)
        }
        return (bytes, seedIndex, operations)
    }

    private func position(in bytes: [UInt8], using generator: inout SplitMix64) -> Int {
        guard bytes.count > 1 else { return 0 }
        let metadata = min(bytes.count, 4096)
        return Bool.random(using: &generator) && bytes.count > metadata
            ? Int.random(in: 0..<bytes.count, using: &generator)
            : Int.random(in: 0..<metadata, using: &generator)
    }

    private func apply(_ operation: Operation, to bytes: inout [UInt8], using generator: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        switch operation {
        case .bitFlip:
            let at = position(in: bytes, using: &generator)
            bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
        case .interestingByte:
            let at = position(in: bytes, using: &generator)
            bytes[at] = Self.interestingBytes.randomElement(using: &generator) ?? 0
        case .interestingWord:
            let width = [2, 4, 8].randomElement(using: &generator) ?? 8
            let at = position(in: bytes, using: &generator)
            let value = Self.interestingWords.randomElement(using: &generator) ?? 0
            for k in 0..<width where at + k < bytes.count {
                bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))
            }
        case .randomByte:
            let at = position(in: bytes, using: &generator)
            bytes[at] = UInt8.random(in: 0...255, using: &generator)
        case .truncate:
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &generator) - 1)
        case .duplicateBlock:
            let from = position(in: bytes, using: &generator)
            let length = Int.random(in: 1...min(512, bytes.count - from), using: &generator)
            let block = Array(bytes[from..<(from + length)])
            let to = position(in: bytes, using: &generator)
            if Bool.random(using: &generator) {
                bytes.insert(contentsOf: block, at: to)
            } else {
                for k in 0..<length where to + k < bytes.count { bytes[to + k] = block[k] }
            }
        case .splice:
            let other = seeds.randomElement(using: &generator) ?? bytes
            let cut = position(in: bytes, using: &generator)
            let otherCut = Int.random(in: 0..<other.count, using: &generator)
            bytes = Array(bytes[..<cut]) + Array(other[otherCut...])
            if bytes.isEmpty { bytes = other }
        }
    }
}

import Autodiff
import Foundation
import Pooling
@testable import Encoder

/// The tiny random BERT of `Fixtures/` (written by `scripts/make-tiny-bert.py`) and its
/// transformers reference states.
enum TinyBert {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let folder = fixtures.appendingPathComponent("tiny-bert")
    static let f16Folder = fixtures.appendingPathComponent("tiny-bert-f16")
    static let bf16Folder = fixtures.appendingPathComponent("tiny-bert-bf16")
    static let lengths = [1, 2, 5, 13, 40]
    static let layers = 2
    static let hidden = 32

    struct Case: Sendable {
        let ids: [Int32]
        let types: [Int32]
        /// `layer → [L, 32]` from `BertModel(output_hidden_states=True)`.
        let states: [Int: Tensor]
        /// The last layer of the model with F16- / BF16-rounded weights.
        let f16Last: Tensor
        let bf16Last: Tensor
    }

    /// The reference cases, read from `tiny-bert-references.safetensors`.
    static func cases() throws -> [Case] {
        let contents = try SafeTensors.read(fixtures.appendingPathComponent("tiny-bert-references.safetensors"))
        func tensor(_ name: String) throws -> Tensor {
            guard let entry = contents.tensors[name] else { throw FixtureError.missing(name) }
            return Tensor(shape: entry.shape, scalars: entry.values)
        }
        return try lengths.indices.map { k in
            Case(ids: try tensor("ids.\(k)").scalars.map { Int32($0) },
                 types: try tensor("types.\(k)").scalars.map { Int32($0) },
                 states: Dictionary(uniqueKeysWithValues: try (0...layers).map { ($0, try tensor("layer.\($0).\(k)")) }),
                 f16Last: try tensor("f16.layer.\(layers).\(k)"),
                 bf16Last: try tensor("bf16.layer.\(layers).\(k)"))
        }
    }

    enum FixtureError: Error { case missing(String) }

    /// Largest |a − b| over two tensors of the same shape.
    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape)")
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    /// Rows `range` of a `[T, H]` tensor.
    static func rows(_ t: Tensor, _ range: Range<Int>) -> Tensor {
        let h = t.shape[1]
        return Tensor(shape: [range.count, h], scalars: Array(t.scalars[(range.lowerBound * h)..<(range.upperBound * h)]))
    }

    /// A copy of `source` (a folder) in a fresh temporary folder; returns the copy's URL.
    static func copy(_ source: URL) throws -> URL {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-bert-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: target)
        return target
    }

    /// Rewrites the JSON object in `url` with `change` applied.
    static func editJSON(_ url: URL, _ change: (inout [String: Any]) -> Void) throws {
        let data = try Data(contentsOf: url)
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw FixtureError.missing(url.path) }
        change(&object)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: url)
    }
}

import Foundation
import Pooling

/// A JSON object read from a file, with typed field access whose errors name the file and field.
struct JSONFile {
    let path: String
    let fields: [String: JSONValue]

    /// Reads and parses `url`; its top level must be an object.
    init(_ url: URL) throws {
        path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EncoderError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        guard let value = JSONValue(parsing: data) else {
            throw EncoderError.malformedJSON(path: url.path, detail: "not valid JSON")
        }
        guard case .object(let fields) = value else {
            throw EncoderError.malformedJSON(path: url.path, detail: "the top level is \(value.summary), not an object")
        }
        self.fields = fields
    }

    init(path: String, fields: [String: JSONValue]) {
        self.path = path
        self.fields = fields
    }

    /// A required integer, at least `minimum`.
    func integer(_ field: String, minimum: Int = 1) throws -> Int {
        guard let raw = fields[field] else {
            throw EncoderError.missingField(path: path, field: field, expected: "an integer ≥ \(minimum)")
        }
        return try integer(field, raw, minimum: minimum)
    }

    /// An optional integer, at least `minimum` when present (`null` counts as absent).
    func optionalInteger(_ field: String, minimum: Int = 1) throws -> Int? {
        guard let raw = fields[field], raw != .null else { return nil }
        return try integer(field, raw, minimum: minimum)
    }

    private func integer(_ field: String, _ raw: JSONValue, minimum: Int) throws -> Int {
        let value: Int?
        switch raw {
        case .integer(let integer): value = integer
        case .number(let number): value = Int(exactly: number)
        default: value = nil
        }
        guard let value, value >= minimum else {
            throw EncoderError.invalidField(path: path, field: field, value: raw.summary, expected: "an integer ≥ \(minimum)")
        }
        return value
    }

    /// A required positive finite number.
    func positiveNumber(_ field: String) throws -> Double {
        let expected = "a positive number"
        guard let raw = fields[field] else { throw EncoderError.missingField(path: path, field: field, expected: expected) }
        let value: Double?
        switch raw {
        case .integer(let integer): value = Double(integer)
        case .number(let number): value = number
        default: value = nil
        }
        guard let value, value > 0, value.isFinite else {
            throw EncoderError.invalidField(path: path, field: field, value: raw.summary, expected: expected)
        }
        return value
    }

    /// A required string.
    func string(_ field: String) throws -> String {
        guard let raw = fields[field] else { throw EncoderError.missingField(path: path, field: field, expected: "a string") }
        guard case .string(let text) = raw else {
            throw EncoderError.invalidField(path: path, field: field, value: raw.summary, expected: "a string")
        }
        return text
    }

    /// An optional Boolean (`null` counts as absent).
    func optionalBool(_ field: String) throws -> Bool? {
        guard let raw = fields[field], raw != .null else { return nil }
        guard case .bool(let value) = raw else {
            throw EncoderError.invalidField(path: path, field: field, value: raw.summary, expected: "true or false")
        }
        return value
    }
}

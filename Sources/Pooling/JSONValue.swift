import Foundation

/// A JSON value, for validating files field by field (safetensors headers, model configs).
/// Integers are kept exact (`integer`) rather than rounded through `Double`, so offsets and
/// extents above 2⁵³ stay what they say.
public enum JSONValue: Decodable, Sendable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses JSON text; nil when it is not JSON.
    public init?(parsing data: Data) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        self = value
    }

    /// The value as written in a message: `"gelu"`, `12`, `true`, `[…]`, `{…}`, `null`.
    public var summary: String {
        switch self {
        case .string(let text): return "\"\(text)\""
        case .integer(let value): return "\(value)"
        case .number(let value): return "\(value)"
        case .bool(let value): return "\(value)"
        case .array: return "an array"
        case .object: return "an object"
        case .null: return "null"
        }
    }
}

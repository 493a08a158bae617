/// A tensor recorded on a ``Tape``: the handle through which ops are differentiated.
///
/// Each op on `Variable` computes its value with the ``Tensor`` op of the same name and records
/// its pullback on the tape. Variables are cheap handles (the value's storage is shared).
public struct Variable: CustomStringConvertible {
    /// The forward value.
    public let value: Tensor
    /// The tape this variable is recorded on.
    public let tape: Tape
    let index: Int
    let generation: Int

    public var shape: [Int] { value.shape }
    public var rank: Int { value.rank }

    public var description: String { "Variable(#\(index), \(value))" }

    /// Records `value` as computed from `inputs` (self first) with `pullback`.
    func recorded(_ value: Tensor, _ others: Variable..., pullback: @escaping Tape.Pullback) -> Variable {
        for other in others {
            precondition(other.tape === tape,
                         "Variable ops need one tape: shapes \(shape) and \(other.shape) are on different tapes")
        }
        return tape.record(value, inputs: [self] + others, pullback: pullback)
    }
}

/// An unsafe pointer handed to the workers of a ``ForkJoin`` run.
///
/// Unsafe pointers are not `Sendable`: Swift cannot see that the memory outlives the workers nor
/// that they do not race on it. Both hold when
/// 1. the pointer comes from a `withUnsafe…Pointer` scope (or an allocation) that encloses the
///    whole `ForkJoin.run` call — `run` joins every worker before it returns — and
/// 2. while the workers run, each element is written by at most one worker and read by no other.
///
/// This type is the one place that claim is made (`@unchecked Sendable`), so every use can be
/// found by its name. Wrap outside the parallel body, unwrap with ``pointer`` inside it:
/// ```
/// output.withUnsafeMutableBufferPointer { y in
///     let y = SendablePointer(y)
///     ForkJoin.run(workers: 2) { worker in
///         for i in ranges[worker] { y.pointer[i] = f(i) }   // disjoint ranges per worker
///     }
/// }
/// ```
/// Only pointer types can be wrapped (the initialisers below).
public struct SendablePointer<Pointer>: @unchecked Sendable {
    /// The wrapped pointer; valid only within the scope that produced it.
    public let pointer: Pointer

    private init(wrapping pointer: Pointer) { self.pointer = pointer }
}

extension SendablePointer {
    public init<Element>(_ pointer: UnsafePointer<Element>) where Pointer == UnsafePointer<Element> {
        self.init(wrapping: pointer)
    }

    public init<Element>(_ pointer: UnsafeMutablePointer<Element>) where Pointer == UnsafeMutablePointer<Element> {
        self.init(wrapping: pointer)
    }

    public init<Element>(_ pointer: UnsafeBufferPointer<Element>) where Pointer == UnsafeBufferPointer<Element> {
        self.init(wrapping: pointer)
    }

    public init<Element>(_ pointer: UnsafeMutableBufferPointer<Element>)
    where Pointer == UnsafeMutableBufferPointer<Element> {
        self.init(wrapping: pointer)
    }
}

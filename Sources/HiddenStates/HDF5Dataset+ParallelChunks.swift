import Parallelism
import CHDF5
import CPlatform
import CZlib
import Foundation

/// The chunk geometry and filter pipeline of a dataset whose chunks this module can decode itself:
/// chunks of whole rows (`[chunkRows, rest of the shape]`), filters exactly `[shuffle?, deflate]`,
/// little-endian IEEE float16 or float32 elements.
///
/// HDF5 stores every chunk at full size, edge chunks included (their rows past the end are padding),
/// so each one inflates to `chunkBytes`.
struct DirectChunkLayout: Equatable, Sendable {
    let chunkRows: Int
    /// Elements per row (the product of the shape past the first axis).
    let rowElements: Int
    /// 2 for float16, 4 for float32.
    let elementSize: Int
    /// True when the bytes were shuffled (HDF5 skips the shuffle for 1-byte types and 1-element chunks).
    let shuffled: Bool

    var chunkElements: Int { chunkRows * rowElements }
    var chunkBytes: Int { chunkElements * elementSize }

    /// Nil unless the dataset qualifies; `elementSize` is 2 or 4 for the element types decoded here.
    init?(shape: [Int], storage: StorageInfo, elementSize: Int?) {
        guard let elementSize, let chunk = storage.chunk, chunk.count == shape.count, let rows = chunk.first,
              rows > 0, Array(chunk.dropFirst()) == Array(shape.dropFirst()) else { return nil }
        func isGzip(_ filter: StorageInfo.Filter) -> Bool {
            if case .gzip = filter { return true } else { return false }
        }
        let filters = storage.filters
        let shuffle: Bool
        if filters.count == 1, isGzip(filters[0]) {
            shuffle = false
        } else if filters.count == 2, filters[0] == .shuffle, isGzip(filters[1]) {
            shuffle = true
        } else {
            return nil
        }
        chunkRows = rows
        rowElements = chunk.dropFirst().reduce(1, *)
        self.elementSize = elementSize
        shuffled = shuffle && elementSize > 1 && rows * rowElements > 1
        guard rowElements > 0 else { return nil }
    }
}

extension HDF5Dataset {
    /// Reads `rows` by decoding chunks on `decompressionThreads` threads, bit-identical to `H5Dread`.
    ///
    /// This thread reads each chunk's stored bytes with `H5Dread_chunk` (HDF5 calls stay on the thread
    /// holding the HDF5 lock) and queues them; every worker, this thread included, takes queued chunks
    /// and inflates (zlib), un-shuffles and converts them straight into `destination`. At most
    /// `2 × workers` compressed chunks wait at once. Chunks this path cannot decode (not stored, a
    /// filter skipped, an inflate error) are read afterwards with `H5Dread`, whose errors are thrown.
    ///
    /// - Returns: false when the dataset or the range does not qualify (nothing was read): fewer than
    ///   two chunks' rows, one thread, or a layout other than `DirectChunkLayout`'s.
    func readFloatRowsInParallel(_ rows: Range<Int>, into destination: UnsafeMutablePointer<Float>,
                                 scratch: ScratchBuffer) throws -> Bool {
        guard decompressionThreads > 1, let layout = try directChunkLayout(),
              rows.count >= 2 * layout.chunkRows else { return false }
        let chunks = (rows.lowerBound / layout.chunkRows)...((rows.upperBound - 1) / layout.chunkRows)
        let workers = min(decompressionThreads, ForkJoin.cores, chunks.count)
        let queue = RawChunkQueue(capacity: 2 * workers)
        // Only this thread calls HDF5 (it holds the lock); the other workers decode what it queues.
        let drain: @Sendable (ChunkDecoder) -> Void = { decoder in
            while let job = queue.next(waiting: true) { queue.finished(job, decoder.decode(job)) }
        }
        ForkJoin.run(workers: workers, onCallingThread: {
            let decoder = ChunkDecoder(layout: layout)
            for chunk in chunks {
                // Decode here rather than wait when the others are behind: memory stays bounded.
                while queue.isFull, let job = queue.next(waiting: false) { queue.finished(job, decoder.decode(job)) }
                let first = max(rows.lowerBound, chunk * layout.chunkRows)
                let last = min(rows.upperBound, (chunk + 1) * layout.chunkRows)
                let target = destination + (first - rows.lowerBound) * layout.rowElements
                let elements = ((first - chunk * layout.chunkRows) * layout.rowElements)
                    ..< ((last - chunk * layout.chunkRows) * layout.rowElements)
                if let job = readStoredChunk(chunk, layout: layout, elements: elements, destination: target) {
                    queue.append(job)
                } else {
                    queue.fail(chunk)
                }
            }
            queue.close()
            drain(decoder)
        }, { _ in drain(ChunkDecoder(layout: layout)) })
        chunksDecodedInParallel += chunks.count - queue.failedChunks.count
        for chunk in queue.failedChunks.sorted() {
            let first = max(rows.lowerBound, chunk * layout.chunkRows)
            let last = min(rows.upperBound, (chunk + 1) * layout.chunkRows)
            do {
                try readFloatBlock(start: [first] + Array(repeating: 0, count: shape.count - 1),
                                   count: [last - first] + shape.dropFirst(),
                                   into: destination + (first - rows.lowerBound) * layout.rowElements,
                                   scratch: scratch)
            } catch HiddenStatesError.hdf5(let path, let object, let function, let stack) {
                // Name the rows: H5Dread's stack says only which filter failed.
                throw HiddenStatesError.hdf5(path: path, object: "\(object) rows \(first) ..< \(last)",
                                             function: function, stack: stack)
            }
        }
        return true
    }

    /// The layout when this dataset's chunks can be decoded here, computed once.
    private func directChunkLayout() throws -> DirectChunkLayout? {
        if let cached = directLayoutCache { return cached }
        let elementSize: Int? = switch elementType {
        case .float16 where H5Tget_order(fileType.id) == H5T_ORDER_LE: 2
        case .float32 where H5Tequal(fileType.id, pooler_H5T_IEEE_F32LE()) > 0: 4
        default: nil
        }
        let layout = DirectChunkLayout(shape: shape, storage: try storage(), elementSize: elementSize)
        directLayoutCache = .some(layout)
        return layout
    }

    /// The stored (still filtered) bytes of chunk `chunk`, or nil when they cannot be decoded here:
    /// the chunk is not stored (fill value), a filter was skipped for it, or HDF5 failed.
    private func readStoredChunk(_ chunk: Int, layout: DirectChunkLayout, elements: Range<Int>,
                                 destination: UnsafeMutablePointer<Float>) -> RawChunk? {
        var offset = [hsize_t](repeating: 0, count: shape.count)
        offset[0] = hsize_t(chunk * layout.chunkRows)
        var storedBytes: hsize_t = 0
        // A deflate stream of one chunk is at most compressBound(chunkBytes) long; a larger stored size
        // is corrupt metadata (left to H5Dread to report) and must not size an allocation.
        let largest = UInt64(compressBound(uLong(layout.chunkBytes))) + 64
        guard H5Dget_chunk_storage_size(handle.id, &offset, &storedBytes) >= 0, storedBytes > 0,
              storedBytes <= largest else {
            _ = H5Eclear2(hid_t(H5E_DEFAULT))
            return nil
        }
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: Int(storedBytes), alignment: 64)
        var filterMask: UInt32 = 0
        guard H5Dread_chunk(handle.id, hid_t(H5P_DEFAULT), &offset, &filterMask, bytes) >= 0, filterMask == 0 else {
            _ = H5Eclear2(hid_t(H5E_DEFAULT))
            bytes.deallocate()
            return nil
        }
        return RawChunk(index: chunk, bytes: bytes, byteCount: Int(storedBytes), elements: elements,
                        destination: destination)
    }
}

/// Undoing HDF5's deflate and shuffle filters on stored chunk bytes (`H5Dread_chunk`'s output).
enum RawChunkCodec {
    /// Inflates `count` bytes at `source` into `destination`; true only when they inflate to exactly
    /// `expected` bytes.
    static func inflate(_ source: UnsafeRawPointer, count: Int, into destination: UnsafeMutableRawPointer,
                        expected: Int) -> Bool {
        var length = uLongf(expected)
        let status = uncompress(destination.assumingMemoryBound(to: Bytef.self), &length,
                                source.assumingMemoryBound(to: Bytef.self), uLong(count))
        return status == Z_OK && Int(length) == expected
    }

    /// `stored` inflated, or nil unless it inflates to exactly `expected` bytes.
    static func inflate(_ stored: [UInt8], expected: Int) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: max(expected, 1))
        let ok = stored.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                guard let from = source.baseAddress, let to = destination.baseAddress else { return false }
                return inflate(from, count: source.count, into: to, expected: expected)
            }
        }
        guard ok else { return nil }
        if expected == 0 { output.removeAll() }
        return output
    }

    /// Reverses HDF5's shuffle filter: byte `b` of element `i` was stored at `b × n + i` for the `n`
    /// whole elements; a tail shorter than an element stays in place (as H5Z's shuffle does).
    static func unshuffle(_ bytes: [UInt8], elementSize: Int) -> [UInt8] {
        let n = elementSize > 0 ? bytes.count / elementSize : 0
        guard elementSize > 1, n > 1 else { return bytes }
        var output = bytes
        for b in 0..<elementSize {
            for i in 0..<n { output[i * elementSize + b] = bytes[b * n + i] }
        }
        return output
    }
}

/// One chunk's stored bytes (owned: freed once decoded) and where its `elements` go.
struct RawChunk {
    let index: Int
    let bytes: UnsafeMutableRawPointer
    let byteCount: Int
    /// Element range within the full chunk.
    let elements: Range<Int>
    let destination: UnsafeMutablePointer<Float>
}

/// A worker's buffers for inflating one chunk and staging float16 bits.
private final class ChunkDecoder {
    let layout: DirectChunkLayout
    private let inflated: UnsafeMutableRawPointer
    private static let halfBlock = 4096
    private let halves: UnsafeMutablePointer<UInt16>

    init(layout: DirectChunkLayout) {
        self.layout = layout
        inflated = UnsafeMutableRawPointer.allocate(byteCount: max(layout.chunkBytes, 1), alignment: 64)
        halves = UnsafeMutablePointer<UInt16>.allocate(capacity: Self.halfBlock)
    }

    deinit {
        inflated.deallocate()
        halves.deallocate()
    }

    /// Inflates, un-shuffles and converts `job` into its destination; frees its bytes.
    /// Returns false (destination untouched) when zlib fails or the chunk is not `chunkBytes` long.
    func decode(_ job: RawChunk) -> Bool {
        defer { job.bytes.deallocate() }
        guard RawChunkCodec.inflate(job.bytes, count: job.byteCount, into: inflated, expected: layout.chunkBytes) else {
            return false
        }
        let count = job.elements.count
        let lower = job.elements.lowerBound
        let planes = inflated.assumingMemoryBound(to: UInt8.self)
        let n = layout.chunkElements
        switch (layout.elementSize, layout.shuffled) {
        case (2, false):
            pooler_half_to_float((inflated + 2 * lower).assumingMemoryBound(to: UInt16.self), job.destination, count)
        case (4, false):
            UnsafeMutableRawPointer(job.destination).copyMemory(from: inflated + 4 * lower, byteCount: 4 * count)
        case (2, true):
            // Shuffled: byte b of element i is at b × n + i. Gather a block of halves, then convert.
            var done = 0
            while done < count {
                let block = min(Self.halfBlock, count - done)
                let low = planes + lower + done
                let high = low + n
                for i in 0..<block { halves[i] = UInt16(low[i]) | UInt16(high[i]) << 8 }
                pooler_half_to_float(halves, job.destination + done, block)
                done += block
            }
        default:
            let bits = UnsafeMutableRawPointer(job.destination).assumingMemoryBound(to: UInt32.self)
            let p0 = planes + lower
            let p1 = p0 + n
            let p2 = p1 + n
            let p3 = p2 + n
            for i in 0..<count {
                bits[i] = UInt32(p0[i]) | UInt32(p1[i]) << 8 | UInt32(p2[i]) << 16 | UInt32(p3[i]) << 24
            }
        }
        return true
    }
}

/// Stored chunks waiting to be decoded, shared by the workers of one read.
///
/// `@unchecked Sendable`: every member is read and written under `condition`.
private final class RawChunkQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [RawChunk] = []
    private var head = 0
    private var closed = false
    private var failed: [Int] = []
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var isFull: Bool {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head >= capacity
    }

    func append(_ job: RawChunk) {
        condition.lock()
        if head > 64 {
            jobs.removeFirst(head)
            head = 0
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// The next job; with `waiting`, blocks until one is queued or the queue is closed and empty.
    func next(waiting: Bool) -> RawChunk? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if closed || !waiting { return nil }
            condition.wait()
        }
        head += 1
        return jobs[head - 1]
    }

    /// No more jobs will be appended.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func fail(_ chunk: Int) {
        condition.lock()
        failed.append(chunk)
        condition.unlock()
    }

    func finished(_ job: RawChunk, _ decoded: Bool) {
        if !decoded { fail(job.index) }
    }

    /// Chunks to read with `H5Dread` instead (read after every worker has joined).
    var failedChunks: [Int] {
        condition.lock()
        defer { condition.unlock() }
        return failed
    }
}

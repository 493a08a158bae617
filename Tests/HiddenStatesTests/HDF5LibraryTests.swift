import Testing
import HiddenStates

@Test("the linked HDF5 library reports a 1.x version")
func hdf5Version() {
    let parts = HDF5Library.version.split(separator: ".").compactMap { Int($0) }
    #expect(parts.count == 3)
    #expect(parts.first == 1)
}

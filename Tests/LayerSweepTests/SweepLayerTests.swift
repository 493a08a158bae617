import Foundation
import LayerSweep
import Testing

@Suite("sweep layout")
struct SweepLayerTests {
    @Test("L<k> folders in numeric order; other entries ignored; --layers picks a subset")
    func discovery() throws {
        let fixture = try SweepFixture(layers: [(10, 1), (2, 1), (0, 1)])
        for other in ["sweep", "L03", "Lx", "notes"] {
            try FileManager.default.createDirectory(atPath: fixture.root + "/" + other, withIntermediateDirectories: true)
        }
        #expect(FileManager.default.createFile(atPath: fixture.root + "/L7", contents: Data()))  // a file, not a folder
        let all = try SweepLayer.discover(root: fixture.root)
        #expect(all.map(\.layer) == [0, 2, 10])
        #expect(all.allSatisfy { $0.test != nil })
        #expect(all[1].train == fixture.root + "/L2/train.h5")
        #expect(try SweepLayer.discover(root: fixture.root, requested: [10, 0, 10]).map(\.layer) == [0, 10])
    }

    @Test("each layout mistake is a typed error naming the folder")
    func mistakes() throws {
        let fixture = try SweepFixture(layers: [(0, 1), (1, 1)])
        #expect(throws: SweepError.rootNotFound(path: fixture.path("missing"))) {
            try SweepLayer.discover(root: fixture.path("missing"))
        }
        #expect(throws: SweepError.layerMissing(root: fixture.root, layer: 5, available: [0, 1])) {
            try SweepLayer.discover(root: fixture.root, requested: [0, 5])
        }
        try FileManager.default.createDirectory(atPath: fixture.path("empty"), withIntermediateDirectories: true)
        #expect(throws: SweepError.noLayers(root: fixture.path("empty"), entries: [])) {
            try SweepLayer.discover(root: fixture.path("empty"))
        }
        try FileManager.default.removeItem(atPath: fixture.root + "/L1/test.h5")
        let error = #expect(throws: SweepError.self) { try SweepLayer.discover(root: fixture.root) }
        #expect(error == .splitMissing(layerFolder: fixture.root + "/L1", split: "test", reason: "L0 has one"))
        #expect(error?.description.contains("test.h5 in all of them or in none") == true)
        try FileManager.default.removeItem(atPath: fixture.root + "/L1/dev.h5")
        #expect(throws: SweepError.splitMissing(layerFolder: fixture.root + "/L1", split: "dev", reason: "needed by every layer")) {
            try SweepLayer.discover(root: fixture.root, requested: [1])
        }
    }
}

import Autodiff
import Testing
import Training

@Suite("teacher embeddings")
struct TeacherEmbeddingsTests {
    @Test("teachers of several --train files must share a width (a typed error naming the file, not a crash)")
    func widthsMustAgree() throws {
        let a = TeacherEmbeddings(path: "a6.h5", pooling: "mean", embeddings: Tensor.zeros([3, 4]))
        let b = TeacherEmbeddings(path: "b6.h5", pooling: "mean+max", embeddings: Tensor.zeros([2, 8]))
        #expect(throws: TrainingError.self) { try TeacherEmbeddings.concatenated([a, b]) }
        do {
            _ = try TeacherEmbeddings.concatenated([a, b])
        } catch let error as TrainingError {
            #expect(error.description.contains("b6.h5") && error.description.contains("width 8"))
        }
        let joined = try TeacherEmbeddings.concatenated([a, TeacherEmbeddings(path: "c.h5", pooling: "mean", embeddings: Tensor.ones([2, 4]))])
        #expect(joined.embeddings.shape == [5, 4])
        #expect(joined.paths == ["a6.h5", "c.h5"])
    }
}

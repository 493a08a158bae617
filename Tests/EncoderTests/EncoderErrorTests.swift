import Encoder
import Testing

@Suite struct EncoderErrorTests {
    @Test func messagesNameTheSourceAndGiveAHint() {
        let error = EncoderError.emptyText(source: "texts.txt:3")
        #expect(error.description.contains("texts.txt:3"))
        #expect(error.description.contains("Hint:"))
    }
}

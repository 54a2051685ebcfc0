import Testing

@testable import MemoryTraceExporter

@Suite struct LogfmtTests {
    func parse(_ text: String) -> [String]? {
        Logfmt.parse(text)?.map { "\($0.key)|\($0.value)" }
    }

    @Test func bareQuotedAndEmptyValues() {
        #expect(parse("key=value  key2=\"v 2\"\tflag empty=") == ["key|value", "key2|v 2", "flag|", "empty|"])
        #expect(parse("") == [])
        #expect(parse("   ") == [])
        #expect(parse("http.url=http://x/?a=b") == ["http.url|http://x/?a=b"])
    }

    @Test func quotedEscapes() {
        #expect(parse(#"a="say \"hi\"\\ \n\t\u00e9\ud83d\ude00""#) == ["a|say \"hi\"\\ \n\té😀"])
        #expect(parse(#"a="é ✓""#) == ["a|é ✓"])
    }

    @Test(arguments: [
        #"a="unterminated"#, #"="x""#, #"=x"#, #"a="x"b"#, #"a=x"y"#, #"k"ey=1"#, #"a="\q""#, #"a="\u12""#,
    ])
    func rejects(text: String) {
        #expect(Logfmt.parse(text) == nil)
    }
}

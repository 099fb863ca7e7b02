import Testing
@testable import Dataset

@Suite struct SplitCSVTests {
    private let records = [
        SplitRecord(path: "train/dog/b.jpg", label: "dog", split: .train, sha256: "22"),
        SplitRecord(path: "test/cat/a,1.jpg", label: "cat", split: .test, sha256: "11"),
        SplitRecord(path: "validation/cat/say \"hi\"\n.jpg", label: "cat", split: .validation, sha256: "33"),
        SplitRecord(path: "train/Zebra/c.jpg", label: "Zebra", split: .train, sha256: "44"),
    ]

    @Test func writesAHeaderAndRowsSortedByPathBytesQuotingWhereNeeded() {
        #expect(SplitCSV.encode(records) == """
            path,class,split,sha256
            "test/cat/a,1.jpg",cat,test,11
            train/Zebra/c.jpg,Zebra,train,44
            train/dog/b.jpg,dog,train,22
            "validation/cat/say ""hi""
            .jpg",cat,validation,33

            """)
    }

    @Test func roundTripsBothForms() throws {
        let sorted = records.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        #expect(try SplitCSV.decode(SplitCSV.encode(records)) == sorted)
        let plan = records.map { var record = $0; record.from = "old/" + $0.label + "/x,y.jpg"; return record }
        #expect(try SplitCSV.decode(SplitCSV.encode(plan, plan: true)) == plan.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) })
        #expect(SplitCSV.encode(plan, plan: true).hasPrefix("from,path,class,split,sha256\n\"old/"))
    }

    @Test func readsWindowsLineEndsAndAMissingLastNewline() throws {
        #expect(try SplitCSV.decode("path,class,split,sha256\r\na.jpg,cat,train,1\r\nb.jpg,dog,test,2")
            == [SplitRecord(path: "a.jpg", label: "cat", split: .train, sha256: "1"),
                SplitRecord(path: "b.jpg", label: "dog", split: .test, sha256: "2")])
    }

    /// A CSV text and the error it gives (printed escaped, one line per case).
    struct BadText: CustomTestStringConvertible, Sendable {
        var text: String
        var error: SplitCSVError
        var testDescription: String { text.debugDescription }
    }

    @Test(arguments: [
        BadText(text: "", error: SplitCSVError(line: 1, reason: "the header is not path,class,split,sha256")),
        BadText(text: "name,label\n", error: SplitCSVError(line: 1, reason: "the header is not path,class,split,sha256")),
        BadText(text: "path,class,split,sha256\na.jpg,cat,train\n", error: SplitCSVError(line: 2, reason: "expected 4 fields, found 3")),
        BadText(text: "path,class,split,sha256\na.jpg,cat,val,1\n", error: SplitCSVError(line: 2, reason: "unknown split 'val'")),
        BadText(text: "path,class,split,sha256\n\"a.jpg,cat,train,1\n", error: SplitCSVError(line: 3, reason: "a quoted field is not closed")),
        BadText(text: "path,class,split,sha256\n\"a\"b,cat,train,1\n", error: SplitCSVError(line: 2, reason: "text after a closing quote")),
    ])
    func namesTheLineThatDoesNotFit(bad: BadText) {
        let (text, error) = (bad.text, bad.error)
        #expect(throws: error) { try SplitCSV.decode(text) }
    }
}

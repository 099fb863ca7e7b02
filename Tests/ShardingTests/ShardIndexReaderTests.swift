import Foundation
import Testing
import Sharding

@Suite("ShardIndex: rows of <split>-index.csv")
struct ShardIndexReaderTests {
    @Test func rowsAreFoundInOnePassWithRFC4180Quoting() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-index-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/test-index.csv"
        let text = "shard,row,path,label\n"
            + "test-00000.safetensors,0,data/test/cat/1.jpg,cat\n"
            + "test-00000.safetensors,1,\"data/test/dog/a,b.jpg\",dog\n"
            + "test-00000.safetensors,2,\"data/test/dog/say \"\"hi\"\".jpg\",dog\n"
            + "test-00001.safetensors,0,\"two\nlines.png\",\n"
            + "test-00001.safetensors,1,last.png,cat"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let keys = [("test-00000.safetensors", 1), ("test-00000.safetensors", 2), ("test-00001.safetensors", 0),
                    ("test-00001.safetensors", 1), ("test-00009.safetensors", 0)].map { ShardIndex.Key(shard: $0.0, row: $0.1) }
        let paths = try ShardIndex.paths(of: Set(keys), in: path)
        #expect(paths == [keys[0]: "data/test/dog/a,b.jpg", keys[1]: "data/test/dog/say \"hi\".jpg",
                          keys[2]: "two\nlines.png", keys[3]: "last.png"])
        #expect(try ShardIndex.paths(of: Set(keys), in: folder + "/missing.csv") == nil)

        try Data("shard,row,path,label\ntest-00000.safetensors,zero,x.png,cat\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ShardError.invalidIndex(path: path, reason: "line 2 does not hold shard,row,path,label")) {
            try ShardIndex.paths(of: Set(keys), in: path)
        }
        try Data("shard,row,path,label\ntest-00000.safetensors,0,\"x.png,cat\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ShardError.invalidIndex(path: path, reason: "line 2 has an unterminated quote")) {
            try ShardIndex.paths(of: Set(keys), in: path)
        }
    }
}

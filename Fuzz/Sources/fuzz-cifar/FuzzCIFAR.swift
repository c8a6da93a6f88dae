import Datasets

/// libFuzzer entry point: parsing a CIFAR-10 batch file's bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCIFAR(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let set = try? CIFAR10.parseBatch(bytes, path: "fuzz.bin") else { return 0 }
    precondition(set.count * CIFAR10.recordSize == bytes.count)
    precondition(set.labels.allSatisfy { $0 < 10 })
    return 0
}

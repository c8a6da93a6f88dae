import NeuralNet

/// libFuzzer entry point: model-file loading, then a forward pass of whatever loaded.
///
/// A model file ends with a CRC-32 of everything before it, which random
/// mutation almost never gets right; so that the fuzzer explores the structure
/// behind the checksum, inputs whose first byte is odd get a correct one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes.count > 4, bytes[0] & 1 == 1 {
        bytes[0] = UInt8(ascii: "C")
        bytes = ModelFile.resealed(bytes)
    }
    guard let model = try? ModelFile(decoding: bytes) else { return 0 }
    let network = model.network
    network.threads = 1
    let input = Shape(channels: network.inputChannels, height: 8, width: 8)
    guard network.parameters.count <= 1 << 16, (try? network.outputShape(for: input)) != nil else { return 0 }
    let output = try? network.predict([Float](repeating: 0.5, count: input.count), count: 1, shape: input)
    precondition(output == nil || output!.count == (try! network.outputShape(for: input)).count)
    return 0
}

import NeuralNet

/// libFuzzer entry point: architecture-spec parsing, then the network's shapes
/// and summary for a 32×32 input when it is small enough to build.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let architecture = try? Architecture(text) else { return 0 }
    precondition((try? Architecture(architecture.text)) == architecture, "a parsed spec must parse again to itself")
    let counts = Network.counts(architecture: architecture, inputChannels: 3)
    guard counts.parameters <= 1 << 20 else { return 0 }
    let network = Network(architecture: architecture, inputChannels: 3)
    _ = try? ModelSummary(network: network, input: Shape(channels: 3, height: 32, width: 32))
    return 0
}
